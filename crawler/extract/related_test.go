package extract

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/syndicator"
	"gopkg.in/yaml.v3"
)

// govcnRelatedDetail is govcnDetail with the related links of the gov.cn
// presets: the div.jiedu-blk box, headed 相关解读 on 国务院文件 pages and
// 相关文件 on 解读 pages.
var govcnRelatedDetail = func() config.DetailRule {
	r := govcnDetail
	r.Related = []config.RelatedRule{
		{Selector: "div.jiedu-blk", Heading: "相关解读", Kind: syndicator.RelInterpretation},
		{Selector: "div.jiedu-blk", Heading: "相关文件", Kind: syndicator.RelOriginal},
	}
	return r
}()

// relatedCases: testdata/<name>.html read at url must give
// testdata/<name>.golden.json. The govsim-* pages are rendered by
// cmd/govsim (seed 3) and saved unchanged.
var relatedCases = []struct {
	name, url string
	rule      config.DetailRule
}{
	// Template B 解读: div.jiedu-blk headed 相关文件, a link relative to a
	// mirror prefix.
	{"govsim-jiedu", "http://127.0.0.1:8090/govcn/zhengce/202611/content_7020352.htm", govcnRelatedDetail},
	// Template A: only div.related 相关稿件, linking to columns.
	{"govsim-template-a", "http://127.0.0.1:8090/govcn/zhengce/content/202611/content_7021155.htm", govcnRelatedDetail},
	// Template A with a 相关解读 box: a 更多 link, a self link, a repeat,
	// an image link with a title, then a 相关文件 section.
	{"govcn-template-a-jiedu", "https://www.gov.cn/zhengce/content/202609/content_7080735.htm", govcnRelatedDetail},
}

func TestRelatedGolden(t *testing.T) {
	for _, tc := range relatedCases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Detail(readCase(t, tc.name, nil), "text/html", mustURL(t, tc.url), tc.rule)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tc.name, p)
		})
	}
}

// TestRelatedFacts states what the goldens must show.
func TestRelatedFacts(t *testing.T) {
	get := func(name string, rule config.DetailRule) []syndicator.Related {
		t.Helper()
		for _, tc := range relatedCases {
			if tc.name == name {
				p, err := Detail(readCase(t, tc.name, nil), "text/html", mustURL(t, tc.url), rule)
				if err != nil {
					t.Fatal(err)
				}
				if len(p.Missing) != 0 {
					t.Errorf("%s: missing %v", name, p.Missing)
				}
				return p.Related
			}
		}
		t.Fatalf("no case %s", name)
		return nil
	}
	rel := func(kind, u, title, number string) syndicator.Related {
		return syndicator.Related{Kind: kind, ID: syndicator.ItemID(u), URL: u, Title: title, DocNumber: number}
	}
	jiedu := []syndicator.Related{rel(syndicator.RelOriginal,
		"http://127.0.0.1:8090/govcn/zhengce/zhengceku/202611/content_7020340.htm", "关于健全大气污染防治的通知", "")}
	templateA := []syndicator.Related{
		rel(syndicator.RelInterpretation, "https://www.gov.cn/zhengce/202609/content_7080400.htm", "权威解读｜让政府网站成为政策发布的第一平台", ""),
		rel(syndicator.RelInterpretation, "https://www.gov.cn/zhengce/202609/content_7080401.htm", "图解：国务院办公厅关于进一步加强政府网站信息内容建设的意见", ""),
		rel(syndicator.RelOriginal, "https://www.gov.cn/zhengce/content/2014-12/01/content_9283.htm",
			"国务院办公厅关于加强政府网站信息内容建设的意见（国办发〔2014〕57号）", "国办发〔2014〕57号"),
	}
	for _, tc := range []struct {
		name string
		rule config.DetailRule
		want []syndicator.Related
	}{
		{"govsim-jiedu", govcnRelatedDetail, jiedu},
		{"govsim-template-a", govcnRelatedDetail, nil},
		{"govcn-template-a-jiedu", govcnRelatedDetail, templateA},
		// Without related selectors the heading fallback finds the same.
		{"govsim-jiedu", govcnDetail, jiedu},
		{"govsim-template-a", govcnDetail, nil},
		{"govcn-template-a-jiedu", govcnDetail, templateA},
		// A rule that says every jiedu-blk link is an original.
		{"govsim-jiedu", withRelated(govcnDetail, config.RelatedRule{Selector: "div.jiedu-blk a", Kind: "original"}), jiedu},
	} {
		if diff := cmp.Diff(tc.want, get(tc.name, tc.rule)); diff != "" {
			t.Errorf("%s, %d related rules (-want +got):\n%s", tc.name, len(tc.rule.Related), diff)
		}
	}
}

func withRelated(r config.DetailRule, rel ...config.RelatedRule) config.DetailRule {
	r.Related = rel
	return r
}

func TestRelatedRules(t *testing.T) {
	const pageURL = "https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qff/202510/t20251021_1.html"
	tests := []struct {
		name string
		page string
		rule []config.RelatedRule
		want []string // kind + " " + URL
	}{
		{"inline heading in the body, fallback",
			`<div id="Zoom"><p>正文</p><p>相关解读：<a href="./t20251022_2.html">解读</a>　<a href="./P0.pdf">附件</a></p></div>`,
			nil, []string{"interpretation https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qff/202510/t20251022_2.html"}},
		{"two inline sections end at each other",
			`<p>相关解读：<a href="a.html">a</a> 相关文件：<a href="b.shtml">b</a></p>`,
			nil, []string{"interpretation https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qff/202510/a.html",
				"original https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qff/202510/b.shtml"}},
		{"section ends at the next h3",
			`<h3>相关政策</h3><ul><li><a href="/a/t1_1.htm">a</a></li></ul><h3>相关新闻</h3><ul><li><a href="/b/t2_2.htm">b</a></li></ul>`,
			nil, []string{"original https://www.guizhou.gov.cn/a/t1_1.htm"}},
		{"heading text inside a link is no heading",
			`<ul class="nav"><li><a href="/zhengce/jiedu/">相关解读</a></li><li><a href="/x/t1_1.html">x</a></li></ul>`,
			nil, nil},
		{"index pages, columns, scripts, mail and self are dropped",
			`<div class="xg">相关文件<a href="index_1.html">1</a><a href="/zwgk/">2</a><a href="javascript:void(0)">3</a>` +
				`<a href="mailto:a@b.cn">4</a><a href="t20251021_1.html#x">self</a><a href="DEFAULT.HTM">5</a></div>`,
			nil, nil},
		{"selector without heading takes every link of the match",
			`<div class="box"><a href="/a/t1_1.html">a</a><a href="/b/t2_2.html">b</a></div><p>相关解读：<a href="/c/t3_3.html">c</a></p>`,
			[]config.RelatedRule{{Selector: "div.box", Kind: "original"}},
			[]string{"original https://www.guizhou.gov.cn/a/t1_1.html", "original https://www.guizhou.gov.cn/b/t2_2.html"}},
		{"a selector finding nothing falls back to the headings",
			`<p>相关解读：<a href="/c/t3_3.html">c</a></p>`,
			[]config.RelatedRule{{Selector: "div.box", Kind: "original"}},
			[]string{"interpretation https://www.guizhou.gov.cn/c/t3_3.html"}},
		{"an attribute selector reads another attribute",
			`<ul class="jd"><li data-url="/a/t1_1.html">a</li><li>b</li></ul>`,
			[]config.RelatedRule{{Selector: "ul.jd li@data-url", Kind: "interpretation"}},
			[]string{"interpretation https://www.guizhou.gov.cn/a/t1_1.html"}},
		{"an operator's heading over the whole page",
			`<div><span>政策解读</span></div><div class="l"><a href="/a/t1_1.html">a</a></div>`,
			[]config.RelatedRule{{Heading: "政策解读", Kind: "interpretation"}},
			[]string{"interpretation https://www.guizhou.gov.cn/a/t1_1.html"}},
		{"a heading followed by links only after climbing out of two wrappers",
			`<div class="t"><p><b>相关解读</b></p></div><ul><li><a href="/a/t1_1.html">a</a></li></ul>`,
			nil, []string{"interpretation https://www.guizhou.gov.cn/a/t1_1.html"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Detail([]byte("<html><body>"+tt.page+"</body></html>"), "", mustURL(t, pageURL), config.DetailRule{Related: tt.rule})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range p.Related {
				got = append(got, r.Kind+" "+r.URL)
				if r.ID != syndicator.ItemID(r.URL) {
					t.Errorf("%s: id %s", r.URL, r.ID)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestRelatedValidate(t *testing.T) {
	tests := []struct {
		rel  config.RelatedRule
		want string // "" = valid
	}{
		{config.RelatedRule{Selector: "div.jiedu-blk", Heading: "相关文件", Kind: "original"}, ""},
		{config.RelatedRule{Heading: "【相关解读】", Kind: "interpretation"}, ""},
		{config.RelatedRule{Selector: "a@data-url", Kind: "repeals"}, ""},
		{config.RelatedRule{Selector: "div.x", Kind: "see_also"}, `related[0]: kind: "see_also"`},
		{config.RelatedRule{Kind: "original"}, "related[0]: selector and heading are both empty"},
		{config.RelatedRule{Selector: "div[", Kind: "original"}, "related[0]: selector:"},
		{config.RelatedRule{Selector: "div label:标题", Kind: "original"}, "related[0]: selector: label:"},
		{config.RelatedRule{Selector: "@href", Kind: "original"}, "selects no elements"},
		{config.RelatedRule{Heading: "：【】", Kind: "original"}, "related[0]: heading:"},
	}
	for _, tt := range tests {
		err := ValidateDetail(config.DetailRule{Related: []config.RelatedRule{tt.rel}})
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%+v: %v", tt.rel, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%+v: error %v, want %q", tt.rel, err, tt.want)
		}
	}
}

// TestRelatedYAML: operators write related rules in the preset vocabulary.
func TestRelatedYAML(t *testing.T) {
	var r config.DetailRule
	src := "related:\n  - {selector: \"div.jiedu-blk a\", kind: original}\n  - {heading: 相关解读, kind: interpretation}\n"
	if err := yaml.Unmarshal([]byte(src), &r); err != nil {
		t.Fatal(err)
	}
	want := []config.RelatedRule{{Selector: "div.jiedu-blk a", Kind: "original"}, {Heading: "相关解读", Kind: "interpretation"}}
	if diff := cmp.Diff(want, r.Related); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if err := ValidateDetail(r); err != nil {
		t.Error(err)
	}
}

func TestIsDetailURL(t *testing.T) {
	for u, want := range map[string]bool{
		"https://www.gov.cn/zhengce/202609/content_7080400.htm":          true,
		"https://www.guizhou.gov.cn/zwgk/202510/t20251021_88713156.html": true,
		"https://www.example.cn/a/b.SHTML":                               true,
		"https://www.gov.cn/zhengce/jiedu/":                              false,
		"https://www.gov.cn/zhengce/jiedu/index.htm":                     false,
		"https://www.guizhou.gov.cn/zwgk/index_3.html":                   false,
		"https://www.gov.cn/zhengce/P020170608562108546193.pdf":          false,
		"https://www.gov.cn/zhengce/ZCJD_QZ.json":                        false,
		"https://www.gov.cn":                                             false,
	} {
		if got := isDetailURL(u); got != want {
			t.Errorf("isDetailURL(%s) = %v, want %v", u, got, want)
		}
	}
}
