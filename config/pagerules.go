package config

// The rules a source's list and detail pages are read with. They are
// configuration: plain data in the YAML vocabulary presets and operators
// share. crawler/extract reads pages with them and is what knows whether
// their selectors compile, so it checks them for Load (RuleValidator) and
// this package imports no crawler.

// RuleValidator checks a source's resolved list and detail rules beyond
// their YAML types: kinds, selectors, link patterns, field names. It is the
// crawler's knowledge, passed in with WithRuleValidator; each error is
// reported as one problem under the source's list or detail key.
type RuleValidator interface {
	ValidateList(ListRule) error
	ValidateDetail(DetailRule) error
}

// List kinds.
const (
	KindJSON = "json" // a JSON document holding an array of rows (gov.cn lists, search APIs)
	KindHTML = "html" // an HTML page whose rows are found by selectors (TRS columns)
	KindFeed = "feed" // an RSS 2.0, RSS 1.0 or Atom 1.0 feed; no selectors or fields
)

// ListRule says how to read one list page. Empty fields take the defaults
// named in their comments.
type ListRule struct {
	Kind  string   `yaml:"kind"`  // "json" | "html" | "feed"
	URLs  []string `yaml:"urls"`  // first-page URLs, relative to the source base_url (used by the crawler)
	Pages int      `yaml:"pages"` // pages an incremental crawl reads, newest first (extract.PageURL); json and feed lists page only with page_param
	// PageParam names the query parameter that numbers the pages
	// ("page", "p", "pageNo"): page 2 is the first URL with it set to one
	// more than the first URL's value (or to 2 when the first URL has
	// none). Empty: html lists page as TRS does (index_N.html).
	PageParam   string `yaml:"page_param"`
	LinkPattern string `yaml:"link_pattern"` // regexp the resolved detail URL path must match; "" = any. Non-matching rows are dropped.

	// json
	ItemsPath  string `yaml:"items_path"`  // dotted path to the array of rows ("data.list"; a number indexes an array); "" = top-level array
	URLField   string `yaml:"url_field"`   // dotted path inside a row; default "URL"
	TitleField string `yaml:"title_field"` // default "TITLE"
	DateField  string `yaml:"date_field"`  // default "DOCRELPUBTIME"; a string in any extract.ParseTime layout or epoch seconds/milliseconds

	// html; selectors use the crawler/extract micro-syntax ("sel@attr")
	Item  string `yaml:"item"`  // rows, e.g. "ul.NewsList li"; required
	Link  string `yaml:"link"`  // default "a[href]@href"
	Title string `yaml:"title"` // default "a@title"; falls back to the text of the link element when empty
	Date  string `yaml:"date"`  // default "span"; its text is parsed with extract.ParseTime, else searched with extract.FindTime

	// feed: nothing to configure. Each item gives its link (RSS <link>, Atom
	// link rel=alternate, else a permalink guid or http(s) id), its title
	// and the first of pubDate, published, updated, dc:date that
	// extract.ParseFeedTime reads.
}

// DetailRule says how to read a detail page. Lists are fallbacks, tried in
// order. The zero value reads a generic article page.
type DetailRule struct {
	// Title selectors. The metadata 标题 (from MetaTables/MetaLists) always
	// comes first, then these, then <title>. A selector that matches the
	// <title> element has its site suffixes removed (extract.TrimTitleSuffix).
	// Default ["h1", "meta[name=ArticleTitle]@content", "title"].
	Title []string `yaml:"title"`
	// TitleSuffixes are "_"-separated trailing segments of <title> to drop
	// (a segment is dropped when it ends with an entry), e.g. ["国务院文件"].
	// Empty segments and segments ending in 中国政府网 are always dropped.
	TitleSuffixes []string `yaml:"title_suffixes"`
	// Body selectors: the first one that matches wins, and only its FIRST
	// element is used (gov.cn pages can carry two #UCAP-CONTENT).
	// Default ["#UCAP-CONTENT", "#Zoom", ".trs_editor_view", ".TRS_Editor", "div.detail-cont"].
	Body []string `yaml:"body"`
	// Remove lists selectors removed from the body before use, e.g.
	// [".shuzi", "#myFlash"]. Scripts and styles never reach the text or
	// the sanitized HTML anyway.
	Remove []string `yaml:"remove"`
	// MetaTables are containers whose td/th cells pair a LABEL cell with the
	// next cell as its VALUE (a cell reading "LABEL：VALUE" works too).
	MetaTables []string `yaml:"meta_tables"`
	// MetaLists are containers whose li/p/span/div lines read "LABEL：VALUE";
	// several pairs on one line are split at known labels.
	//
	// Both are optional: when none is given, or those given yield no field
	// (a redesign), the metadata block is found by its labels — the deepest
	// element holding the most distinct known labels, at least two — and
	// read as a table, as label/value siblings (dt/dd, th/td, span/span)
	// and as "LABEL：VALUE" lines (extract/metablock.go).
	MetaLists []string `yaml:"meta_lists"`
	// Fields maps a label (normalised with extract.NormLabel) to a page
	// field and is merged over the built-in map:
	//
	//	索引号 index_number      主题分类 subject (a leading "主题分类\" is stripped)
	//	发文机关 issuer          发布机构 issuer (only when 发文机关 is absent)
	//	成文日期 written_at      生成日期 written_at (only when 成文日期 is absent)
	//	标题 title               发文字号 doc_number; 文号 doc_number (fallback)
	//	发布日期 published_at    发布时间 published_at (fallback)
	//	公文种类 doc_type        来源 origin
	//	有效性 validity          时效性 validity (fallback)
	//
	// and as fallbacks, the synonyms of the 政府信息公开 catalogue and common
	// CMS templates: 发文单位, 发布单位, 制发机关 issuer; 印发日期, 成文时间
	// written_at; 名称, 文件名称 title; 公开日期, 发文日期 published_at.
	// 信息分类 (a TRS column's catalogue path) and 主题词 map to nothing.
	//
	// Map a label to "" to ignore it. Fields named here take precedence
	// over any built-in label.
	Fields map[string]string `yaml:"fields"`
	// Published selectors: the first that yields a date wins; an attribute
	// or text is parsed with extract.ParseTime, else searched with
	// extract.FindTime.
	// Default ["meta[name=firstpublishedtime]@content", "meta[name=PubDate]@content"].
	Published []string `yaml:"published"`
	// Modified selectors, read like Published, for change detection.
	// Default ["meta[name=lastmodifiedtime]@content"].
	Modified []string `yaml:"modified"`
	// Attachments selects links inside the body; default "a[href]" (with
	// "sel@attr" to read another attribute). A link is kept when its path
	// ends in an attachment extension (pdf, doc(x), xls(x), ppt(x), wps, et,
	// ofd, zip, rar, 7z).
	Attachments string `yaml:"attachments"`
	// Related finds links to related documents (解读, the interpreted
	// document), tried all in turn; when they find nothing, sections
	// headed 相关解读 (interpretation), 相关文件 or 相关政策 (original) are
	// read instead. See RelatedRule.
	Related []RelatedRule `yaml:"related"`
}

// RelatedRule finds links from a detail page to other documents (its 解读,
// the document a 解读 interprets), e.g.
//
//	related:
//	  - {selector: "div.jiedu-blk", heading: 相关文件, kind: original}
//	  - {selector: "div.xgjd a", kind: interpretation}
//
// Only links to detail pages are kept: http(s) URLs whose path ends in
// .htm, .html or .shtml and that are not an index page (index.htm,
// index_1.html, default.htm, …), so a box linking to columns such as
// /zhengce/jiedu/ gives nothing. Links to the page itself and repeated
// links are dropped.
type RelatedRule struct {
	// Selector picks links (a[href], or "sel@attr" to read the URL from
	// another attribute) or containers whose a[href] links are taken.
	// "" = the whole page; Heading is then required.
	Selector string `yaml:"selector"`
	// Heading keeps only the links of sections headed by this text inside
	// the selected elements: the links that follow the heading (a text of
	// its own, compared without white space and punctuation, so "【相关
	// 解读】：" reads as 相关解读) up to the next heading.
	Heading string `yaml:"heading"`
	// Kind of the links: interpretation | original | repeals | repealed_by.
	Kind string `yaml:"kind"`
}
