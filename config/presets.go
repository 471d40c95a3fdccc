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
		Title:         []string{"label:标题", "div.share-title", "h1", "title"},
		TitleSuffixes: []string{"中国政府网", "国务院文件", "国务院部门文件", "政策解读"},
		Body:          []string{"div.TRS_UEDITOR", "#UCAP-CONTENT", ".trs_editor_view"},
		Remove:        []string{".shuzi", "#myFlash", "script", "style"},
		MetaTables:    []string{"table.bd1", "div.policyLibraryOverview_header table"},
		Published:     []string{"meta[name=firstpublishedtime]@content"},
	}
	trsDetail := extract.DetailRule{
		Title:         []string{"meta[name=ArticleTitle]@content", "label:标题", "title"},
		Body:          []string{"#Zoom", "div.detail-cont", ".trs_editor_view"},
		Remove:        []string{"script", "style"},
		MetaLists:     []string{"div.Xxgk_Info", "div.ArticleInfo"},
		MetaTables:    []string{"div.info_detail table"},
		Published:     []string{"meta[name=PubDate]@content", "div.ArticleInfo"},
		TitleSuffixes: []string{"贵州省人民政府", "贵阳市人民政府"},
	}
	trsList := func(paths ...string) extract.ListRule {
		return extract.ListRule{
			Kind:        "html",
			URLs:        paths,
			Pages:       2,
			Item:        "ul.NewsList li",
			Link:        "a[href]@href",
			Title:       "a@title",
			Date:        "span",
			LinkPattern: `/t\d{8}_\d+\.html?$`,
		}
	}
	return map[string]Preset{
		"govcn-zuixin": {
			BaseURL: "https://www.gov.cn",
			Level:   "national",
			List: extract.ListRule{
				Kind:        "json",
				URLs:        []string{"/zhengce/zuixin/ZUIXINZHENGCE.json"},
				URLField:    "URL",
				TitleField:  "TITLE",
				DateField:   "DOCRELPUBTIME",
				LinkPattern: `/zhengce/.*content_\d+\.htm$`,
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
