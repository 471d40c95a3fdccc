package sim

// column is one list of releases on a simulated site. The tables below are
// read-only data.
type column struct {
	site  string // Release.Site and first URL path segment
	group string // the Options.Sites name that enables the column
	slug  string // Release.Column
	name  string // lanmu / ColumnName
	list  string // URL path of the list (page 1)
	dir   string // detail pages live under dir + "YYYYMM/"
	tmpl  template
	kinds []docKind
	// weights pick a kind: kinds[i] is chosen with weight weights[i].
	weights []int

	// How generated documents read.
	planPrefix string // put before plan names: "贵州省"; "" on gov.cn
	addressee  string // the addressee line; "" lets the document choose
	approver   string // "经…同意": "国务院", "省人民政府"; "" for departments
	titlePara  bool   // the body opens with the title (gov.cn)
	ecoBias    bool   // three topics of four are ecological

	// Metadata of TRS and county pages.
	category string // 信息分类
	origin   string // 来源 / ContentSource
	indexOrg string // organisation code of the 索引号
	prec     precision
}

// template is the markup of a column's detail pages.
type template int

const (
	tmplGovA   template = iota // gov.cn 国务院文件: table.bd1, #UCAP-CONTENT
	tmplGovLib                 // gov.cn 政策文件库: div.policyLibraryOverview_header
	tmplGovB                   // gov.cn 政策 article: h1#ti, div.pages-date
	tmplTRS                    // Guizhou platform: div.Xxgk_Info, #Zoom
	tmplCounty                 // county site: div.xxgk-meta table, GB18030
)

// precision is how exactly a site dates a release, and so to what a
// publication time is cut.
type precision int

const (
	bySecond precision = iota
	byMinute
)

// docKind is an issuing organ and the number series it uses.
type docKind struct {
	prefix string // 发文字号 prefix: 国发, 国办发, 黔府发, …; decrees: 省政府令
	issuer string // 发文机关 / 发布机构
	head   string // how the issuer opens a title: 国务院关于…, 省人民政府关于…

	origin    string   // 来源 on gov.cn 政策文件库 pages
	addressee string   // overrides the column's addressee line
	topics    []string // topic names the organ writes about; nil: any
	// letter names the body a 函 sets up ("部际联席会议"); such kinds may
	// write "…关于同意建立…制度的函".
	letter string
	reply  []string // places a 批复 may answer; such kinds may write "…的批复"
	local  []string // places a county document may be about
	// decree numbers the series 令第N号 without a year, from decreeBase.
	decree     bool
	decreeBase int
	meeting    string // the meeting that adopts a decree, with a %d for its number
	signer     string // who signs a decree: "省长", "部长"
}

const (
	govcnList   = "/govcn/zhengce/zuixin/ZUIXINZHENGCE.json"
	govcnDir    = "/govcn/zhengce/content/"
	guizhouBase = "/guizhou/zwgk/zcfg/szfwj/"
	// guizhouGWYWJ is the list of 国务院文件 reprinted on Guizhou.
	guizhouGWYWJ = "/guizhou/zwgk/zcfg/gwywj/"

	// guizhouPageSize is the number of rows on one Guizhou list page; the
	// Guiyang and county lists use it too.
	guizhouPageSize = 20

	addresseeGuizhou = "各市、自治州人民政府，各县（市、区、特区）人民政府，省政府各部门、各直属机构："
	categoryGuizhou  = `政策文件\省政府文件`
	originGuizhou    = "贵州省人民政府办公厅"
	indexOrgGuizhou  = "11520000009390159W"
)

var (
	colZuixin = column{
		site: GovCN, group: GovCN, slug: "zuixin", name: "国务院文件", list: govcnList, dir: govcnDir, tmpl: tmplGovA,
		kinds: []docKind{
			{prefix: "国发", issuer: "国务院", head: "国务院"},
			{prefix: "国办发", issuer: "国务院办公厅", head: "国务院办公厅"},
			{prefix: "国办函", issuer: "国务院办公厅", head: "国务院办公厅", letter: "部际联席会议"},
		},
		weights:  []int{3, 5, 2},
		approver: "国务院", titlePara: true, indexOrg: "000014349",
	}
	colQFF = column{
		site: Guizhou, group: Guizhou, slug: "qff", name: "黔府发", list: guizhouBase + "qff/", dir: guizhouBase + "qff/", tmpl: tmplTRS,
		kinds:      []docKind{{prefix: "黔府发", issuer: "贵州省人民政府", head: "省人民政府"}},
		weights:    []int{1},
		planPrefix: "贵州省", addressee: addresseeGuizhou, approver: "省人民政府",
		category: categoryGuizhou, origin: originGuizhou, indexOrg: indexOrgGuizhou, prec: byMinute,
	}
	colQFBF = column{
		site: Guizhou, group: Guizhou, slug: "qfbf", name: "黔府办发", list: guizhouBase + "qfbf/", dir: guizhouBase + "qfbf/", tmpl: tmplTRS,
		kinds:      []docKind{{prefix: "黔府办发", issuer: "贵州省人民政府办公厅", head: "省人民政府办公厅"}},
		weights:    []int{1},
		planPrefix: "贵州省", addressee: addresseeGuizhou, approver: "省人民政府",
		category: categoryGuizhou, origin: originGuizhou, indexOrg: indexOrgGuizhou, prec: byMinute,
	}
)

// guizhouColumns are the Guizhou lists served by default, in a fixed order.
var guizhouColumns = []column{colQFF, colQFBF}

// colGZGWYWJ is the Guizhou column of 国务院文件 reprinted from gov.cn
// (政策法规 > 国务院文件). It is served with guizhou but only Reprint fills
// it, so it starts empty and Publish never writes to it.
var colGZGWYWJ = column{
	site: Guizhou, group: Guizhou, slug: "gwywjzz", name: "国务院文件", list: guizhouGWYWJ, dir: guizhouGWYWJ, tmpl: tmplTRS,
	category: `政策文件\国务院文件`, origin: "中国政府网", indexOrg: indexOrgGuizhou, prec: byMinute,
}

// historyColumn spreads the historical Guizhou releases: two of three go to
// 黔府发, so with the default 30 items that column fills exactly one page and
// a few more items make it spill onto index_1.html.
func historyColumn(i int) column {
	if i%3 == 2 {
		return colQFBF
	}
	return colQFF
}
