package sim

import (
	"slices"
	"strings"
	"time"
)

// Site names, as in Release.Site and as the first URL path segment.
const (
	GovCN   = "govcn"
	Guizhou = "guizhou"
)

// Release is the ground truth of one published document: what a perfect
// crawler would extract from its list row and detail page. Tests compare an
// extracted item against it field by field.
type Release struct {
	Site       string // GovCN or Guizhou
	Column     string // "zuixin" (gov.cn 最新政策), "qff" (黔府发) or "qfbf" (黔府办发)
	ColumnName string // lanmu / ColumnName meta: "国务院文件", "黔府发", "黔府办发"
	List       string // URL path of the list it appears in (page 1 for Guizhou)
	Path       string // URL path of the detail page
	ID         string // numeric id in the URL: content_<ID>.htm or t<YYYYMMDD>_<ID>.html

	// Title is exactly as the source shows it: the 标题 cell on gov.cn; the
	// ArticleTitle meta and list title attribute on Guizhou, where it ends
	// with the document number in full-width parentheses.
	Title       string
	DocNumber   string // 发文字号 / 文号, e.g. 国办发〔2026〕7号
	IndexNumber string // 索引号
	Issuer      string // 发文机关 (gov.cn) / 发布机构 (Guizhou)
	Subject     string // gov.cn 主题分类 (levels joined by `\`); "" on Guizhou
	Category    string // Guizhou 信息分类; "" on gov.cn
	Origin      string // Guizhou 来源 and ContentSource meta; "" on gov.cn
	Keywords    string // keywords meta, ';'-separated
	Validity    string // Guizhou 有效性 as printed (有效, 已修改, 已废止, 已失效); "" on gov.cn

	WrittenAt time.Time // 成文日期 (Guizhou 生成日期): midnight, Asia/Shanghai
	// PublishedAt is as precise as the detail page: to the second on gov.cn
	// (firstpublishedtime), to the minute on Guizhou (PubDate).
	PublishedAt time.Time
	ModifiedAt  time.Time // gov.cn lastmodifiedtime; equals PublishedAt on Guizhou
	ListDate    string    // the date text of the list row, byte for byte

	// Body holds the text of every <p> of the body container (#UCAP-CONTENT,
	// #Zoom) in document order, attachment link paragraphs included.
	Body        []string
	Attachments []Attachment
	Large       bool // body text of about 1.5 MB, for claim-check tests
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
	r.Attachments = slices.Clone(r.Attachments)
	return r
}
