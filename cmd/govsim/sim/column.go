package sim

// column is one list of releases on a simulated site. The tables below are
// read-only data.
type column struct {
	site  string
	slug  string // Release.Column
	name  string // lanmu / ColumnName
	list  string // URL path of the list (page 1)
	dir   string // detail pages live under dir + "YYYYMM/"
	kinds []docKind
	// weights pick a kind: kinds[i] is chosen with weight weights[i].
	weights []int
}

// docKind is an issuing organ and the number series it uses.
type docKind struct {
	prefix string // 发文字号 prefix: 国发, 国办发, 黔府发, …
	issuer string // 发文机关 / 发布机构
	head   string // how the issuer opens a title: 国务院关于…, 省人民政府关于…
}

const (
	govcnList   = "/govcn/zhengce/zuixin/ZUIXINZHENGCE.json"
	govcnDir    = "/govcn/zhengce/content/"
	guizhouBase = "/guizhou/zwgk/zcfg/szfwj/"

	// guizhouPageSize is the number of rows on one Guizhou list page.
	guizhouPageSize = 20
)

var (
	colZuixin = column{
		site: GovCN, slug: "zuixin", name: "国务院文件", list: govcnList, dir: govcnDir,
		kinds: []docKind{
			{"国发", "国务院", "国务院"},
			{"国办发", "国务院办公厅", "国务院办公厅"},
			{"国办函", "国务院办公厅", "国务院办公厅"},
		},
		weights: []int{3, 5, 2},
	}
	colQFF = column{
		site: Guizhou, slug: "qff", name: "黔府发", list: guizhouBase + "qff/", dir: guizhouBase + "qff/",
		kinds:   []docKind{{"黔府发", "贵州省人民政府", "省人民政府"}},
		weights: []int{1},
	}
	colQFBF = column{
		site: Guizhou, slug: "qfbf", name: "黔府办发", list: guizhouBase + "qfbf/", dir: guizhouBase + "qfbf/",
		kinds:   []docKind{{"黔府办发", "贵州省人民政府办公厅", "省人民政府办公厅"}},
		weights: []int{1},
	}
)

// guizhouColumns are the Guizhou lists served, in a fixed order.
var guizhouColumns = []column{colQFF, colQFBF}

// historyColumn spreads the historical Guizhou releases: two of three go to
// 黔府发, so with the default 30 items that column fills exactly one page and
// a few more items make it spill onto index_1.html.
func historyColumn(i int) column {
	if i%3 == 2 {
		return colQFBF
	}
	return colQFF
}

// publishColumn is the column of the n-th release published after start
// (n from 1): gov.cn, 黔府发, gov.cn, 黔府办发, …
func publishColumn(n int) column {
	switch n % 4 {
	case 1, 3:
		return colZuixin
	case 2:
		return colQFF
	default:
		return colQFBF
	}
}
