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
		sel.css = css
	}
	return sel, nil
}

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
	return ctx.FindMatcher(sel.css)
}

// read returns the raw value (attribute or text, not yet cleaned) of the
// first element matched below ctx, and that element. Label selectors are not
// handled here; see metadata.lookup.
func (sel selector) read(ctx *goquery.Selection) (string, *html.Node, bool) {
	m := sel.find(ctx).First()
	if m.Length() == 0 {
		return "", nil, false
	}
	n := m.Get(0)
	if sel.attr != "" {
		v, ok := m.Attr(sel.attr)
		return v, n, ok
	}
	return nodeText(n), n, true
}
