package extract

import (
	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// tree is a parsed page with its elements listed once, in document order.
// The searches of the whole page (base, metadata containers, dates, title,
// body, related boxes) go through the list instead of each walking the
// tree again, and pass over elements of another name than the selector's
// (selector.tag) without running it.
type tree struct {
	root  *goquery.Selection // the document
	elems []*html.Node       // every element below root, in document order
}

func newTree(root *goquery.Selection) *tree {
	t := &tree{root: root}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode {
				t.elems = append(t.elems, c)
				walk(c)
			}
		}
	}
	for _, n := range root.Nodes {
		walk(n)
	}
	return t
}

// find is sel.find(t.root): the elements sel matches, in document order.
func (t *tree) find(sel selector) *goquery.Selection {
	if sel.css == nil {
		return t.root
	}
	var out []*html.Node
	for _, n := range t.elems {
		if t.matches(sel, n) {
			out = append(out, n)
		}
	}
	return selectionOf(t.root, out)
}

// first is the first element of find(sel), nil when there is none.
func (t *tree) first(sel selector) *html.Node {
	if sel.css == nil {
		return t.root.Get(0)
	}
	for _, n := range t.elems {
		if t.matches(sel, n) {
			return n
		}
	}
	return nil
}

// matches reports whether sel matches n, an element still in the page:
// the list is made before rule.Remove takes elements out of the body, and
// what was removed is not found afterwards.
func (t *tree) matches(sel selector, n *html.Node) bool {
	if sel.tag != "" && n.Data != sel.tag || !sel.css.Match(n) {
		return false
	}
	for p := n; p != nil; p = p.Parent {
		if p == t.root.Nodes[0] {
			return true
		}
	}
	return false
}

// read is sel.read(t.root).
func (t *tree) read(sel selector) (string, *html.Node, bool) {
	return sel.value(t.first(sel))
}
