package relevance

import (
	"regexp"
	"strings"

	"github.com/gyeco/syndicator/syndicator"
	"golang.org/x/text/width"
)

// cond is a compiled Condition; keywords and in-values are width-folded.
type cond struct {
	field          string
	any, all, none []string
	re             *regexp.Regexp
	in             []string
	minHits        int
}

// text is one field as read and its width-folded copy. Folding maps rune
// by rune, so a keyword found in the raw text is also found (folded) in the
// folded copy: keywords are counted there only. A regex is tried on both,
// since it may spell full-width punctuation on purpose.
type text struct{ raw, folded string }

// view reads an item's fields for one decision, folding each at most once:
// a body is long and many rules look at the same fields.
type view struct {
	it    *syndicator.Item
	cache map[string]text
}

func newView(it *syndicator.Item) *view {
	return &view{it: it, cache: make(map[string]text, 4)}
}

func (v *view) get(field string) text {
	if t, ok := v.cache[field]; ok {
		return t
	}
	raw, _ := fieldOf(v.it, field)
	t := text{raw: raw, folded: width.Fold.String(raw)}
	v.cache[field] = t
	return t
}

// eval reports whether c holds for t and, if so, its keyword hits: the
// occurrences of its any and all keywords, or 1 for a condition that holds
// on regex, in or none alone.
func (c *cond) eval(t text) (bool, int) {
	if len(c.in) > 0 && !c.isIn(t) {
		return false, 0
	}
	for _, k := range c.none {
		if strings.Contains(t.folded, k) {
			return false, 0
		}
	}
	hits := 0
	for _, k := range c.all {
		n := strings.Count(t.folded, k)
		if n == 0 {
			return false, 0
		}
		hits += n
	}
	if c.re != nil && !c.re.MatchString(t.raw) && !c.re.MatchString(t.folded) {
		return false, 0
	}
	if len(c.any) > 0 {
		n := 0
		for _, k := range c.any {
			n += strings.Count(t.folded, k)
		}
		if n < c.minHits {
			return false, 0
		}
		hits += n
	}
	return true, max(hits, 1)
}

func (c *cond) isIn(t text) bool {
	v := strings.TrimSpace(t.folded)
	for _, want := range c.in {
		if v == want {
			return true
		}
	}
	return false
}
