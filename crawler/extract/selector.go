package extract

import (
	"fmt"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
)

// selector is one selector of the package micro-syntax (see the package
// documentation): a CSS part, and either an attribute or a label to read.
type selector struct {
	css   cascadia.Selector // nil: the context element itself (or, with label, the rule's metadata containers)
	attr  string            // read this attribute instead of the text
	label string            // normalised label to look up inside the matches
	// tag is the element name every match of css has ("" when unknown):
	// elements of another name are passed over without running css.
	tag string
}

const labelPrefix = "label:"

func parseSelector(s string) (selector, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return selector{}, fmt.Errorf("empty selector")
	}
	var sel selector
	if i := strings.LastIndex(s, labelPrefix); i >= 0 && (i == 0 || isSpaceByte(s[i-1])) {
		sel.label = NormLabel(s[i+len(labelPrefix):])
		if sel.label == "" {
			return selector{}, fmt.Errorf("selector %q: empty label", s)
		}
		s = strings.TrimSpace(s[:i])
	} else if i := strings.LastIndexByte(s, '@'); i >= 0 && isAttrName(s[i+1:]) {
		sel.attr = strings.ToLower(s[i+1:])
		s = strings.TrimSpace(s[:i])
	}
	if s != "" {
		css, err := cascadia.Compile(s)
		if err != nil {
			return selector{}, fmt.Errorf("selector %q: %w", s, err)
		}
		sel.css, sel.tag = css, subjectTag(s)
	}
	return sel, nil
}

// subjectTag is the type selector of the last compound selector of css
// ("table" for "div.policyLibraryOverview_header table"), lowercased as
// cascadia compares it, or "" when css has none or is not of the plain
// forms read here (groups, pseudo-classes, quoted or escaped values,
// namespaces and the universal selector are left to cascadia alone).
func subjectTag(css string) string {
	if strings.ContainsAny(css, ",:()\"'\\|*") {
		return ""
	}
	var plain []byte // css with each [...] left as "[": "div [x]" is no div
	depth := 0
	for i := 0; i < len(css); i++ {
		switch c := css[i]; {
		case c == '[':
			if depth == 0 {
				plain = append(plain, c)
			}
			depth++
		case c == ']':
			if depth--; depth < 0 {
				return ""
			}
		case depth == 0:
			plain = append(plain, c)
		}
	}
	if depth != 0 {
		return ""
	}
	parts := strings.FieldsFunc(string(plain), func(r rune) bool {
		return r == '>' || r == '+' || r == '~' || r < 0x80 && isSpaceByte(byte(r))
	})
	if len(parts) == 0 {
		return ""
	}
	last := parts[len(parts)-1]
	end := 0
	for end < len(last) && (isASCIILetter(last[end]) || end > 0 && (last[end] >= '0' && last[end] <= '9' || last[end] == '-' || last[end] == '_')) {
		end++
	}
	if end < len(last) && !strings.ContainsRune(".#[", rune(last[end])) {
		return "" // the name goes on in characters not read here
	}
	return strings.ToLower(last[:end])
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// parseSelectors parses a list, skipping what does not parse; Validate is
// where a bad selector is reported.
func parseSelectors(list []string) []selector {
	out := make([]selector, 0, len(list))
	for _, s := range list {
		if sel, err := parseSelector(s); err == nil {
			out = append(out, sel)
		}
	}
	return out
}

func isSpaceByte(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f'
}

func isAttrName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '-' || r == '_' || r == ':' || r == '.'):
		default:
			return false
		}
	}
	return true
}

// find returns the elements the CSS part matches below ctx, or ctx itself
// when there is no CSS part.
func (sel selector) find(ctx *goquery.Selection) *goquery.Selection {
	if sel.css == nil {
		return ctx
	}
	if len(ctx.Nodes) != 1 {
		return ctx.FindMatcher(sel.css)
	}
	return selectionOf(ctx, sel.matches(ctx.Nodes[0], false))
}

// selectionOf is a selection of nodes in ctx's document. (Not
// ctx.Slice(0, 0).AddNodes: that appends into ctx's own array.)
func selectionOf(ctx *goquery.Selection, nodes []*html.Node) *goquery.Selection {
	s := ctx.Slice(0, 0)
	s.Nodes = nodes
	return s
}

// matches returns the elements below n that css matches, in document
// order as goquery's Find gives them, or only the first one. Elements
// whose name is not sel.tag are passed over unmatched; a search for the
// first match ends there (a <meta> of the head is found without visiting
// the body).
func (sel selector) matches(n *html.Node, first bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node) bool
	walk = func(n *html.Node) bool {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			if (sel.tag == "" || c.Data == sel.tag) && sel.css.Match(c) {
				if out = append(out, c); first {
					return false
				}
			}
			if !walk(c) {
				return false
			}
		}
		return true
	}
	walk(n)
	return out
}

// read returns the raw value (attribute or text, not yet cleaned) of the
// first element matched below ctx, and that element. Label selectors are not
// handled here; see metadata.lookup.
func (sel selector) read(ctx *goquery.Selection) (string, *html.Node, bool) {
	return sel.value(sel.first(ctx))
}

// value is what read returns for the element n (nil: none matched).
func (sel selector) value(n *html.Node) (string, *html.Node, bool) {
	if n == nil {
		return "", nil, false
	}
	if sel.attr != "" {
		v, ok := attrExact(n, sel.attr)
		return v, n, ok
	}
	return nodeText(n), n, true
}

// first is the first element of sel.find(ctx), nil when there is none,
// found without looking further.
func (sel selector) first(ctx *goquery.Selection) *html.Node {
	var m []*html.Node
	switch {
	case sel.css == nil:
		m = ctx.Nodes
	case len(ctx.Nodes) != 1:
		m = ctx.FindMatcher(sel.css).Nodes
	default:
		m = sel.matches(ctx.Nodes[0], true)
	}
	if len(m) == 0 {
		return nil
	}
	return m[0]
}

// attrExact is the value of n's attribute named key, compared as
// goquery's Attr compares it.
func attrExact(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}
