package extract

import (
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/syndicator"
)

// The rules inferred from the saved list pages read what the presets'
// rules read there.
func TestSuggestListReadsWhatThePresetReads(t *testing.T) {
	for _, tc := range []struct {
		file, url string
		preset    config.ListRule
		kind      string
	}{
		{"guizhou-list.html", "https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qff/", guizhouSzfwjList, config.KindHTML},
		{"govcn-zuixin.json", "https://www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json", govcnZuixinList, config.KindJSON},
	} {
		body, err := os.ReadFile("testdata/" + tc.file)
		if err != nil {
			t.Fatal(err)
		}
		u := mustURL(t, tc.url)
		rule, notes, ok := SuggestList(body, "", u)
		if !ok || rule.Kind != tc.kind {
			t.Fatalf("%s: ok %v, kind %q, notes %v", tc.file, ok, rule.Kind, notes)
		}
		want, err := List(body, "", u, tc.preset)
		if err != nil {
			t.Fatal(err)
		}
		got, err := List(body, "", u, rule)
		if err != nil {
			t.Fatalf("%s: the inferred rule %+v: %v", tc.file, rule, err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: the inferred rule %+v reads %d entries, the preset %d (notes %v)", tc.file, rule, len(got), len(want), notes)
		}
		for i := range want {
			if got[i].URL != want[i].URL || got[i].Title != want[i].Title || !got[i].Date.Equal(want[i].Date) {
				t.Errorf("%s: entry %d = %+v, want %+v", tc.file, i, got[i], want[i])
			}
		}
	}
}

func TestSuggestDetail(t *testing.T) {
	rule, notes := SuggestDetail(readCase(t, "density-article", nil), "text/html", mustURL(t, "https://sthjj.example.gov.cn/tzgg/202604/t20260401_1.html"))
	if len(rule.Body) != 1 || rule.Body[0] != "div.wz-cont" {
		t.Errorf("body %q, want [div.wz-cont] (notes %v)", rule.Body, notes)
	}
	p, err := Detail(readCase(t, "density-article", nil), "text/html", mustURL(t, "https://sthjj.example.gov.cn/tzgg/202604/t20260401_1.html"), rule)
	if err != nil || p.BodyByDensity || len(p.Missing) > 0 || p.DocNumber != "某环通〔2026〕5号" {
		t.Errorf("the inferred rule reads: by density %v, missing %v, doc number %q, err %v", p.BodyByDensity, p.Missing, p.DocNumber, err)
	}
}

func TestMajorityDir(t *testing.T) {
	for _, tc := range []struct {
		paths []string
		seg   string
	}{
		{[]string{"/govcn/zhengce/content/1.htm", "/govcn/zhengce/content/2.htm", "/govcn/yaowen/liebiao/3.htm"}, "zhengce"},
		{[]string{"/a/b/1.htm", "/a/b/2.htm", "/a/b/3.htm"}, ""},             // all in one place: nothing to filter
		{[]string{"/a/x/1.htm", "/a/y/2.htm", "/a/z/3.htm"}, ""},             // no majority
		{[]string{"/a/1.htm", "/b/2.htm"}, ""},                               // too few
		{[]string{"/z/x/1.htm", "/z/x/2.htm", "/z/x/3.htm", "/z/4.htm"}, ""}, // a file where others have directories
		{[]string{"/p/x/1.htm", "/p/x/2.htm", "/p/x/3.htm", "/p/y/4.htm"}, "x"},
		// Month directories of one column are no columns (the 国务院文件 list spans 202611 and 202610).
		{[]string{"/zhengce/content/202611/content_1.htm", "/zhengce/content/202611/content_2.htm", "/zhengce/content/202611/content_3.htm", "/zhengce/content/202610/content_4.htm"}, ""},
	} {
		if seg, _ := majorityDir(tc.paths); seg != tc.seg {
			t.Errorf("%v: %q, want %q", tc.paths, seg, tc.seg)
		}
	}
}

func TestJSONRowFields(t *testing.T) {
	tests := []struct {
		name          string
		row           string
		url, title, d string
	}{
		{"gov.cn list", `{"TITLE":"国务院关于印发若干政策的通知","SUB_TITLE":"国务院关于印发若干政策措施实施细则和配套办法的通知全文","URL":"https://www.gov.cn/zhengce/content/202603/content_7000001.htm","DOCRELPUBTIME":"2026-03-05"}`,
			"URL", "TITLE", "DOCRELPUBTIME"},
		{"gov.cn search API", `{"title":"关于加强生态环境保护的意见","summary":"为深入贯彻落实党中央、国务院决策部署，进一步加强生态环境保护工作，现提出以下意见","url":"https://www.gov.cn/zhengce/content/202603/content_7000002.htm","id":1234567890,"pcode":"国办发〔2026〕3号","puborg":"国务院办公厅","pubtimeStr":"2026.03.05","ptime":1772668800000}`,
			"url", "title", "pubtimeStr"},
		{"an API with Chinese-less keys", `{"f_202163974476":"贵州省人力资源和社会保障厅关于做好就业工作的通知","doc_pub_url":"/art/2026/3/5/art_1.html","save_time":"2026-03-05 10:00:00"}`,
			"doc_pub_url", "f_202163974476", "save_time"},
	}
	for _, tc := range tests {
		var row map[string]any
		dec := json.NewDecoder(strings.NewReader(tc.row))
		dec.UseNumber()
		if err := dec.Decode(&row); err != nil {
			t.Fatal(err)
		}
		u, ti, d := jsonRowFields(row)
		if u != tc.url || ti != tc.title || d != tc.d {
			t.Errorf("%s: fields url %q title %q date %q, want %q %q %q", tc.name, u, ti, d, tc.url, tc.title, tc.d)
		}
	}
}

// Paging is read from the page: the TRS pager script, a pager whose links
// number a query parameter, a JSON API's page-number parameter; a list
// that shows none gets none.
func TestSuggestPaging(t *testing.T) {
	for _, tc := range []struct {
		file, url string
		pages     int
		param     string
		note      string // what the notes say about paging
	}{
		{"guizhou-list.html", "https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qff/", suggestedPages, "", "页面脚本 createPage，共 28 页"},
		{"suggest-query-pager.html", "https://sthjj.example.gov.cn/col/col2101/index.jsp?columnid=2101", suggestedPages, "pageIndex",
			"第 2 页为 https://sthjj.example.gov.cn/col/col2101/index.jsp?columnid=2101&pageIndex=2"},
		{"govcn-search.json", "https://sousuo.www.gov.cn/search-gov/data?t=zhengcelibrary&q=&p=1&n=20&sort=pubtime", suggestedPages, "p", "p=1 是页码"},
		{"govcn-zuixin.json", "https://www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json", 0, "", "没有页码参数"},
	} {
		body, err := os.ReadFile("testdata/" + tc.file)
		if err != nil {
			t.Fatal(err)
		}
		rule, notes, ok := SuggestList(body, "", mustURL(t, tc.url))
		if !ok || rule.Pages != tc.pages || rule.PageParam != tc.param {
			t.Errorf("%s: ok %v, pages %d, page_param %q; want %d, %q (notes %v)", tc.file, ok, rule.Pages, rule.PageParam, tc.pages, tc.param, notes)
		}
		if !strings.Contains(strings.Join(notes, "\n"), tc.note) {
			t.Errorf("%s: the notes do not say %q: %v", tc.file, tc.note, notes)
		}
	}
	// The query pager's page 2 is the pager's own link.
	body, _ := os.ReadFile("testdata/suggest-query-pager.html")
	first := mustURL(t, "https://sthjj.example.gov.cn/col/col2101/index.jsp?columnid=2101")
	rule, _, _ := SuggestList(body, "", first)
	if got := PageURL(first, 1, rule); got == nil || got.String() != "https://sthjj.example.gov.cn/col/col2101/index.jsp?columnid=2101&pageIndex=2" {
		t.Errorf("page 2 of the query-paged list: %v", got)
	}
	if entries, err := List(body, "", first, rule); err != nil || len(entries) != 4 {
		t.Errorf("the suggested rule reads %d rows (%v), want 4", len(entries), err)
	}
	// The same pager linking index_N files (the county CMS's 下一页) is TRS paging.
	files := strings.NewReplacer("index.jsp?columnid=2101&amp;pageIndex=2", "index_1.html", "index.jsp?columnid=2101&amp;pageIndex=3", "index_2.html").Replace(string(body))
	rule, notes, _ := SuggestList([]byte(files), "", mustURL(t, "https://sthjj.example.gov.cn/col/col2101/"))
	if rule.Pages != suggestedPages || rule.PageParam != "" {
		t.Errorf("index_N pager links: pages %d, page_param %q (notes %v)", rule.Pages, rule.PageParam, notes)
	}
}

// A JSON list whose envelope counts more rows than it holds, fetched
// without a page number, says how to page it.
func TestSuggestJSONPagingNote(t *testing.T) {
	body := []byte(`{"data":{"total":86,"list":[` +
		`{"title":"关于开展大气污染防治专项检查的通知","url":"/art/2026/4/3/art_1.html","time":"2026-04-03"},` +
		`{"title":"关于印发重点排污单位名录的通知","url":"/art/2026/4/1/art_2.html","time":"2026-04-01"},` +
		`{"title":"关于公开征求意见的公告","url":"/art/2026/3/28/art_3.html","time":"2026-03-28"}]}}`)
	rule, notes, ok := SuggestList(body, "application/json", mustURL(t, "https://x.gov.cn/api/list"))
	if !ok || rule.PageParam != "" || rule.ItemsPath != "data.list" {
		t.Fatalf("ok %v, rule %+v", ok, rule)
	}
	if n := strings.Join(notes, "\n"); !strings.Contains(n, `"data.total" 为 86`) || !strings.Contains(n, "page_param") {
		t.Errorf("notes do not say the list has more pages and what to set: %v", notes)
	}
}

func TestScriptDataURLs(t *testing.T) {
	body, err := os.ReadFile("testdata/suggest-shell.html")
	if err != nil {
		t.Fatal(err)
	}
	got := ScriptDataURLs(body, "text/html", mustURL(t, "https://www.gov.cn/zhengce/zhengceku/gwywj/"))
	want := []string{"https://www.gov.cn/zhengce/zhengceku/gwywj/TONGYONGGAILAN.json"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("ScriptDataURLs = %q, want %q (script files, styles and images are no data)", got, want)
	}
	// A source whose list turned into such a shell is told where the rows went.
	why := ListDiagnose(body, "text/html", mustURL(t, "https://www.gov.cn/zhengce/zhengceku/gwywj/"), config.ListRule{Kind: config.KindHTML, Item: "ul.NewsList li"})
	if !strings.Contains(why, "TONGYONGGAILAN.json") || !strings.Contains(why, "source suggest") {
		t.Errorf("diagnosis of a shell page does not name what its script loads: %s", why)
	}
	// The shell itself holds no list: suggest must look further.
	if _, _, ok := SuggestList(body, "text/html", mustURL(t, "https://www.gov.cn/zhengce/zhengceku/gwywj/")); ok {
		t.Error("SuggestList found a list in a shell page with no rows")
	}
	for _, tc := range []struct{ js, want string }{
		{`$.getJSON('/api/list?pageNo=1', f)`, "https://x.gov.cn/api/list?pageNo=1"},
		{`fetch("https://api.x.gov.cn/v1/articles?channel=3")`, "https://api.x.gov.cn/v1/articles?channel=3"},
		{`axios.get('../data/list.json')`, "https://x.gov.cn/data/list.json"},
		{`var cfg = {dataUrl: "list_data.json?v=3"}`, "https://x.gov.cn/a/list_data.json?v=3"},
		{`location.href = "#top"; $.get("detail.html")`, ""},
	} {
		page := []byte("<html><body><script>" + tc.js + "</script></body></html>")
		got := strings.Join(ScriptDataURLs(page, "text/html", mustURL(t, "https://x.gov.cn/a/b.html")), " ")
		if got != tc.want {
			t.Errorf("%s: %q, want %q", tc.js, got, tc.want)
		}
	}
}

// On every saved detail template, the rule `source suggest` infers (title
// and body selectors, no metadata containers: the labels find those)
// reads the fields the preset's rule reads; so, nearly, does the zero rule
// (default selectors, labels, text density: what a source with no rules
// gets). The figures are logged; the suggested rules' falling below 85 %
// of the presets' non-empty fields fails.
func TestSuggestDetailOnSavedTemplates(t *testing.T) {
	var sug, gen, total int
	for _, tc := range detailCases {
		body := readCase(t, tc.name, tc.encode)
		u := mustURL(t, tc.url)
		want, err := Detail(body, tc.contentType, u, tc.rule)
		if err != nil {
			t.Fatal(err)
		}
		rule, _ := SuggestDetail(body, tc.contentType, u)
		s, n, wrong := sameFields(t, want, body, tc.contentType, u, rule)
		g, _, gwrong := sameFields(t, want, body, tc.contentType, u, config.DetailRule{})
		t.Logf("%s: suggested %d/%d fields as the preset reads them (differ: %v); no rule %d/%d (differ: %v)", tc.name, s, n, wrong, g, n, gwrong)
		sug, gen, total = sug+s, gen+g, total+n
	}
	t.Logf("all saved templates: suggested rules %d/%d fields as the presets read them, no rule %d/%d", sug, total, gen, total)
	if total == 0 || 100*sug < 85*total {
		t.Errorf("suggested detail rules read %d of %d fields as the presets do: below 85 %%", sug, total)
	}
}

// sameFields reads the page with rule and counts the fields of want (the
// preset's reading) that are not empty, and how many rule reads alike.
func sameFields(t *testing.T, want *Page, body []byte, ctype string, u *url.URL, rule config.DetailRule) (right, total int, wrong []string) {
	t.Helper()
	got, err := Detail(body, ctype, u, rule)
	if err != nil {
		t.Fatal(err)
	}
	squash := func(s string) string { return strings.Join(strings.Fields(s), "") }
	for _, f := range []struct {
		name      string
		want, got string
	}{
		{"title", want.Title, got.Title},
		{"doc_number", want.DocNumber, got.DocNumber},
		{"index_number", want.IndexNumber, got.IndexNumber},
		{"issuer", want.Issuer, got.Issuer},
		{"subject", want.Subject, got.Subject},
		{"doc_type", want.DocType, got.DocType},
		{"origin", want.Origin, got.Origin},
		{"written_at", want.WrittenAt, got.WrittenAt},
		{"published_at", fmtTime(want.PublishedAt), fmtTime(got.PublishedAt)},
		{"validity", string(want.Validity), string(got.Validity)},
		{"body", squash(want.BodyText), squash(got.BodyText)},
	} {
		if f.want == "" || f.want == string(syndicator.ValidityUnknown) {
			continue
		}
		total++
		switch {
		case f.got == f.want:
			right++
		case f.name == "title" && f.got != "" && strings.HasPrefix(f.want, f.got+"_"):
			// The preset keeps a site suffix (…_区人民政府) that the
			// suggested title_suffixes drop: right, and better.
			right++
		default:
			wrong = append(wrong, f.name)
		}
	}
	return right, total, wrong
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

// GenericJSONList reads the saved gov.cn list as the preset's rule does
// when given the preset's link_pattern, and keeps the news rows without it.
func TestGenericJSONList(t *testing.T) {
	body, err := os.ReadFile("testdata/govcn-zuixin.json")
	if err != nil {
		t.Fatal(err)
	}
	u := mustURL(t, "https://www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json")
	want, err := List(body, "", u, govcnZuixinList)
	if err != nil || len(want) == 0 {
		t.Fatalf("the preset reads %d rows (%v)", len(want), err)
	}
	got := GenericJSONList(body, "", u, govcnZuixinList.LinkPattern)
	if len(got) != len(want) {
		t.Fatalf("GenericJSONList with the preset's pattern: %d rows, the preset %d", len(got), len(want))
	}
	for i := range want {
		if got[i].URL != want[i].URL || got[i].Title != want[i].Title || !got[i].Date.Equal(want[i].Date) {
			t.Errorf("row %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if all := GenericJSONList(body, "", u, ".*"); len(all) <= len(want) {
		t.Errorf("a pattern keeping everything reads %d rows, not more than the policy rows' %d", len(all), len(want))
	}
	if GenericJSONList([]byte("<html><body>不是 JSON</body></html>"), "text/html", u, "") != nil {
		t.Error("an html page read as a JSON list")
	}
}
