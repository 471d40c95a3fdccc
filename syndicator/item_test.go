package syndicator

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestCanonicalURL(t *testing.T) {
	base, _ := url.Parse("http://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qff/index.html")
	mirror, _ := url.Parse("http://127.0.0.1:8090/guizhou/zwgk/zcfg/szfwj/qff/index_1.html")
	tests := []struct {
		raw  string
		base *url.URL
		want string
	}{
		{"./202510/t20251021_88713156.html", base, "https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qff/202510/t20251021_88713156.html"},
		{"HTTP://WWW.GOV.CN:443/zhengce/content/202609/content_7080735.htm?from=rss#top", nil, "https://www.gov.cn/zhengce/content/202609/content_7080735.htm"},
		{"../qfbf/202601/t20260102_1.html", base, "https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qfbf/202601/t20260102_1.html"},
		{"./202603/t20260305_90000001.html", mirror, "http://127.0.0.1:8090/guizhou/zwgk/zcfg/szfwj/qff/202603/t20260305_90000001.html"},
		{"http://Example.org:80/a?b=c", nil, "http://example.org/a"},
		{"http://[::1]:8080/x", nil, "http://[::1]:8080/x"},
	}
	for _, tt := range tests {
		got, err := CanonicalURL(tt.raw, tt.base)
		if err != nil || got != tt.want {
			t.Errorf("CanonicalURL(%q) = %q, %v; want %q", tt.raw, got, err, tt.want)
		}
	}
	for _, bad := range []string{"javascript:alert(1)", "/relative/without/base", "mailto:a@b.cn"} {
		if got, err := CanonicalURL(bad, nil); err == nil {
			t.Errorf("CanonicalURL(%q) = %q, want error", bad, got)
		}
	}
}

func TestItemIDAndArchivePrefix(t *testing.T) {
	id := ItemID("https://www.gov.cn/zhengce/content/202609/content_7080735.htm")
	if len(id) != 32 {
		t.Fatalf("id %q: want 32 hex chars (16 bytes)", id)
	}
	if id == ItemID("https://www.gov.cn/zhengce/content/202609/content_7080736.htm") {
		t.Fatal("different URLs share an id")
	}
	// 2026-09-30 20:00 UTC is 2026-10-01 04:00 in Beijing: the October folder.
	it := Item{ID: id, Source: "govcn-zuixin", Revision: 2, PublishedAt: time.Date(2026, 9, 30, 20, 0, 0, 0, time.UTC)}
	if got, want := it.ArchivePrefix(), "govcn-zuixin/2026/10/"+id+"/r2/"; got != want {
		t.Errorf("ArchivePrefix = %q, want %q", got, want)
	}
}

func TestEventSubjectAndMsgID(t *testing.T) {
	ev := Event{Kind: KindPublished, ID: "abc", Revision: 3, Source: "s1", Sink: "site"}
	if got := ev.Subject(); got != "synd.item.published.site.s1" {
		t.Errorf("subject %q", got)
	}
	if got := ev.MsgID(); got != "abc.r3.published.site" {
		t.Errorf("msg id %q", got)
	}
	ev.Kind = KindDiscovered
	if ev.Subject() != "synd.item.discovered.s1" || ev.MsgID() != "abc.r3.discovered" {
		t.Errorf("discovered: %q %q", ev.Subject(), ev.MsgID())
	}
}

func TestContentSHA256IgnoresWhitespaceButNotText(t *testing.T) {
	a := Item{Title: "关于 印发的通知", BodyText: "第一条\n  内容。"}
	b := Item{Title: "关于  印发的通知", BodyText: "第一条 内容。"}
	if ContentSHA256(&a) != ContentSHA256(&b) {
		t.Error("whitespace-only change altered the hash")
	}
	b.BodyText = "第一条 内容已修改。"
	if ContentSHA256(&a) == ContentSHA256(&b) {
		t.Error("text change kept the hash")
	}
}

func TestIsItemID(t *testing.T) {
	if id := ItemID("https://www.gov.cn/zhengce/content/1.htm"); !IsItemID(id) {
		t.Errorf("IsItemID(ItemID(...) = %q) = false", id)
	}
	for _, bad := range []string{
		"", "0123456789abcdef0123456789abcde", "0123456789abcdef0123456789abcdef0",
		"0123456789ABCDEF0123456789ABCDEF", "0123456789abcdef0123456789abcdeg",
		"0123456789abcdef012345678.abcdef", "0123456789abcdef0123456789abcd>*",
		strings.Repeat("a", 4100),
	} {
		if IsItemID(bad) {
			t.Errorf("IsItemID(%.40q) = true", bad)
		}
	}
}
