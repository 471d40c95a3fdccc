package config

import (
	"sort"

	"github.com/gyeco/syndicator/syndicator"
)

// Preset is built-in source rules: plain data in the same vocabulary an
// operator writes under list: and detail:.
type Preset struct {
	BaseURL string
	Level   string
	List    ListRule
	Detail  DetailRule
}

// govcnLinkPattern keeps gov.cn policy pages (/zhengce/…/content_N.htm:
// Template A, 政策文件库, Template B, old dated paths) and drops special
// topics (/zhuanti/), news (/yaowen/, /xinwen/) and off-site rows. It is
// unanchored at the start so that it also holds under a mirror's path
// prefix (base_url http://127.0.0.1:8090/govcn).
const govcnLinkPattern = `/zhengce/(.*/)?content_\d+\.html?$`

// trsLinkPattern keeps TRS platform detail pages: …/YYYYMM/tYYYYMMDD_ID.html.
const trsLinkPattern = `/\d{6}/t\d{8}_\d+\.html?$`

// Presets returns the built-in presets by name. It builds a fresh map on
// every call so no caller can change another's rules.
//
//	govcn-zuixin   national    https://www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json          最新政策
//	govcn-gwywj    national    https://www.gov.cn/zhengce/zhengceku/gwywj/TONGYONGGAILAN.json 国务院文件 (Template A)
//	govcn-bmwj     national    https://www.gov.cn/zhengce/zhengceku/bmwj/TONGYONGGAILAN.json  部门文件 (政策文件库)
//	govcn-jiedu    national    https://www.gov.cn/zhengce/jiedu/ZCJD_QZ.json                 政策解读 (Template B)
//	guizhou-szfwj  provincial  https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/{szfl,qff,qfh,qfbf,qfbh}/
//	guiyang-gfxwj  municipal   https://www.guiyang.gov.cn/zwgk/zfxxgks/fdzdgknr/lzyj/gfxwj/szfgfxwj/
func Presets() map[string]Preset {
	// One detail rule reads every gov.cn template (sources.md §3.4–3.7):
	// Template A (table.bd1), 政策文件库 (policyLibraryOverview_header),
	// Template B (h1#ti, div.pages-date: minute and 来源), the old template
	// (td#UCAP-CONTENT), the first of two #UCAP-CONTENT, content after a
	// stray </html>. Related links come from the div.jiedu-blk box: headed
	// 相关解读 on 国务院文件 pages (the document's interpretations), 相关文件
	// on 解读 pages (the document interpreted).
	govcnDetail := DetailRule{
		Title: []string{"div.share-title", "h1#ti", "h1", "meta[name=ArticleTitle]@content", "title"},
		TitleSuffixes: []string{"国务院文件", "国务院部门文件", "国务院公报", "政策解读", "最新政策", "滚动新闻",
			"政府信息公开专栏"},
		Body:       []string{"#UCAP-CONTENT", "div.TRS_UEDITOR", ".trs_editor_view"},
		Remove:     []string{".shuzi", "#myFlash", "script", "style"},
		MetaTables: []string{"table.bd1", "div.policyLibraryOverview_header table"},
		MetaLists:  []string{"div.pages-date", "span.font-zyygwj"},
		Published:  []string{"meta[name=firstpublishedtime]@content", "div.pages-date"},
		Modified:   []string{"meta[name=lastmodifiedtime]@content"},
		Related: []RelatedRule{
			{Selector: "div.jiedu-blk", Heading: "相关解读", Kind: syndicator.RelInterpretation},
			{Selector: "div.jiedu-blk", Heading: "相关文件", Kind: syndicator.RelOriginal},
		},
	}
	govcnJSON := func(path string) ListRule {
		return ListRule{
			Kind:        KindJSON,
			URLs:        []string{path},
			LinkPattern: govcnLinkPattern,
			URLField:    "URL",
			TitleField:  "TITLE",
			DateField:   "DOCRELPUBTIME",
		}
	}
	govcn := func(path string) Preset {
		return Preset{BaseURL: "https://www.gov.cn", Level: "national", List: govcnJSON(path), Detail: govcnDetail}
	}
	trsDetail := DetailRule{
		Title:         []string{"meta[name=ArticleTitle]@content", "h1", "title"},
		TitleSuffixes: []string{"贵州省人民政府", "贵阳市人民政府", "省政府令", "黔府发", "黔府函", "黔府办发", "黔府办函", "省政府文件"},
		Body:          []string{"#Zoom", "div.detail-cont", ".trs_editor_view", "div.DocHtmlCon"},
		Remove:        []string{"script", "style"},
		MetaLists:     []string{"div.Xxgk_Info", "div.ArticleInfo"},
		Published:     []string{"meta[name=PubDate]@content", "div.ArticleInfo"},
	}
	trsList := func(item string, paths ...string) ListRule {
		return ListRule{
			Kind:        KindHTML,
			URLs:        paths,
			Pages:       2,
			LinkPattern: trsLinkPattern,
			Item:        item,
			Link:        "a[href]@href",
			Title:       "a@title",
			Date:        "span",
		}
	}
	return map[string]Preset{
		"govcn-zuixin": govcn("/zhengce/zuixin/ZUIXINZHENGCE.json"),
		"govcn-gwywj":  govcn("/zhengce/zhengceku/gwywj/TONGYONGGAILAN.json"),
		"govcn-bmwj":   govcn("/zhengce/zhengceku/bmwj/TONGYONGGAILAN.json"),
		"govcn-jiedu":  govcn("/zhengce/jiedu/ZCJD_QZ.json"),
		"guizhou-szfwj": {
			BaseURL: "https://www.guizhou.gov.cn",
			Level:   "provincial",
			List: trsList("ul.NewsList li",
				"/zwgk/zcfg/szfwj/szfl/", "/zwgk/zcfg/szfwj/qff/", "/zwgk/zcfg/szfwj/qfh/",
				"/zwgk/zcfg/szfwj/qfbf/", "/zwgk/zcfg/szfwj/qfbh/"),
			Detail: trsDetail,
		},
		// The portal's markup is unconfirmed (sources.md §5): rows are read
		// from the platform's NewsList and from the department-site
		// right-cont list alike.
		"guiyang-gfxwj": {
			BaseURL: "https://www.guiyang.gov.cn",
			Level:   "municipal",
			List:    trsList("ul.NewsList li, div.right-cont ul li", "/zwgk/zfxxgks/fdzdgknr/lzyj/gfxwj/szfgfxwj/"),
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
