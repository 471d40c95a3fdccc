// Package sanitize makes article bodies safe to republish on the committee
// site: an allowlist of formatting elements, links and images with absolute
// http(s) URLs, and nothing that runs code or loads active content.
package sanitize

import (
	"net/url"
	"regexp"

	"github.com/microcosm-cc/bluemonday"
)

// Sanitizer holds a bluemonday policy built once by New. The policy is never
// changed afterwards, so one Sanitizer is safe for concurrent use.
type Sanitizer struct {
	policy *bluemonday.Policy
}

var (
	reSpan  = regexp.MustCompile(`^[0-9]{1,3}$`)
	reAlign = regexp.MustCompile(`(?i)^(?:left|right|center|justify)$`)
)

// New builds the republishing policy:
//
//   - kept: p, br, h1–h6, strong, b, em, i, u, sub, sup, span, div,
//     blockquote, hr, ul, ol, li, table, caption, thead, tbody, tfoot, tr,
//     td and th (colspan, rowspan), img (src, alt), a (href, title);
//   - kept as well: align=left|right|center|justify on blocks and cells, since
//     official documents right-align the issuer and date (落款);
//   - dropped with their content: script, style, iframe, object, embed,
//     noscript, template, svg, math, form controls (textarea, select, button);
//   - dropped, content kept: every other element (form, font, center, …);
//   - dropped attributes: style, class, id, on* handlers and everything not
//     listed above;
//   - URLs: only http, https and mailto survive; javascript:, data:,
//     vbscript: and unparseable values remove the attribute (an a or img
//     left without it is unwrapped or removed).
func New() *Sanitizer {
	p := bluemonday.NewPolicy()
	p.AllowElements(
		"p", "br", "h1", "h2", "h3", "h4", "h5", "h6",
		"strong", "b", "em", "i", "u", "sub", "sup", "span", "div",
		"blockquote", "hr", "ul", "ol", "li",
		"table", "caption", "thead", "tbody", "tfoot", "tr", "td", "th",
	)
	p.AllowAttrs("colspan", "rowspan").Matching(reSpan).OnElements("td", "th")
	p.AllowAttrs("align").Matching(reAlign).
		OnElements("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "tr", "table")
	p.AllowAttrs("href", "title").OnElements("a")
	p.AllowAttrs("src", "alt").OnElements("img")
	p.RequireParseableURLs(true)
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowRelativeURLs(true) // only reachable when base is nil
	p.SkipElementsContent("embed", "template", "svg", "math", "textarea", "select", "button", "applet")
	return &Sanitizer{policy: p}
}

// HTML returns a safe copy of raw, an HTML fragment, for republishing.
// Relative href and src values are resolved against base, the URL of the
// page raw came from; with a nil base they stay relative. HTML never fails:
// whatever cannot be made safe is dropped.
func (s *Sanitizer) HTML(base *url.URL, raw string) string {
	if base != nil {
		raw = absolutize(base, raw)
	}
	return s.policy.Sanitize(raw)
}
