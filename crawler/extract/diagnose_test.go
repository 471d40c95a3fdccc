package extract

import (
	"strings"
	"testing"

	"github.com/gyeco/syndicator/config"
)

func TestListDiagnose(t *testing.T) {
	rows := func(n int, row string) string { return strings.Repeat(row, n) }
	govcn := config.ListRule{Kind: config.KindJSON, LinkPattern: `/zhengce/(.*/)?content_\d+\.html?$`}
	tests := []struct {
		name, body string
		rule       config.ListRule
		want       string
	}{
		// html
		{"item selector matches nothing, title of a verification page",
			`<html><head><title>安全验证</title></head><body><p>请稍候…</p></body></html>`,
			config.ListRule{Kind: config.KindHTML, Item: "ul.NewsList li"},
			`列表条目选择器 "ul.NewsList li" 未匹配任何元素；页面标题 "安全验证"`},
		{"item selector matches nothing, no title", `<ul class="list"><li><a href="/a.html">a</a></li></ul>`,
			config.ListRule{Kind: config.KindHTML, Item: "ul.NewsList li"},
			`列表条目选择器 "ul.NewsList li" 未匹配任何元素`},
		{"link selector matches in no row", `<ul class="NewsList">` + rows(20, `<li><span>2026-09-11</span>标题</li>`) + `</ul>`,
			config.ListRule{Kind: config.KindHTML, Item: "ul.NewsList li"},
			`条目选择器匹配 20 个元素，但链接选择器 "a[href]@href" 在其中均未匹配`},
		{"custom link selector", `<ul class="NewsList">` + rows(3, `<li><a href="/a.html">a</a></li>`) + `</ul>`,
			config.ListRule{Kind: config.KindHTML, Item: "ul.NewsList li", Link: "a.title@href"},
			`条目选择器匹配 3 个元素，但链接选择器 "a.title@href" 在其中均未匹配`},
		{"links are not http(s)", `<ul class="NewsList">` + rows(3, `<li><a href="javascript:void(0)">a</a></li><li></li>`) + `</ul>`,
			config.ListRule{Kind: config.KindHTML, Item: "ul.NewsList li"},
			`条目选择器匹配 6 个元素，其中 3 个有链接，但均不是可用的 http(s) 链接（如 "javascript:void(0)"）`},
		{"link_pattern rejects every link", `<ul class="NewsList">` + rows(20, `<li><a href="/zhuanti/a/index.htm">专题</a></li>`) + `</ul>`,
			config.ListRule{Kind: config.KindHTML, Item: "ul.NewsList li", LinkPattern: `/zhengce/(.*/)?content_\d+\.html?$`},
			`20 个链接均不符合 link_pattern "/zhengce/(.*/)?content_\d+\.html?$"（如 "/zhuanti/a/index.htm"）`},
		{"bad html rule", `<ul></ul>`, config.ListRule{Kind: config.KindHTML, Item: "ul["}, `列表规则无效：item: selector "ul[":`},

		// json
		{"html served for json", `<html><head><title>403 Forbidden</title></head><body>403</body></html>`, govcn,
			`页面不是有效的 JSON（invalid character '<' looking for beginning of value）；页面标题 "403 Forbidden"`},
		{"no array at path", `{"data": {}}`, config.ListRule{Kind: config.KindJSON, ItemsPath: "data.list"},
			`JSON 中没有路径 "data.list" 的数组（该路径不存在）`},
		{"object at path", `{"data": {"list": {"a": 1}}}`, config.ListRule{Kind: config.KindJSON, ItemsPath: "data.list"},
			`JSON 中没有路径 "data.list" 的数组（该处是对象）`},
		{"object at top level", `{"data": []}`, govcn, `JSON 顶层不是数组（是对象）`},
		{"empty top-level array", `[]`, govcn, `JSON 顶层数组为空`},
		{"empty array at path", `{"data": {"list": []}}`, config.ListRule{Kind: config.KindJSON, ItemsPath: "data.list"},
			`JSON 路径 "data.list" 的数组为空`},
		{"url field empty in every row", `[` + strings.TrimSuffix(rows(30, `{"TITLE": "t", "URL": ""},`), ",") + `]`, govcn,
			`数组有 30 行，但字段 "URL" 均为空`},
		{"url field renamed", `[{"title": "t", "url": "https://www.gov.cn/zhengce/content_1.htm"}]`, govcn,
			`数组有 1 行，但字段 "URL" 均为空`},
		{"json link_pattern", `[{"URL": "https://www.gov.cn/zhuanti/x/index.htm"}, {"URL": "https://www.gov.cn/yaowen/liebiao/202609/content_1.htm"}]`, govcn,
			`2 个链接均不符合 link_pattern "/zhengce/(.*/)?content_\d+\.html?$"（如 "/zhuanti/x/index.htm"）`},

		// feed
		{"not a feed", `<html><head><title>首页</title></head></html>`, config.ListRule{Kind: config.KindFeed},
			`页面不是 RSS 或 Atom 订阅源（根元素为 <html>）；页面标题 "首页"`},
		{"feed without items", `<rss version="2.0"><channel><title>通知公告</title></channel></rss>`, config.ListRule{Kind: config.KindFeed},
			`订阅源中没有条目（RSS item 或 Atom entry）；页面标题 "通知公告"`},
		{"feed items without links", `<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>urn:1</id></entry><entry><title>t</title></entry></feed>`,
			config.ListRule{Kind: config.KindFeed}, `订阅源有 2 个条目，但均没有链接`},

		// rule
		{"bad link_pattern", `[]`, config.ListRule{Kind: config.KindJSON, LinkPattern: "("}, "link_pattern 无法编译："},
		{"unknown kind", `[]`, config.ListRule{Kind: "rss"}, `列表类型 "rss" 不是 json、html 或 feed`},

		// entries
		{"entries found", `[{"URL": "https://www.gov.cn/zhengce/content/202609/content_1.htm"}]`, govcn, ""},
	}
	page := mustURL(t, "https://www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ListDiagnose([]byte(tc.body), "", page, tc.rule)
			if strings.HasSuffix(tc.want, ":") || strings.HasSuffix(tc.want, "：") { // the rest is a library's message
				if !strings.HasPrefix(got, tc.want) {
					t.Errorf("ListDiagnose() = %q, want prefix %q", got, tc.want)
				}
				return
			}
			if got != tc.want {
				t.Errorf("ListDiagnose() =\n%q\nwant\n%q", got, tc.want)
			}
			if entries, _ := List([]byte(tc.body), "", page, tc.rule); (len(entries) == 0) != (tc.want != "") {
				t.Errorf("List() gives %d entries, ListDiagnose() %q", len(entries), got)
			}
		})
	}
}

// TestListDiagnoseTestdata: every list case with entries diagnoses "".
func TestListDiagnoseTestdata(t *testing.T) {
	for _, tc := range listCases {
		body := readListCase(t, tc.file, tc.encode)
		if got := ListDiagnose(body, tc.contentType, mustURL(t, tc.url), tc.rule); got != "" {
			t.Errorf("%s: ListDiagnose() = %q, want \"\"", tc.name, got)
		}
	}
}
