package extract

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// List kinds.
const (
	KindJSON = "json" // a JSON document holding an array of rows (gov.cn lists, search APIs)
	KindHTML = "html" // an HTML page whose rows are found by selectors (TRS columns)
	KindFeed = "feed" // an RSS 2.0, RSS 1.0 or Atom 1.0 feed; no selectors or fields
)

// ListRule says how to read one list page. Empty fields take the defaults
// named in their comments.
type ListRule struct {
	Kind        string   `yaml:"kind"`         // "json" | "html" | "feed"
	URLs        []string `yaml:"urls"`         // first-page URLs, relative to the source base_url (used by the crawler)
	Pages       int      `yaml:"pages"`        // html: pages an incremental crawl reads (the crawler uses NextPageURL)
	LinkPattern string   `yaml:"link_pattern"` // regexp the resolved detail URL path must match; "" = any. Non-matching rows are dropped.

	// json
	ItemsPath  string `yaml:"items_path"`  // dotted path to the array of rows ("data.list"; a number indexes an array); "" = top-level array
	URLField   string `yaml:"url_field"`   // dotted path inside a row; default "URL"
	TitleField string `yaml:"title_field"` // default "TITLE"
	DateField  string `yaml:"date_field"`  // default "DOCRELPUBTIME"; a string in any ParseTime layout or epoch seconds/milliseconds

	// html; selectors use the package micro-syntax ("sel@attr")
	Item  string `yaml:"item"`  // rows, e.g. "ul.NewsList li"; required
	Link  string `yaml:"link"`  // default "a[href]@href"
	Title string `yaml:"title"` // default "a@title"; falls back to the text of the link element when empty
	Date  string `yaml:"date"`  // default "span"; its text is parsed with ParseTime, else searched with FindTime

	// feed: nothing to configure. Each item gives its link (RSS <link>, Atom
	// link rel=alternate, else a permalink guid or http(s) id), its title
	// and the first of pubDate, published, updated, dc:date that
	// ParseFeedTime reads.
}

// DetailRule says how to read a detail page. Lists are fallbacks, tried in
// order. The zero value reads a generic article page.
type DetailRule struct {
	// Title selectors. The metadata 标题 (from MetaTables/MetaLists) always
	// comes first, then these, then <title>. A selector that matches the
	// <title> element has its site suffixes removed (TrimTitleSuffix).
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
	MetaLists []string `yaml:"meta_lists"`
	// Fields maps a label (normalised with NormLabel) to a page field and is
	// merged over the built-in map:
	//
	//	索引号 index_number      主题分类 subject (a leading "主题分类\" is stripped)
	//	发文机关 issuer          发布机构 issuer (only when 发文机关 is absent)
	//	成文日期 written_at      生成日期 written_at (only when 成文日期 is absent)
	//	标题 title               发文字号 doc_number; 文号 doc_number (fallback)
	//	发布日期 published_at    发布时间 published_at (fallback)
	//	公文种类 doc_type        来源 origin
	//	有效性 validity          时效性 validity (fallback)
	//
	// Map a label to "" to ignore it. Fields named here take precedence
	// over any built-in label.
	Fields map[string]string `yaml:"fields"`
	// Published selectors: the first that yields a date wins; an attribute
	// or text is parsed with ParseTime, else searched with FindTime.
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

// Page fields a label can map to.
const (
	fieldTitle       = "title"
	fieldDocNumber   = "doc_number"
	fieldIndexNumber = "index_number"
	fieldIssuer      = "issuer"
	fieldSubject     = "subject"
	fieldDocType     = "doc_type"
	fieldOrigin      = "origin"
	fieldWrittenAt   = "written_at"
	fieldPublishedAt = "published_at"
	fieldValidity    = "validity"
)

func knownField(name string) bool {
	switch name {
	case fieldTitle, fieldDocNumber, fieldIndexNumber, fieldIssuer, fieldSubject,
		fieldDocType, fieldOrigin, fieldWrittenAt, fieldPublishedAt, fieldValidity:
		return true
	}
	return false
}

// Validate reports every problem of the rule: an unknown kind, a missing
// item selector, a selector or link pattern that does not compile.
func (r ListRule) Validate() error {
	var errs []error
	switch r.Kind {
	case KindJSON, KindFeed:
	case KindHTML:
		if strings.TrimSpace(r.Item) == "" {
			errs = append(errs, errors.New("item: empty selector"))
		}
		for _, f := range [...]struct{ key, sel string }{
			{"item", r.Item}, {"link", r.Link}, {"title", r.Title}, {"date", r.Date},
		} {
			if f.sel == "" {
				continue
			}
			sel, err := parseSelector(f.sel)
			switch {
			case err != nil:
				errs = append(errs, fmt.Errorf("%s: %w", f.key, err))
			case sel.label != "":
				errs = append(errs, fmt.Errorf("%s: label: selectors are for detail pages only", f.key))
			case f.key == "item" && sel.css == nil:
				errs = append(errs, fmt.Errorf("item: %q selects no elements", f.sel))
			}
		}
	default:
		errs = append(errs, fmt.Errorf("kind: %q is not %q, %q or %q", r.Kind, KindJSON, KindHTML, KindFeed))
	}
	if r.Pages < 0 {
		errs = append(errs, fmt.Errorf("pages: %d is negative", r.Pages))
	}
	if _, err := regexp.Compile(r.LinkPattern); err != nil {
		errs = append(errs, fmt.Errorf("link_pattern: %w", err))
	}
	return wrapRuleErrors("list rule", errs)
}

// Validate reports every selector that does not compile and every field
// name that is not a page field.
func (r DetailRule) Validate() error {
	var errs []error
	check := func(key string, sels []string) {
		for i, s := range sels {
			if _, err := parseSelector(s); err != nil {
				errs = append(errs, fmt.Errorf("%s[%d]: %w", key, i, err))
			}
		}
	}
	check("title", r.Title)
	check("body", r.Body)
	check("remove", r.Remove)
	check("meta_tables", r.MetaTables)
	check("meta_lists", r.MetaLists)
	check("published", r.Published)
	check("modified", r.Modified)
	if r.Attachments != "" {
		check("attachments", []string{r.Attachments})
	}
	for i, rel := range r.Related {
		for _, err := range rel.validate() {
			errs = append(errs, fmt.Errorf("related[%d]: %w", i, err))
		}
	}
	labels := make([]string, 0, len(r.Fields))
	for label := range r.Fields {
		labels = append(labels, label)
	}
	sort.Strings(labels)
	for _, label := range labels {
		field := r.Fields[label]
		if NormLabel(label) == "" {
			errs = append(errs, fmt.Errorf("fields: label %q is empty after normalisation", label))
		}
		if field != "" && !knownField(field) {
			errs = append(errs, fmt.Errorf("fields: %q maps to unknown field %q", label, field))
		}
	}
	return wrapRuleErrors("detail rule", errs)
}

func wrapRuleErrors(what string, errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("extract: %s: %w", what, errors.Join(errs...))
}
