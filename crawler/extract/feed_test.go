package extract

import (
	"strings"
	"testing"

	"github.com/gyeco/syndicator/config"
)

func TestParseFeedTime(t *testing.T) {
	tests := []struct {
		in, want, prec string // want in Beijing time; "" = not a date
	}{
		{"Fri, 11 Sep 2026 17:00:00 +0800", "2026-09-11 17:00:00", "second"},
		{"Fri, 11 Sep 2026 09:00:00 GMT", "2026-09-11 17:00:00", "second"},
		{"Fri, 11 Sep 2026 09:00 GMT", "2026-09-11 17:00:00", "minute"},
		{"Fri, 11 Sep 2026 17:00 +0800", "2026-09-11 17:00:00", "minute"},
		{"11 Sep 2026 17:00:00 +08:00", "2026-09-11 17:00:00", "second"},
		{"Fri,11 Sep 2026 17:00:00 +0800", "2026-09-11 17:00:00", "second"},
		{"Fri, 1 Sep 2026 09:00:00 UT", "2026-09-01 17:00:00", "second"},
		{"Fri, 11 Sep 26 17:00 CST", "2026-09-11 17:00:00", "minute"},
		{"Fri, 11 Sep 2026 04:00:00 EST", "2026-09-11 17:00:00", "second"},
		{"Fri, 11 Sep 2026 05:00:00 -0400", "2026-09-11 17:00:00", "second"},
		{"Fri, 11 September 2026 17:00:00 +0800", "2026-09-11 17:00:00", "second"},
		{"Fri, 11 Sep 2026 17:00:00 +0800 (CST)", "2026-09-11 17:00:00", "second"},
		{"Fri, 11 Sep 2026 17:00:00", "2026-09-11 17:00:00", "second"}, // no zone: Beijing
		{"2026-09-11T09:00:00Z", "2026-09-11 17:00:00", "second"},
		{"2026-09-11T17:00:00.123+08:00", "2026-09-11 17:00:00", "second"},
		{"2026-09-11T17:00+08:00", "2026-09-11 17:00:00", "minute"},
		{"2026-09-11 17:00:00", "2026-09-11 17:00:00", "second"},
		{"2026-09-11", "2026-09-11 00:00:00", "day"},
		{"Fri, 31 Feb 2026 17:00:00 +0800", "", ""},
		{"Fri, 11 Sep 2026 25:00:00 +0800", "", ""},
		{"Fri, 11 Foo 2026 17:00:00 +0800", "", ""},
		{"Fri, 11 Sep 2026 17:00:00 XYZ", "", ""},
		{"Fri, 11 Sep 2026 17:00:00 +9900", "", ""},
		{"上周五", "", ""},
		{"", "", ""},
	}
	for _, tc := range tests {
		got, prec, ok := ParseFeedTime(tc.in)
		if tc.want == "" {
			if ok {
				t.Errorf("ParseFeedTime(%q) = %v, want no date", tc.in, got)
			}
			continue
		}
		if !ok || got.Format("2006-01-02 15:04:05") != tc.want || string(prec) != tc.prec || got.Location().String() != "Asia/Shanghai" {
			t.Errorf("ParseFeedTime(%q) = %v %s %v, want %s %s", tc.in, got, prec, ok, tc.want, tc.prec)
		}
	}
}

// TestFeedCharsets: the GB18030 feed declaring gb2312 reads the same
// whatever the header says, 4-byte character included.
func TestFeedCharsets(t *testing.T) {
	body := readListCase(t, "feed-rss-gbk.xml", gb18030)
	page := mustURL(t, "http://www.example-xian.gov.cn/rss.xml")
	for _, ct := range []string{"", "text/xml", "application/rss+xml; charset=utf-8", "application/xml; charset=gbk"} {
		got, err := List(body, ct, page, config.ListRule{Kind: config.KindFeed})
		if err != nil {
			t.Fatalf("%q: %v", ct, err)
		}
		if len(got) != 2 || got[0].Title != "关于吉𠮷同志任职的通知" {
			t.Errorf("%q: entries %+v", ct, got)
		}
	}
	// A UTF-8 feed that still declares gb2312 (the header wins when it says so).
	utf8Body := readListCase(t, "feed-rss-gbk.xml", nil)
	got, err := List(utf8Body, "text/xml; charset=utf-8", page, config.ListRule{Kind: config.KindFeed})
	if err != nil || len(got) != 2 || !strings.Contains(got[0].Title, "吉𠮷") {
		t.Errorf("utf-8 body: %+v, %v", got, err)
	}
}
