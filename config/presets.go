package config

import (
	"sort"

	"github.com/gyeco/syndicator/crawler/extract"
)

// Preset is built-in source rules: plain data in the same vocabulary an
// operator writes under list: and detail:.
type Preset struct {
	BaseURL string
	Level   string
	List    extract.ListRule
	Detail  extract.DetailRule
}

// Presets returns the built-in presets by name. It builds a fresh map on
// every call so no caller can change another's rules.
func Presets() map[string]Preset {
	govcnDetail := extract.DetailRule{
		Title:         []string{"div.share-title", "h1", "meta[name=ArticleTitle]@content", "title"},
		TitleSuffixes: []string{"国务院文件", "国务院部门文件", "国务院公报", "政策解读", "最新政策", "滚动新闻"},
		Body:          []string{"#UCAP-CONTENT", "div.TRS_UEDITOR", ".trs_editor_view"},
		Remove:        []string{".shuzi", "#myFlash", "script", "style"},
		MetaTables:    []string{"table.bd1", "div.policyLibraryOverview_header table"},
		MetaLists:     []string{"div.pages-date", "span.font-zyygwj"},
		Published:     []string{"meta[name=firstpublishedtime]@content", "div.pages-date"},
		Modified:      []string{"meta[name=lastmodifiedtime]@content"},
	}
	trsDetail := extract.DetailRule{
		Title:         []string{"meta[name=ArticleTitle]@content", "h1", "title"},
		TitleSuffixes: []string{"贵州省人民政府", "贵阳市人民政府", "省政府令", "黔府发", "黔府函", "黔府办发", "黔府办函", "省政府文件"},
		Body:          []string{"#Zoom", "div.detail-cont", ".trs_editor_view", "div.DocHtmlCon"},
		Remove:        []string{"script", "style"},
		MetaLists:     []string{"div.Xxgk_Info", "div.ArticleInfo"},
		Published:     []string{"meta[name=PubDate]@content", "div.ArticleInfo"},
	}
	trsList := func(paths ...string) extract.ListRule {
		return extract.ListRule{
			Kind:        extract.KindHTML,
			URLs:        paths,
			Pages:       2,
			LinkPattern: `/\d{6}/t\d{8}_\d+\.html?$`,
			Item:        "ul.NewsList li",
			Link:        "a[href]@href",
			Title:       "a@title",
			Date:        "span",
		}
	}
	return map[string]Preset{
		"govcn-zuixin": {
			BaseURL: "https://www.gov.cn",
			Level:   "national",
			List: extract.ListRule{
				Kind:        extract.KindJSON,
				URLs:        []string{"/zhengce/zuixin/ZUIXINZHENGCE.json"},
				LinkPattern: `/zhengce/(.*/)?content_\d+\.html?$`,
				URLField:    "URL",
				TitleField:  "TITLE",
				DateField:   "DOCRELPUBTIME",
			},
			Detail: govcnDetail,
		},
		"guizhou-szfwj": {
			BaseURL: "https://www.guizhou.gov.cn",
			Level:   "provincial",
			List: trsList("/zwgk/zcfg/szfwj/szfl/", "/zwgk/zcfg/szfwj/qff/", "/zwgk/zcfg/szfwj/qfh/",
				"/zwgk/zcfg/szfwj/qfbf/", "/zwgk/zcfg/szfwj/qfbh/"),
			Detail: trsDetail,
		},
		"guiyang-gfxwj": {
			BaseURL: "https://www.guiyang.gov.cn",
			Level:   "municipal",
			List:    trsList("/zwgk/zfxxgks/fdzdgknr/lzyj/gfxwj/szfgfxwj/"),
			Detail:  trsDetail,
		},
	}
}

// PresetNames lists the built-in presets, sorted.
func PresetNames() []string {
	var names []string
	for n := range Presets() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
