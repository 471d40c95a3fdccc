package extract

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/crawler/sanitize"
	"github.com/gyeco/syndicator/syndicator"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Page is what a detail page says about one document. Field meanings follow
// the item schema (DESIGN §6).
type Page struct {
	Title       string `json:"title"` // as on the source, unaltered (white space runs collapsed)
	DocNumber   string `json:"doc_number,omitempty"`
	DocKey      string `json:"doc_key,omitempty"`
	IndexNumber string `json:"index_number,omitempty"`
	Issuer      string `json:"issuer,omitempty"`
	Subject     string `json:"subject,omitempty"`
	DocType     string `json:"doc_type,omitempty"`
	Origin      string `json:"origin,omitempty"`
	WrittenAt   string `json:"written_at,omitempty"` // YYYY-MM-DD

	PublishedAt        time.Time            `json:"published_at,omitzero"` // zero when the page has none: the crawler falls back to the list date
	PublishedPrecision syndicator.Precision `json:"published_precision,omitempty"`
	ModifiedAt         time.Time            `json:"modified_at,omitzero"` // gov.cn lastmodifiedtime; zero when absent
	ModifiedPrecision  syndicator.Precision `json:"modified_precision,omitempty"`

	Validity     syndicator.Validity `json:"validity"`                // unknown when absent
	ValidityText string              `json:"validity_text,omitempty"` // the 有效性 value as printed

	BodyHTML    string                  `json:"body_html"`   // sanitized, links absolute
	BodyText    string                  `json:"body_text"`   // plain text, one paragraph a line
	Attachments []syndicator.Attachment `json:"attachments"` // Name and absolute URL; unique by URL
	// Related holds the links to related documents (config.RelatedRule), with
	// canonical URLs; nil when there are none.
	Related []syndicator.Related `json:"related,omitempty"`
	// MetadataByLabels: the rule's meta_tables and meta_lists gave no
	// field (there are none, or a redesign emptied them), and the metadata
	// was read from the block found by its labels.
	MetadataByLabels bool `json:"metadata_by_labels,omitempty"`
	// BodyByDensity: no body selector matched, and the body is the page's
	// main text found by its density (density.go).
	BodyByDensity bool     `json:"body_by_density,omitempty"`
	Charset       string   `json:"charset"`
	Missing       []string `json:"missing,omitempty"` // required fields not found: "title", "body"
	// Unmatched names the title and body selectors tried in vain, in the
	// order tried, as "title: SELECTOR" or "body: SELECTOR" (the rule's
	// selectors, or the defaults when the rule has none). Selectors are
	// tried until one yields, so a listed selector whose field is not in
	// Missing was replaced by a later fallback (template drift), and for a
	// field in Missing every selector tried is listed. A title selector
	// counts as unmatched when it matched no element or only an empty
	// value; the metadata 标题 and the <title> fallback are not selectors
	// and are never listed.
	Unmatched []string `json:"unmatched,omitempty"`
}

// Defaults of config.DetailRule fields.
var (
	defaultTitle     = []string{"h1", "meta[name=ArticleTitle]@content", "title"}
	defaultBody      = []string{"#UCAP-CONTENT", "#Zoom", ".trs_editor_view", ".TRS_Editor", "div.detail-cont"}
	defaultPublished = []string{"meta[name=firstpublishedtime]@content", "meta[name=PubDate]@content"}
	defaultModified  = []string{"meta[name=lastmodifiedtime]@content"}
)

const defaultAttachments = "a[href]"

// titleElement is the last title fallback: <title>, site suffixes removed.
var titleElement = selector{css: cascadia.MustCompile("title"), tag: "title"}

// siteMeta are the meta tags TRS-platform and gov.cn pages carry
// (sources.md), read when a rule's own selectors miss after a redesign.
var siteMeta = struct {
	articleTitle, contentSource selector
	published                   []selector
}{
	articleTitle:  parseSelectors([]string{"meta[name=ArticleTitle]@content"})[0],
	contentSource: parseSelectors([]string{"meta[name=ContentSource]@content"})[0],
	published:     parseSelectors(defaultPublished),
}

// baseHref reads the document's <base href>.
var baseHref = selector{css: cascadia.MustCompile("base[href]"), tag: "base", attr: "href"}

// Extractor reads detail pages. It holds the sanitizer so that its policy
// is built once; an Extractor is safe for concurrent use.
type Extractor struct {
	sanitizer *sanitize.Sanitizer
}

// New returns an Extractor that sanitizes bodies with s (sanitize.New()
// when s is nil).
func New(s *sanitize.Sanitizer) *Extractor {
	if s == nil {
		s = sanitize.New()
	}
	return &Extractor{sanitizer: s}
}

// defaultExtractor serves the package-level Detail; built on first use and
// never changed.
var defaultExtractor = sync.OnceValue(func() *Extractor { return New(nil) })

// Detail parses a detail page with a shared default Extractor.
func Detail(body []byte, contentType string, pageURL *url.URL, rule config.DetailRule) (*Page, error) {
	return defaultExtractor().Detail(body, contentType, pageURL, rule)
}

// Detail parses a detail page found at pageURL. The error is non-nil only
// for undecodable input; fields that cannot be found stay empty and the
// required ones (title, body) are listed in Page.Missing.
//
// Title: the metadata 标题, then rule.Title in order, then the ArticleTitle
// meta tag, then <title> without its site suffixes. DocNumber: the metadata 发文字号, else the number the
// title ends with, else one of the first body lines that is exactly a
// document number. DocKey: syndicator.DocKey(DocNumber), else "title:"+title+"|"+issuer
// (both normalised). PublishedAt: the first rule.Published selector that
// yields a date, else the metadata 发布日期, else zero (the crawler then
// falls back to the list date or the tYYYYMMDD of the URL). On a page read
// by the generic readers (body by density, or metadata by labels where the
// rule names containers), a rule.Published that misses is followed by the
// firstpublishedtime/PubDate meta tags, and an origin no label gives is
// read from the ContentSource meta tag.
func (e *Extractor) Detail(body []byte, contentType string, pageURL *url.URL, rule config.DetailRule) (*Page, error) {
	text, cs, err := decode(body, contentType)
	if err != nil {
		return nil, err
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(text))
	if err != nil { // only reader errors, impossible with a bytes.Reader
		return nil, fmt.Errorf("extract: parse html: %w", err)
	}
	root := newTree(doc.Selection)
	base := documentBase(root, pageURL)
	tables, lists := parseSelectors(rule.MetaTables), parseSelectors(rule.MetaLists)
	meta := collectMetadata(root, tables, lists, newLabels(rule.Fields))
	p := &Page{Charset: cs, Validity: syndicator.ValidityUnknown, MetadataByLabels: meta.byLabels}

	p.Title = pageTitle(root, rule, tables, lists, meta, &p.Unmatched)
	p.IndexNumber = meta.fields[fieldIndexNumber]
	p.Issuer = meta.fields[fieldIssuer]
	p.Subject = strings.TrimPrefix(meta.fields[fieldSubject], `主题分类\`)
	p.DocType = meta.fields[fieldDocType]
	p.Origin = meta.fields[fieldOrigin]
	if t, _, ok := parseOrFind(meta.fields[fieldWrittenAt]); ok {
		p.WrittenAt = dateOnly(t)
	}
	if v, ok := meta.fields[fieldValidity]; ok {
		p.Validity, p.ValidityText = ParseValidity(v), v
	}

	published := rule.Published
	if len(published) == 0 {
		published = defaultPublished
	}
	p.PublishedAt, p.PublishedPrecision = firstTime(root, parseSelectors(published), tables, lists)
	if p.PublishedAt.IsZero() {
		if t, prec, ok := parseOrFind(meta.fields[fieldPublishedAt]); ok {
			p.PublishedAt, p.PublishedPrecision = t, prec
		}
	}
	modified := rule.Modified
	if len(modified) == 0 {
		modified = defaultModified
	}
	p.ModifiedAt, p.ModifiedPrecision = firstTime(root, parseSelectors(modified), tables, lists)

	var bodyLines []string
	b := pageBody(root, rule, &p.Unmatched)
	if b == nil {
		if n := densestBlock(root); n != nil {
			b, p.BodyByDensity = selectionOf(root.root, []*html.Node{n}), true
		}
	}
	if b != nil {
		p.Attachments = attachments(b, base, rule.Attachments)
		p.Attachments = append(p.Attachments, images(b, base, p.Attachments)...)
		// Sanitized on the parsed tree: the body is not rendered and
		// parsed again.
		p.BodyHTML = strings.TrimSpace(e.sanitizer.Inner(base, b.Get(0)))
		p.BodyText, bodyLines = lines(b.Get(0))
	}
	// A page the rule no longer reads (a redesign) is helped by the site's
	// meta tags. Only then: a field a page read by its rule gained would
	// change the content hash of items already announced, as revisions.
	if p.BodyByDensity || p.MetadataByLabels && (len(rule.MetaTables) > 0 || len(rule.MetaLists) > 0) {
		if p.Origin == "" {
			// TRS platform pages name their 来源 in a meta tag too.
			if v, _, ok := root.read(siteMeta.contentSource); ok && !looksLikeCode(v) {
				p.Origin = collapseHTMLSpace(v)
			}
		}
		if p.PublishedAt.IsZero() && len(rule.Published) > 0 {
			p.PublishedAt, p.PublishedPrecision = firstTime(root, siteMeta.published, nil, nil)
		}
	}
	p.Related = relatedLinks(root, base, pageURL, rule.Related)
	p.DocNumber, p.DocKey = docNumber(meta.fields[fieldDocNumber], p.Title, p.Issuer, bodyLines)
	if p.Attachments == nil {
		p.Attachments = []syndicator.Attachment{}
	}
	if p.Title == "" {
		p.Missing = append(p.Missing, "title")
	}
	if p.BodyText == "" && !hasImage(p.BodyHTML) {
		p.Missing = append(p.Missing, "body")
	}
	return p, nil
}

// bodyDocNoLines is how many leading body lines may hold the document
// number on a line of its own (gov.cn prints it under the title).
const bodyDocNoLines = 8

// docNumber picks the printed document number and the doc_key from the
// first candidate that is a document number: the metadata value, the
// number the title ends with, a leading body line. Without one, the
// metadata value (if any) is kept as printed and the key is made of the
// normalised title and issuer.
func docNumber(field, title, issuer string, body []string) (number, key string) {
	candidates := []string{field, syndicator.DocNoFromTitle(title)}
	if len(body) > bodyDocNoLines {
		body = body[:bodyDocNoLines]
	}
	candidates = append(candidates, body...)
	for _, c := range candidates {
		if k := syndicator.DocKey(c); k != "" {
			return c, k
		}
	}
	if title != "" {
		key = syndicator.TitleKey(title, issuer)
	}
	return field, key
}

// documentBase is the URL relative links resolve against: <base href> when
// it is an absolute http(s) URL, else the page URL.
func documentBase(root *tree, pageURL *url.URL) *url.URL {
	if href, _, ok := root.read(baseHref); ok && pageURL != nil {
		if u, ok := resolveHTTP(pageURL, href); ok {
			return u
		}
	}
	return pageURL
}

// pageTitle returns the title; the rule's title selectors tried in vain are
// appended to unmatched.
func pageTitle(root *tree, rule config.DetailRule, tables, lists []selector, meta metadata, unmatched *[]string) string {
	if t := collapseHTMLSpace(meta.fields[fieldTitle]); t != "" {
		return t
	}
	for _, spec := range cmpOrList(rule.Title, defaultTitle) {
		sel, err := parseSelector(spec)
		if err != nil {
			continue // Validate reports it
		}
		if v := titleBy(root, sel, rule, tables, lists); v != "" {
			return v
		}
		*unmatched = append(*unmatched, fieldTitle+": "+spec)
	}
	// The rule's selectors missed (a redesign): the site's ArticleTitle
	// meta tag, then <title>.
	if v := titleBy(root, siteMeta.articleTitle, rule, tables, lists); v != "" {
		return v
	}
	return titleBy(root, titleElement, rule, tables, lists)
}

// titleBy reads a title with one selector; "" when it yields nothing usable.
func titleBy(root *tree, sel selector, rule config.DetailRule, tables, lists []selector) string {
	var v string
	if sel.label != "" {
		v, _ = lookupLabel(root, sel, tables, lists)
	} else {
		raw, n, ok := root.read(sel)
		if !ok {
			return ""
		}
		v = raw
		if n != nil && n.DataAtom == atom.Title && sel.attr == "" {
			v = TrimTitleSuffix(collapseHTMLSpace(v), rule.TitleSuffixes)
		}
	}
	if v = collapseHTMLSpace(v); v != "" && !looksLikeCode(v) {
		return v
	}
	return ""
}

func cmpOrList(list, def []string) []string {
	if len(list) == 0 {
		return def
	}
	return list
}

// firstTime returns the first date any selector yields.
func firstTime(root *tree, sels, tables, lists []selector) (time.Time, syndicator.Precision) {
	for _, sel := range sels {
		var v string
		if sel.label != "" {
			v, _ = lookupLabel(root, sel, tables, lists)
		} else {
			v, _, _ = root.read(sel)
		}
		if t, prec, ok := parseOrFind(v); ok {
			return t, prec
		}
	}
	return time.Time{}, ""
}

// pageBody returns the first element of the first body selector that
// matches, with rule.Remove applied; the selectors tried in vain are
// appended to unmatched.
func pageBody(root *tree, rule config.DetailRule, unmatched *[]string) *goquery.Selection {
	for _, spec := range cmpOrList(rule.Body, defaultBody) {
		sel, err := parseSelector(spec)
		if err != nil || sel.css == nil {
			continue
		}
		n := root.first(sel)
		if n == nil {
			*unmatched = append(*unmatched, "body: "+spec)
			continue
		}
		b := selectionOf(root.root, []*html.Node{n})
		for _, r := range parseSelectors(rule.Remove) {
			if r.css != nil {
				r.find(b).Remove()
			}
		}
		return b
	}
	return nil
}

// hasImage reports a body that may have no text but shows images (a
// scanned document is still a body).
func hasImage(bodyHTML string) bool {
	return strings.Contains(bodyHTML, "<img ")
}
