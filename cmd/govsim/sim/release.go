package sim

import (
	"slices"
	"strings"
	"time"
)

// Release is the ground truth of one published document: what a perfect
// crawler would extract from its list row and detail page. Tests compare an
// extracted item against it field by field. Every string is decoded text,
// also where the page is served in GB18030 (Charset).
type Release struct {
	Site string // GovCN, Guizhou, Guiyang or County
	// Column is the list's slug: "zuixin" (gov.cn 最新政策), "gwywj" (国务院
	// 文件), "bmwj" (部门文件), "jiedu" (政策解读); Guizhou "qff", "qfbf",
	// "szfl", "qfh", "qfbh", "gwywjzz" (国务院文件 reprinted by Reprint);
	// Guiyang "szfgfxwj"; county "zcwj".
	Column string
	// ColumnName is the lanmu / ColumnName meta: "国务院文件", "国务院部门文件",
	// "政策解读", "黔府发", "省政府令", "市政府文件", "政策文件", …
	ColumnName string
	List       string // URL path of the list it appears in (page 1 of paged lists)
	// AlsoListed holds the URL paths of other lists that link to the detail
	// page: the gov.cn 国务院文件 list for 最新政策 releases (govcn-all), the
	// Guizhou 失效废止文件 list for repealed and expired releases (guizhou-all).
	AlsoListed []string
	Path       string // URL path of the detail page
	ID         string // numeric id in the URL: content_<ID>.htm or t<YYYYMMDD>_<ID>.html

	// Title is exactly as the source shows it: the 标题 cell or h1#ti on
	// gov.cn; the ArticleTitle meta and list title attribute on Guizhou and
	// Guiyang, where it ends with the document number in full-width
	// parentheses (reprints keep the original's title byte for byte); the
	// div.article-title on the county site.
	Title       string
	DocNumber   string // 发文字号 / 文号, e.g. 国办发〔2026〕7号, 省政府令第210号; "" on 政策解读
	IndexNumber string // 索引号; "" on gov.cn 政策文件库 and 政策解读 pages
	Issuer      string // 发文机关 (gov.cn) / 发布机构 (Guizhou, Guiyang, county); "" on 政策解读
	Subject     string // gov.cn 主题分类 (levels joined by `\`); "" elsewhere and on 政策解读
	Category    string // Guizhou and Guiyang 信息分类; "" elsewhere
	// Origin is the 来源: gov.cn 政策文件库 来源 cell and 政策解读 source line,
	// the Guizhou and Guiyang 来源 and ContentSource meta, the county source
	// line; "" on gov.cn 国务院文件.
	Origin   string
	DocType  string // gov.cn 政策文件库 公文种类 (通知, 意见, 令, …); "" elsewhere
	Keywords string // keywords meta, ';'-separated
	// Validity is the 有效性 as printed (有效, 已修改, 已废止, 已失效) on
	// Guizhou, Guiyang and county pages; "" on gov.cn, also after Repeal.
	Validity string
	// RepealedBy is the URL path of the decision (Repeal) that repealed the
	// release or declared it expired, on whatever site; "" otherwise and
	// for the validities of the simulated history.
	RepealedBy string
	// Repeals is, on a decision made by Repeal, what it repeals and
	// declares expired, in the order its body lists them.
	Repeals []Target
	// Removed is the status (404 or 410) its detail page answers since
	// Remove; 0 while it is served. A removed release stays in its lists.
	Removed int

	// Interprets is, on a gov.cn 政策解读, the URL path of the document it
	// interprets (its 相关文件 link).
	Interprets string
	// SameAs is, on a reprint (转载: a Guiyang reprint of a gov.cn or Guizhou
	// document, a Guizhou reprint of a gov.cn one), the URL path of the
	// original: same title, 发文字号, issuer, 成文日期 and body (as published:
	// Revise changes one copy only).
	SameAs string
	// Charset is the encoding of the served bytes: "" for UTF-8, "gb18030"
	// on the county site (whose header and meta say gb2312).
	Charset string

	// WrittenAt is the 成文日期 (Guizhou 生成日期): midnight, Asia/Shanghai;
	// zero on 政策解读.
	WrittenAt time.Time
	// PublishedAt is as precise as the detail page: to the second on gov.cn
	// (firstpublishedtime), to the minute on Guizhou and Guiyang (PubDate)
	// and on the county site (发布时间).
	PublishedAt time.Time
	// ModifiedAt is the gov.cn lastmodifiedtime. Elsewhere it equals
	// PublishedAt until Revise or Repeal changes the page, then it is the
	// time of the change (the page does not print it; Last-Modified does).
	ModifiedAt time.Time
	ListDate   string // the date text of the list row, byte for byte

	// Body holds the text of every <p> of the body container (#UCAP-CONTENT,
	// #Zoom, div.article-content) in document order, attachment link
	// paragraphs included.
	Body        []string
	Attachments []Attachment
	Large       bool // body text of about 1.5 MB, for claim-check tests
}

// Target is one document a decision repeals or declares expired.
type Target struct {
	Path      string // URL path of its detail page
	Title     string // as the decision quotes it: its title without a trailing （发文字号）
	DocNumber string
	Validity  string // Repealed (已废止) or Expired (已失效)
}

// Attachment is one file linked from a release body.
type Attachment struct {
	Name        string // the link text, e.g. "附件：…方案.pdf"
	Href        string // the href as written in the page: "./P0….pdf"
	Path        string // URL path it is served at
	Size        int
	SHA256      string // hex
	ContentType string
}

// Text returns the body paragraphs joined by newlines.
func (r Release) Text() string {
	return strings.Join(r.Body, "\n")
}

// clone returns a copy that shares nothing mutable with r.
func (r Release) clone() Release {
	r.Body = slices.Clone(r.Body)
	r.AlsoListed = slices.Clone(r.AlsoListed)
	r.Attachments = slices.Clone(r.Attachments)
	r.Repeals = slices.Clone(r.Repeals)
	return r
}
