package extract

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gyeco/syndicator/config"
	"gopkg.in/yaml.v3"
)

// Rules modelled on the presets, frozen here so the golden files test the
// extractor alone; presets_test.go tests the presets themselves against
// govsim's pages.
var (
	govcnZuixinList = config.ListRule{
		Kind:        config.KindJSON,
		URLs:        []string{"/zhengce/zuixin/ZUIXINZHENGCE.json"},
		LinkPattern: `^/(govcn/)?zhengce/.*content_\d+\.html?$`,
		URLField:    "URL",
		TitleField:  "TITLE",
		DateField:   "DOCRELPUBTIME",
	}
	govcnDetail = config.DetailRule{
		Title:         []string{"div.share-title", "h1#ti", "h1", "meta[name=ArticleTitle]@content", "title"},
		TitleSuffixes: []string{"国务院文件", "国务院部门文件", "国务院公报", "政策解读", "最新政策", "滚动新闻", "政府信息公开专栏"},
		Body:          []string{"#UCAP-CONTENT", "div.TRS_UEDITOR", ".trs_editor_view"},
		Remove:        []string{".shuzi", "#myFlash", "script", "style"},
		MetaTables:    []string{"table.bd1", "div.policyLibraryOverview_header table"},
		MetaLists:     []string{"div.pages-date", "span.font-zyygwj"},
		Published:     []string{"meta[name=firstpublishedtime]@content", "div.pages-date"},
		Modified:      []string{"meta[name=lastmodifiedtime]@content"},
	}
	guizhouSzfwjList = config.ListRule{
		Kind: config.KindHTML,
		URLs: []string{
			"/zwgk/zcfg/szfwj/szfl/", "/zwgk/zcfg/szfwj/qff/", "/zwgk/zcfg/szfwj/qfh/",
			"/zwgk/zcfg/szfwj/qfbf/", "/zwgk/zcfg/szfwj/qfbh/",
		},
		Pages:       2,
		LinkPattern: `/\d{6}/t\d{8}_\d+\.html?$`,
		Item:        "ul.NewsList li",
		Link:        "a[href]@href",
		Title:       "a@title",
		Date:        "span",
	}
	guizhouDetail = config.DetailRule{
		Title:         []string{"meta[name=ArticleTitle]@content", "h1", "title"},
		TitleSuffixes: []string{"贵州省人民政府", "省政府令", "黔府发", "黔府函", "黔府办发", "黔府办函", "省政府文件"},
		Body:          []string{"#Zoom", ".trs_editor_view", "div.DocHtmlCon"},
		Remove:        []string{"script", "style"},
		MetaLists:     []string{"div.Xxgk_Info", "div.ArticleInfo"},
		Published:     []string{"meta[name=PubDate]@content", "div.ArticleInfo"},
	}
	// guiyangDetail is the generic platform page (meta tags and detail-cont).
	guiyangDetail = config.DetailRule{
		Title:     []string{"meta[name=ArticleTitle]@content", "h1", "title"},
		Body:      []string{"div.detail-cont", "#Zoom"},
		Published: []string{"meta[name=PubDate]@content"},
	}
)

// validate is ValidateList or ValidateDetail, by the kind of rule.
func validate(rule any) error {
	switch r := rule.(type) {
	case config.ListRule:
		return ValidateList(r)
	case config.DetailRule:
		return ValidateDetail(r)
	}
	panic(fmt.Sprintf("validate: %T is not a rule", rule))
}

func TestPresetRulesValidate(t *testing.T) {
	for name, r := range map[string]any{
		"govcnZuixinList": govcnZuixinList, "govcnDetail": govcnDetail,
		"guizhouSzfwjList": guizhouSzfwjList, "guizhouDetail": guizhouDetail, "guiyangDetail": guiyangDetail,
	} {
		if err := validate(r); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestValidateErrors(t *testing.T) {
	tests := []struct {
		name string
		rule any // config.ListRule or config.DetailRule
		want []string
	}{
		{"unknown kind", config.ListRule{Kind: "rss"}, []string{`kind: "rss"`}},
		{"html without item", config.ListRule{Kind: config.KindHTML}, []string{"item: empty selector"}},
		{"bad selector", config.ListRule{Kind: config.KindHTML, Item: "ul[", Date: "span)"}, []string{"item:", "date:"}},
		{"label in list", config.ListRule{Kind: config.KindHTML, Item: "@href", Title: "label:标题"}, []string{"item:", "title: label:"}},
		{"bad pattern", config.ListRule{Kind: config.KindJSON, LinkPattern: "(", Pages: -1}, []string{"link_pattern:", "pages: -1"}},
		{"detail selectors", config.DetailRule{Body: []string{"#ok", "div["}, Title: []string{"label:"}}, []string{"body[1]:", "title[0]:"}},
		{"unknown field", config.DetailRule{Fields: map[string]string{"文　号": "number", "　": "title"}}, []string{`unknown field "number"`, "empty after normalisation"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := validate(tc.rule)
			if err == nil {
				t.Fatal("Validate() = nil, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestRulesYAML(t *testing.T) {
	const src = `
list:
  kind: html
  urls: [/zwgk/zcfg/szfwj/qff/]
  pages: 2
  link_pattern: '/\d{6}/t\d{8}_\d+\.html?$'
  item: ul.NewsList li
  link: a[href]@href
  title: a@title
  date: span
detail:
  title: ["table.bd1 label:标题", h1, "meta[name=ArticleTitle]@content", title]
  title_suffixes: [国务院文件]
  body: ["#UCAP-CONTENT"]
  remove: [.shuzi]
  meta_tables: [table.bd1]
  meta_lists: [div.Xxgk_Info]
  fields: {信息分类: "", 名　　称: title}
  published: ["meta[name=firstpublishedtime]@content"]
  modified: ["meta[name=lastmodifiedtime]@content"]
  attachments: "a[href]"
`
	var got struct {
		List   config.ListRule   `yaml:"list"`
		Detail config.DetailRule `yaml:"detail"`
	}
	dec := yaml.NewDecoder(strings.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&got); err != nil {
		t.Fatal(err)
	}
	want := config.ListRule{
		Kind: config.KindHTML, URLs: []string{"/zwgk/zcfg/szfwj/qff/"}, Pages: 2,
		LinkPattern: `/\d{6}/t\d{8}_\d+\.html?$`,
		Item:        "ul.NewsList li", Link: "a[href]@href", Title: "a@title", Date: "span",
	}
	if diff := cmp.Diff(want, got.List); diff != "" {
		t.Errorf("list (-want +got):\n%s", diff)
	}
	if err := ValidateDetail(got.Detail); err != nil {
		t.Errorf("detail: %v", err)
	}
	if got.Detail.Fields["名　　称"] != "title" || got.Detail.Attachments != "a[href]" || len(got.Detail.Modified) != 1 {
		t.Errorf("detail decoded as %+v", got.Detail)
	}
}
