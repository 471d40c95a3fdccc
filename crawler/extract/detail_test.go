package extract

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gyeco/syndicator/config"
	"golang.org/x/text/encoding/simplifiedchinese"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// detailCases: testdata/<name>.html, served from url with contentType and
// read with rule, must give testdata/<name>.golden.json.
var detailCases = []struct {
	name, url, contentType string
	rule                   config.DetailRule
	encode                 func(testing.TB, []byte) []byte // builds the served bytes from the UTF-8 file
}{
	{name: "govcn-template-a", url: "https://www.gov.cn/zhengce/content/2017-06/08/content_5200760.htm",
		contentType: "text/html", rule: govcnDetail},
	{name: "govcn-library", url: "https://www.gov.cn/zhengce/zhengceku/202408/content_6966863.htm",
		contentType: "text/html; charset=utf-8", rule: govcnDetail},
	{name: "govcn-two-ucap", url: "https://www.gov.cn/zhengce/content/202511/content_7047091.htm",
		contentType: "text/html", rule: govcnDetail},
	{name: "govcn-stray-html", url: "https://www.gov.cn/zhengce/2016-06/14/content_5082031.htm",
		rule: govcnDetail},
	// Template B (政策 article, 解读): h1#ti after a logo <h1>, date and
	// source in div.pages-date, no firstpublishedtime meta.
	{name: "govcn-template-b", url: "https://www.gov.cn/zhengce/202609/content_7080400.htm",
		contentType: "text/html; charset=utf-8", rule: govcnDetail},
	// The pre-2023 template: layout tables, td#UCAP-CONTENT, 主题词 row,
	// <title> ending in 政府信息公开专栏, http URL.
	{name: "govcn-old", url: "http://www.gov.cn/zhengce/content/2014-12/01/content_9283.htm",
		contentType: "text/html", rule: govcnDetail},
	{name: "guizhou-detail", url: "https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qfbf/202510/t20251021_88713156.html",
		contentType: "text/html; charset=UTF-8", rule: guizhouDetail},
	// gb2312 declared in <meta>, GB18030 bytes with a 4-byte character (𠮷).
	{name: "gbk-meta", url: "https://qx.guiyang.gov.cn/zwgk/202501/t20250102_1.html",
		contentType: "text/html", rule: guiyangDetail, encode: gb18030},
	// A UTF-8 BOM wins over a header that says gbk.
	{name: "bom-utf8", url: "https://www.guiyang.gov.cn/zwgk/202502/t20250203_2.html",
		contentType: "text/html; charset=gbk", rule: guiyangDetail, encode: withBOM},
	// The header (utf-8) wins over a <meta> that says gb2312.
	{name: "header-meta-disagree", url: "https://sthjj.guiyang.gov.cn/zwgk/202509/t20250901_3.html",
		contentType: "text/html; charset=utf-8", rule: guiyangDetail},
}

func gb18030(t testing.TB, b []byte) []byte {
	t.Helper()
	out, err := simplifiedchinese.GB18030.NewEncoder().Bytes(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func withBOM(_ testing.TB, b []byte) []byte { return append([]byte("\xEF\xBB\xBF"), b...) }

func readCase(t testing.TB, name string, encode func(testing.TB, []byte) []byte) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".html"))
	if err != nil {
		t.Fatal(err)
	}
	if encode != nil {
		b = encode(t, b)
	}
	return b
}

// checkGolden compares got, as indented JSON, with testdata/<name>.golden.json.
func checkGolden(t *testing.T, name string, got any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(got); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	golden := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.WriteFile(golden, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(b)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", golden, diff)
	}
}

func TestDetailGolden(t *testing.T) {
	for _, tc := range detailCases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Detail(readCase(t, tc.name, tc.encode), tc.contentType, mustURL(t, tc.url), tc.rule)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tc.name, p)
		})
	}
}

// TestDetailFacts states the facts the goldens must show, so that an
// -update that breaks one is caught.
func TestDetailFacts(t *testing.T) {
	get := func(name string) *Page {
		for _, tc := range detailCases {
			if tc.name == name {
				p, err := Detail(readCase(t, tc.name, tc.encode), tc.contentType, mustURL(t, tc.url), tc.rule)
				if err != nil {
					t.Fatal(err)
				}
				return p
			}
		}
		t.Fatalf("no case %s", name)
		return nil
	}
	t.Run("template A values of 国办发〔2017〕47号", func(t *testing.T) {
		p := get("govcn-template-a")
		want := []string{"国务院办公厅关于印发政府网站发展指引的通知", "国办发〔2017〕47号", "国办发〔2017〕47号",
			"000014349/2017-00110", "国务院办公厅", `综合政务\政务公开`, "2017-05-15",
			"2017-06-08T16:45:00+08:00", "second", "2017-06-08T17:02:11+08:00"}
		got := []string{p.Title, p.DocNumber, p.DocKey, p.IndexNumber, p.Issuer, p.Subject, p.WrittenAt,
			p.PublishedAt.Format("2006-01-02T15:04:05Z07:00"), string(p.PublishedPrecision),
			p.ModifiedAt.Format("2006-01-02T15:04:05Z07:00")}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if strings.Contains(p.BodyText, "扫一扫") || strings.Contains(p.BodyHTML, "qr.png") || strings.Contains(p.BodyText, "hits") {
			t.Errorf("removed parts leaked into the body: %q", p.BodyText)
		}
		if len(p.Attachments) != 1 || p.Attachments[0].URL != "https://www.gov.cn/zhengce/content/2017-06/08/P020170608562108546193.pdf" {
			t.Errorf("attachments = %+v", p.Attachments)
		}
	})
	t.Run("library table, published from 发布日期", func(t *testing.T) {
		p := get("govcn-library")
		if p.DocNumber != "发改能源〔2024〕1128号" || p.Origin != "国家发展改革委网站" || p.DocType != "通知" ||
			p.WrittenAt != "2024-07-25" || p.IndexNumber != "" || p.PublishedPrecision != "day" ||
			p.PublishedAt.Format("2006-01-02 15:04 -0700") != "2024-08-06 00:00 +0800" {
			t.Errorf("page = %+v", p)
		}
	})
	t.Run("only the first UCAP-CONTENT", func(t *testing.T) {
		p := get("govcn-two-ucap")
		if strings.Contains(p.BodyText, "手机版") || strings.Count(p.BodyText, "经国务院批准") != 1 {
			t.Errorf("body = %q", p.BodyText)
		}
		if p.Title != "国务院办公厅关于2026年部分节假日安排的通知" || p.DocKey != "国办发明电〔2025〕7号" {
			t.Errorf("title %q, doc key %q", p.Title, p.DocKey)
		}
	})
	t.Run("template B: h1#ti, pages-date minute and source", func(t *testing.T) {
		p := get("govcn-template-b")
		if p.Title != "权威解读｜让政府网站成为政策发布的第一平台" || p.Origin != "新华社" ||
			p.PublishedAt.Format("2006-01-02 15:04:05 -0700") != "2026-09-11 17:30:00 +0800" || p.PublishedPrecision != "minute" ||
			len(p.Missing) != 0 || p.DocNumber != "" || !strings.HasPrefix(p.DocKey, "title:") {
			t.Errorf("page = %+v", p)
		}
		if diff := cmp.Diff([]string{"title: div.share-title"}, p.Unmatched); diff != "" {
			t.Errorf("unmatched (-want +got):\n%s", diff)
		}
		// The body image is captured as an inline attachment, not listed under 附件.
		if len(p.Attachments) != 1 || !p.Attachments[0].Inline || p.Attachments[0].Name != "图解" ||
			p.Attachments[0].URL != "https://www.gov.cn/zhengce/202609/W020260911573012345678.jpg" ||
			!strings.Contains(p.BodyHTML, "https://www.gov.cn/zhengce/202609/W020260911573012345678.jpg") {
			t.Errorf("attachments %+v, body %q", p.Attachments, p.BodyHTML)
		}
	})
	t.Run("template B: source span followed by another span", func(t *testing.T) {
		page := `<h1 id="ti">解读</h1><div class="pages-date">2026-08-20 17:30<span class="font">来源：中国政府网</span>` +
			`<span class="font index_switchsize">字号：<span>默认</span><span>大</span></span><span class="font">|</span>` +
			`<span class="font printIco">打印</span></div><div id="UCAP-CONTENT"><p>正文</p></div>`
		p, err := Detail([]byte(page), "", mustURL(t, "https://www.gov.cn/zhengce/202608/content_1.htm"), govcnDetail)
		if err != nil {
			t.Fatal(err)
		}
		if p.Origin != "中国政府网" || p.PublishedAt.Format("2006-01-02 15:04") != "2026-08-20 17:30" || p.Title != "解读" {
			t.Errorf("page = %+v", p)
		}
	})
	t.Run("old template: td#UCAP-CONTENT, table.bd1 with 主题词", func(t *testing.T) {
		p := get("govcn-old")
		want := []string{"国务院办公厅关于加强政府网站信息内容建设的意见", "国办发〔2014〕57号", "000014349/2014-00146",
			"国务院办公厅", `综合政务\电子政务`, "2014-11-17", "2014-12-01 00:00 +0800", "day"}
		got := []string{p.Title, p.DocKey, p.IndexNumber, p.Issuer, p.Subject, p.WrittenAt,
			p.PublishedAt.Format("2006-01-02 15:04 -0700"), string(p.PublishedPrecision)}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if !strings.HasPrefix(p.BodyText, "国务院办公厅关于加强政府网站信息内容建设的意见\n国办发〔2014〕57号\n") ||
			strings.Contains(p.BodyText, "索引号") || len(p.Missing) != 0 || len(p.Unmatched) != 0 {
			t.Errorf("page = %+v", p)
		}
	})
	t.Run("content after a stray </html> survives", func(t *testing.T) {
		p := get("govcn-stray-html")
		if !strings.Contains(p.BodyText, "第一条") || p.Title != "网络出版服务管理规定" || len(p.Missing) != 0 {
			t.Errorf("page = %+v", p)
		}
	})
	t.Run("guizhou labels, ArticleInfo, relative attachments", func(t *testing.T) {
		p := get("guizhou-detail")
		if p.IndexNumber != "11520000009390152D/2025-00123" || p.Issuer != "省人民政府办公厅" ||
			p.WrittenAt != "2025-10-16" || p.DocKey != "黔府办发〔2025〕12号" || p.Origin != "省人民政府办公厅" ||
			p.Validity != "effective" || p.PublishedPrecision != "minute" {
			t.Errorf("page = %+v", p)
		}
		want := []string{
			"https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qfbf/202510/P020251021392817363546.pdf",
			"https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qfbf/202510/P020251021392817363547.docx",
		}
		var got []string
		for _, a := range p.Attachments {
			got = append(got, a.URL)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("attachments (-want +got):\n%s", diff)
		}
	})
	t.Run("gb18030 keeps 4-byte characters", func(t *testing.T) {
		p := get("gbk-meta")
		if p.Charset != "gb18030" || !strings.Contains(p.BodyText, "吉𠮷同志") || strings.ContainsRune(p.BodyText, '\uFFFD') {
			t.Errorf("charset %q, body %q", p.Charset, p.BodyText)
		}
	})
	t.Run("bom and header", func(t *testing.T) {
		if p := get("bom-utf8"); p.Charset != "utf-8" || p.DocKey != "筑府发〔2025〕3号" {
			t.Errorf("bom: charset %q, doc key %q", p.Charset, p.DocKey)
		}
		if p := get("header-meta-disagree"); p.Charset != "utf-8" || p.Title != "贵阳市生态环境局关于公开征求意见的公告" {
			t.Errorf("header: charset %q, title %q", p.Charset, p.Title)
		}
	})
}

func TestDetailMissing(t *testing.T) {
	p, err := Detail([]byte(`<html><body><div class="x">nothing</div></body></html>`), "", mustURL(t, "https://www.gov.cn/a.htm"), config.DetailRule{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"title", "body"}, p.Missing); diff != "" {
		t.Errorf("missing (-want +got):\n%s", diff)
	}
	if p.Validity != "unknown" || p.Attachments == nil || p.DocKey != "" {
		t.Errorf("page = %+v", p)
	}
}

func TestDetailLabelSelectors(t *testing.T) {
	page := `<html><head><title>t_中国政府网</title></head><body>
<table class="bd1"><tr><td>标　　题：</td><td>表格里的标题</td><td>有 效 性:</td><td>已废止</td></tr></table>
<div class="info">发布时间：2025-10-21 10:30 来源：省政府办公厅 信息分类：其他</div>
<ul class="x"><li>名　　称：另一个名字</li><li>文号：黔府发〔2019〕4 号</li></ul>
<div id="Zoom"><p>正文</p></div></body></html>`
	rule := config.DetailRule{
		Title:     []string{"ul.x label:名称"},
		MetaLists: []string{"ul.x"},
		Fields:    map[string]string{"名　称": "title", "有效性": ""},
		Published: []string{"div.info label:发布时间"},
	}
	p, err := Detail([]byte(page), "", mustURL(t, "https://www.guizhou.gov.cn/a/t20251021_1.html"), rule)
	if err != nil {
		t.Fatal(err)
	}
	// 名称 is mapped to title by Fields, so the metadata title wins.
	if p.Title != "另一个名字" || p.DocNumber != "黔府发〔2019〕4 号" || p.DocKey != "黔府发〔2019〕4号" ||
		p.PublishedPrecision != "minute" || p.Validity != "unknown" {
		t.Errorf("page = %+v", p)
	}
	rule = config.DetailRule{Title: []string{"table.bd1 label:标题"}, Published: []string{"div.info label:信息分类", "label:发布时间"}, MetaLists: []string{"div.info"}, MetaTables: []string{"table.bd1"}, Fields: map[string]string{"标题": ""}}
	p, err = Detail([]byte(page), "", mustURL(t, "https://www.guizhou.gov.cn/a/t20251021_1.html"), rule)
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "表格里的标题" || p.Validity != "repealed" || p.ValidityText != "已废止" || p.Origin != "省政府办公厅" ||
		p.PublishedAt.Format("15:04") != "10:30" {
		t.Errorf("page = %+v", p)
	}
}

// TestDetailConcurrent runs every case at once on one Extractor (under
// -race this checks that nothing is shared mutably).
func TestDetailConcurrent(t *testing.T) {
	e := New(nil)
	var wg sync.WaitGroup
	for _, tc := range detailCases {
		body := readCase(t, tc.name, tc.encode)
		page := mustURL(t, tc.url)
		want, err := e.Detail(body, tc.contentType, page, tc.rule)
		if err != nil {
			t.Fatal(err)
		}
		for range 4 {
			wg.Go(func() {
				got, err := e.Detail(body, tc.contentType, page, tc.rule)
				if err != nil {
					t.Error(err)
					return
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s: concurrent result differs:\n%s", tc.name, diff)
				}
			})
		}
	}
	wg.Wait()
}

func TestDocNumber(t *testing.T) {
	tests := []struct {
		name, field, title, issuer string
		body                       []string
		wantNo, wantKey            string
	}{
		{"field", "国办发〔2017〕47号", "标题（国发〔2017〕1号）", "", nil, "国办发〔2017〕47号", "国办发〔2017〕47号"},
		{"title suffix", "", "标题（黔府发〔2019〕4号）", "", nil, "黔府发〔2019〕4号", "黔府发〔2019〕4号"},
		{"field not a number", "无", "标题（黔府发〔2019〕4号）", "", nil, "黔府发〔2019〕4号", "黔府发〔2019〕4号"},
		{"body line", "", "通知", "", []string{"通知", "国办发明电〔2025〕7号"}, "国办发明电〔2025〕7号", "国办发明电〔2025〕7号"},
		{"title key", "无", "关于 某某 的通知", "国务院 办公厅", []string{"正文"}, "无", "title:关于某某的通知|国务院办公厅"},
		{"nothing", "", "", "", nil, "", ""},
	}
	for _, tc := range tests {
		no, key := docNumber(tc.field, tc.title, tc.issuer, tc.body)
		if no != tc.wantNo || key != tc.wantKey {
			t.Errorf("%s: docNumber = %q, %q; want %q, %q", tc.name, no, key, tc.wantNo, tc.wantKey)
		}
	}
}

// TestDetailRemovedNotFound: the page's elements are listed before
// rule.Remove takes some out of the body; a related box inside a removed
// element is not read, as when each search walked the page afresh.
func TestDetailRemovedNotFound(t *testing.T) {
	page := `<html><head><title>t</title></head><body><h1>标题</h1>
<div id="UCAP-CONTENT"><p>正文</p><div class="shuzi"><div class="jiedu-blk"><span>相关解读</span>
<ul><li><a href="/zhengce/202601/content_1.htm">一篇解读</a></li></ul></div></div></div>
<div class="jiedu-blk"><span>相关文件</span><ul><li><a href="/zhengce/202601/content_2.htm">原文</a></li></ul></div>
</body></html>`
	rule := config.DetailRule{
		Body:   []string{"#UCAP-CONTENT"},
		Remove: []string{".shuzi"},
		Related: []config.RelatedRule{
			{Selector: "div.jiedu-blk", Heading: "相关解读", Kind: "interpretation"},
			{Selector: "div.jiedu-blk", Heading: "相关文件", Kind: "original"},
		},
	}
	p, err := Detail([]byte(page), "text/html; charset=utf-8", mustURL(t, "https://www.gov.cn/zhengce/202601/content_9.htm"), rule)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Related) != 1 || p.Related[0].Kind != "original" || !strings.HasSuffix(p.Related[0].URL, "content_2.htm") {
		t.Fatalf("related = %+v, want only the 相关文件 link outside the removed element", p.Related)
	}
	if p.BodyText != "正文" {
		t.Fatalf("body text = %q", p.BodyText)
	}
}
