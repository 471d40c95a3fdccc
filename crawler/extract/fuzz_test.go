package extract

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gyeco/syndicator/config"
)

func addSeeds(f *testing.F, pattern string, add func([]byte)) {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, ".golden.json") {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		add(b)
	}
}

// FuzzDetail checks that no page makes Detail panic, and that what it
// returns keeps its promises.
func FuzzDetail(f *testing.F) {
	addSeeds(f, "*.html", func(b []byte) { f.Add(b, "text/html", 0) })
	f.Add([]byte("\xEF\xBB\xBF<p>x</p>"), "text/html; charset=gbk", 1)
	f.Add([]byte(`<table class="bd1"><tr><td>标题：</td></tr></table>`), "", 0)
	f.Add([]byte(`<div class="Xxgk_Info"><li>文号：黔府发〔2019〕4号</li></div><div id="Zoom"><a href="./a.pdf">a</a></div>`), "", 1)
	rules := []config.DetailRule{govcnDetail, guizhouDetail, guiyangDetail, {}}
	page := mustURL(f, "https://www.gov.cn/zhengce/content/202609/content_7080735.htm")
	f.Fuzz(func(t *testing.T, body []byte, contentType string, r int) {
		rule := rules[uint(r)%uint(len(rules))]
		p, err := Detail(body, contentType, page, rule)
		if err != nil {
			return
		}
		for _, s := range []string{p.Title, p.BodyText, p.BodyHTML, p.DocKey} {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 in %q", s)
			}
		}
		if strings.Contains(strings.ToLower(p.BodyHTML), "<script") {
			t.Fatalf("script in body html: %q", p.BodyHTML)
		}
		for _, u := range p.Unmatched {
			if !strings.HasPrefix(u, "title: ") && !strings.HasPrefix(u, "body: ") {
				t.Fatalf("unmatched entry %q", u)
			}
		}
		seen := map[string]bool{}
		for _, a := range p.Attachments {
			if seen[a.URL] || !strings.HasPrefix(a.URL, "http") {
				t.Fatalf("bad attachment list %+v", p.Attachments)
			}
			seen[a.URL] = true
		}
	})
}

// FuzzList checks that no page makes List or ListDiagnose panic, that
// every entry has an absolute http(s) URL, and that ListDiagnose explains a
// page exactly when List gives no entries. Every body is also read as a
// feed.
func FuzzList(f *testing.F) {
	addSeeds(f, "*.json", func(b []byte) { f.Add(b, true) })
	addSeeds(f, "guizhou-list.html", func(b []byte) { f.Add(b, false) })
	addSeeds(f, "*.xml", func(b []byte) { f.Add(b, false) })
	f.Add([]byte(`<?xml version="1.0" encoding="gbk"?><rss><channel><item><link>./a</link><pubDate>Fri, 11 Sep 26 17:00 CST</pubDate></item></channel></rss>`), false)
	f.Add([]byte(`<feed><entry><title type="xhtml"><div>a</div></title><link href="b"/><updated>2026-09-11T17:00+08:00</updated></entry></feed>`), true)
	f.Add([]byte(`{"a":[1,"x",null,{"URL":5}]}`), true)
	f.Add([]byte(`<ul class="NewsList"><li><a href="//x">t</a><span>2019-02-12  16:43</span></li></ul>`), false)
	page := mustURL(f, "https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qff/")
	jsonRule := config.ListRule{Kind: config.KindJSON}
	htmlRule := config.ListRule{Kind: config.KindHTML, Item: "ul.NewsList li"}
	feedRule := config.ListRule{Kind: config.KindFeed, LinkPattern: `/t\d{8}_\d+\.html$`}
	f.Fuzz(func(t *testing.T, body []byte, isJSON bool) {
		rules := []config.ListRule{htmlRule, guizhouSzfwjList, feedRule}
		if isJSON {
			rules = []config.ListRule{jsonRule, govcnZuixinList, feedRule}
		}
		for _, rule := range rules {
			entries, err := List(body, "", page, rule)
			why := ListDiagnose(body, "", page, rule)
			if !utf8.ValidString(why) || (err != nil || len(entries) == 0) != (why != "") {
				t.Fatalf("ListDiagnose() = %q with %d entries, error %v", why, len(entries), err)
			}
			if err != nil {
				continue
			}
			for _, e := range entries {
				if !strings.HasPrefix(e.URL, "http://") && !strings.HasPrefix(e.URL, "https://") {
					t.Fatalf("entry URL %q is not absolute http(s)", e.URL)
				}
			}
		}
	})
}

// FuzzParseTime checks ParseTime and FindTime never panic and only return
// Beijing times.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2026-09-11-17:00:00", "2019-02-12  16:43", "2017年05月15日", "发布时间：2025-10-21 10:30", "1790000000000",
		"Fri, 11 Sep 2026 17:00:00 +0800", "11 Sep 26 09:00 GMT", "2026-09-11T17:00+08:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if tm, _, err := ParseTime(s); err == nil && tm.Location().String() != "Asia/Shanghai" {
			t.Fatalf("ParseTime(%q) location %v", s, tm.Location())
		}
		if tm, _, ok := FindTime(s); ok && tm.Location().String() != "Asia/Shanghai" {
			t.Fatalf("FindTime(%q) location %v", s, tm.Location())
		}
		if tm, _, ok := ParseFeedTime(s); ok && tm.Location().String() != "Asia/Shanghai" {
			t.Fatalf("ParseFeedTime(%q) location %v", s, tm.Location())
		}
	})
}

// FuzzGenericList: the list reader without selectors never panics, and
// what it returns is a list: at least minGenericRows rows, each an http(s)
// URL on the page's host that the pattern accepts, dated, no URL twice.
func FuzzGenericList(f *testing.F) {
	addSeeds(f, "guizhou-list.html", func(b []byte) { f.Add(b) })
	f.Add([]byte(`<ul><li><a href="/a/t20260101_1.html">一</a>2026-01-01</li><li><a href="/a/t20260102_2.html">二</a>2026-01-02</li><li><a href="/a/t20260103_3.html">三</a>2026-01-03</li></ul>`))
	f.Add([]byte(`<table><tr><td><a href="javascript:x">a</a></td><td>2026年1月1日</td></tr></table>`))
	page := mustURL(f, "https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qff/")
	pattern := regexp.MustCompile(`/t\d{8}_\d+\.html$`)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, p := range []*regexp.Regexp{nil, pattern} {
			got := GenericList(body, "", page, p)
			if got != nil && len(got) < minGenericRows {
				t.Fatalf("%d rows: a list has at least %d", len(got), minGenericRows)
			}
			seen := map[string]bool{}
			for _, e := range got {
				u, err := url.Parse(e.URL)
				if err != nil || u.Host != page.Host || (u.Scheme != "http" && u.Scheme != "https") || e.Date.IsZero() || seen[e.URL] {
					t.Fatalf("row %+v: want a dated row with a unique http(s) URL on %s", e, page.Host)
				}
				if p != nil && !p.MatchString(u.Path) {
					t.Fatalf("row %s: the pattern rejects it", e.URL)
				}
				seen[e.URL] = true
			}
		}
	})
}

// FuzzSuggestList: whatever a list page holds, a suggested rule is one
// the configuration accepts, a paged one names its page 2, and the URLs a
// script loads are few, distinct and http(s).
func FuzzSuggestList(f *testing.F) {
	for _, name := range []string{"guizhou-list.html", "suggest-query-pager.html", "suggest-shell.html", "govcn-search.json", "govcn-zuixin.json"} {
		addSeeds(f, name, func(b []byte) { f.Add(b) })
	}
	f.Add([]byte(`{"data":{"total":9,"list":[{"title":"一个通知","url":"/a/1.html","time":"2026-01-01"}]}}`))
	page := mustURL(f, "https://x.gov.cn/col/index.jsp?columnid=1&p=1")
	f.Fuzz(func(t *testing.T, body []byte) {
		rule, _, ok := SuggestList(body, "", page)
		if ok {
			if err := ValidateList(rule); err != nil {
				t.Fatalf("suggested rule %+v is refused: %v", rule, err)
			}
			if rule.Pages > 0 && PageURL(page, 1, rule) == nil {
				t.Fatalf("suggested rule %+v pages but names no page 2", rule)
			}
		}
		calls := ScriptDataURLs(body, "", page)
		seen := map[string]bool{}
		for _, c := range calls {
			u, err := url.Parse(c)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || seen[c] {
				t.Fatalf("script URL %q: want distinct http(s) URLs", c)
			}
			seen[c] = true
		}
		if len(calls) > maxScriptURLs {
			t.Fatalf("%d script URLs, at most %d", len(calls), maxScriptURLs)
		}
	})
}
