package extract

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gyeco/syndicator/config"
)

var listCases = []struct {
	name, file, url, contentType string
	rule                         config.ListRule
	encode                       func(testing.TB, []byte) []byte // builds the served bytes from the UTF-8 file
}{
	{name: "govcn-zuixin", file: "govcn-zuixin.json", url: "https://www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json",
		contentType: "application/json", rule: govcnZuixinList},
	{name: "govcn-search", file: "govcn-search.json", url: "https://sousuo.www.gov.cn/search-gov/data?t=zhengcelibrary&p=1",
		contentType: "application/json;charset=UTF-8", rule: config.ListRule{
			Kind: config.KindJSON, ItemsPath: "searchVO.catMap.gongwen.listVO",
			URLField: "url", TitleField: "title", DateField: "ptime",
		}},
	{name: "guizhou-list", file: "guizhou-list.html", url: "https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qff/",
		contentType: "text/html", rule: guizhouSzfwjList},
	{name: "guizhou-list-unfiltered", file: "guizhou-list.html", url: "https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qff/index.html",
		contentType: "text/html", rule: config.ListRule{Kind: config.KindHTML, Item: "ul.NewsList li"}},
	{name: "feed-rss", file: "feed-rss.xml", url: "https://sthj.example.gov.cn/zwgk/zcwj/rss.xml",
		contentType: "application/rss+xml", rule: config.ListRule{Kind: config.KindFeed}},
	{name: "feed-rss-filtered", file: "feed-rss.xml", url: "https://sthj.example.gov.cn/zwgk/zcwj/rss.xml",
		contentType: "application/rss+xml; charset=utf-8", rule: config.ListRule{Kind: config.KindFeed, LinkPattern: `/\d{6}/t\d{8}_\d+\.html?$`}},
	{name: "feed-atom", file: "feed-atom.xml", url: "https://www.example.gov.cn/feed.xml",
		contentType: "application/atom+xml", rule: config.ListRule{Kind: config.KindFeed}},
	// encoding="gb2312" declared, GB18030 bytes with a 4-byte character (𠮷), no charset in the header.
	{name: "feed-rss-gbk", file: "feed-rss-gbk.xml", url: "http://www.example-xian.gov.cn/rss.xml",
		contentType: "text/xml", rule: config.ListRule{Kind: config.KindFeed}, encode: gb18030},
}

func TestListGolden(t *testing.T) {
	for _, tc := range listCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := List(readListCase(t, tc.file, tc.encode), tc.contentType, mustURL(t, tc.url), tc.rule)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tc.name, got)
		})
	}
}

func readListCase(t testing.TB, file string, encode func(testing.TB, []byte) []byte) []byte {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	if encode != nil {
		body = encode(t, body)
	}
	return body
}

func TestListFacts(t *testing.T) {
	body, err := os.ReadFile("testdata/guizhou-list.html")
	if err != nil {
		t.Fatal(err)
	}
	got, err := List(body, "text/html", mustURL(t, "https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qff/"), guizhouSzfwjList)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Fatalf("got %d entries, want 4: %+v", len(got), got)
	}
	first := got[0]
	if first.Title != "省人民政府关于建立涉农资金统筹整合长效机制的实施意见（黔府发〔2019〕4号）" ||
		first.URL != "https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qff/202510/t20251021_88713156.html" ||
		first.Date.Format("2006-01-02 15:04 -0700") != "2019-02-12 16:43 +0800" || first.Precision != "minute" {
		t.Errorf("first = %+v", first)
	}
	if got[1].Title != "省人民政府关于印发某某方案的通知" || got[1].Precision != "day" {
		t.Errorf("empty title attribute should fall back to link text: %+v", got[1])
	}
	if got[3].URL != "https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qfh/202412/t20241201_86300001.html" {
		t.Errorf("relative ../ link: %+v", got[3])
	}

	body, err = os.ReadFile("testdata/govcn-zuixin.json")
	if err != nil {
		t.Fatal(err)
	}
	got, err = List(body, "application/json", mustURL(t, "https://www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json"), govcnZuixinList)
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for _, e := range got {
		urls = append(urls, e.URL)
	}
	want := []string{
		"https://www.gov.cn/zhengce/content/202609/content_7080735.htm",
		"https://www.gov.cn/zhengce/content/202609/content_7080627.htm",
		"https://www.gov.cn/zhengce/content/202609/content_7080500.htm",
		"https://www.gov.cn/zhengce/202609/content_7080400.htm",
	}
	if diff := cmp.Diff(want, urls); diff != "" {
		t.Errorf("urls (-want +got):\n%s", diff)
	}
}

func TestListErrors(t *testing.T) {
	page := mustURL(t, "https://www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json")
	tests := []struct {
		name, body string
		rule       config.ListRule
		want       string
	}{
		{"html served for json", `<html><body>403 Forbidden</body></html>`, config.ListRule{Kind: config.KindJSON}, "expected JSON"},
		{"object at top level", `{"data": []}`, config.ListRule{Kind: config.KindJSON}, "expected a JSON array at top level, found an object"},
		{"missing path", `{"data": []}`, config.ListRule{Kind: config.KindJSON, ItemsPath: "data.list"}, `at items_path "data.list", found nothing`},
		{"unknown kind", `[]`, config.ListRule{Kind: "xml"}, `list kind "xml"`},
		{"html served for a feed", `<html><body>403 Forbidden</body></html>`, config.ListRule{Kind: config.KindFeed}, "expected an RSS or Atom feed, found <html>"},
		{"json served for a feed", `[{"URL": "x"}]`, config.ListRule{Kind: config.KindFeed}, "expected an RSS or Atom feed"},
		{"bad pattern", `[]`, config.ListRule{Kind: config.KindJSON, LinkPattern: "("}, "link_pattern"},
		{"bad selector", `<ul></ul>`, config.ListRule{Kind: config.KindHTML, Item: "ul["}, "item:"},
		{"no item selector", `<ul></ul>`, config.ListRule{Kind: config.KindHTML}, "item:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := List([]byte(tc.body), "", page, tc.rule)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("List() error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestListEmpty(t *testing.T) {
	page := mustURL(t, "https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qff/")
	for _, tc := range []struct {
		body string
		rule config.ListRule
	}{
		{`[]`, config.ListRule{Kind: config.KindJSON}},
		{`{"data":{"list":[]}}`, config.ListRule{Kind: config.KindJSON, ItemsPath: "data.list"}},
		{`<html><body><p>暂无信息</p></body></html>`, config.ListRule{Kind: config.KindHTML, Item: "ul.NewsList li"}},
		{`<rss version="2.0"><channel><title>空</title></channel></rss>`, config.ListRule{Kind: config.KindFeed}},
		{`<feed xmlns="http://www.w3.org/2005/Atom"><title>空</title></feed>`, config.ListRule{Kind: config.KindFeed}},
	} {
		got, err := List([]byte(tc.body), "", page, tc.rule)
		if err != nil || len(got) != 0 {
			t.Errorf("List(%q) = %v, %v; want no entries and no error", tc.body, got, err)
		}
	}
}

func TestNextPageURL(t *testing.T) {
	tests := []struct {
		first string
		n     int
		want  string
	}{
		{"https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qff/", 0, "https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qff/"},
		{"https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qff/", 1, "https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qff/index_1.html"},
		{"https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qff/index.html", 2, "https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qff/index_2.html"},
		{"https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qff/index.html", 0, "https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qff/index.html"},
		{"https://x.gov.cn/list.htm?a=1#f", 3, "https://x.gov.cn/list_3.htm"},
		{"https://x.gov.cn/zwgk/qff", 1, "https://x.gov.cn/zwgk/qff/index_1.html"},
		{"https://x.gov.cn", 1, "https://x.gov.cn/index_1.html"},
		{"http://127.0.0.1:8080/guizhou/zwgk/zcfg/szfwj/qff/", 27, "http://127.0.0.1:8080/guizhou/zwgk/zcfg/szfwj/qff/index_27.html"},
	}
	for _, tc := range tests {
		first := mustURL(t, tc.first)
		got := NextPageURL(first, tc.n)
		if got.String() != tc.want {
			t.Errorf("NextPageURL(%q, %d) = %q, want %q", tc.first, tc.n, got, tc.want)
		}
		if first.String() != tc.first {
			t.Errorf("NextPageURL modified its argument: %q", first)
		}
	}
	if NextPageURL(nil, 1) != nil {
		t.Error("NextPageURL(nil) != nil")
	}
}
