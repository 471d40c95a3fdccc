package extract

import (
	"strings"

	"golang.org/x/net/html"
)

// Without containers to read (a rule with no MetaTables and MetaLists, or
// containers a redesign left empty), the metadata block is found by its
// labels, whatever its markup: the 政府信息公开 header of a detail page is
// the smallest part of the page that holds the most distinct metadata
// labels, and its pairs are read there as a table (td/th cells), as
// label and value siblings (dt/dd, th/td, span/span, b/em, …), and as
// "LABEL：VALUE" lines (li, p, div).

// minBlockLabels is how many distinct known labels make a metadata block:
// one label alone (a 来源 line above the body) is no block.
const minBlockLabels = 2

// labelOf returns the known label an element's own text names: the whole
// of it ("发文字号", "索　引　号："), or what comes before its first colon
// ("发布日期：2025-01-02"). Text of child elements does not count, so a
// container is not taken for the label of its first line.
func labelOf(n *html.Node, known func(string) bool) (string, bool) {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	own := b.String()
	if l := NormLabel(own); l != "" && known(l) {
		return l, true
	}
	if i := strings.IndexFunc(own, isColon); i > 0 {
		if l := NormLabel(own[:i]); l != "" && known(l) {
			return l, true
		}
	}
	return "", false
}

// findMetaBlock returns the metadata block of the page: among the elements
// that hold the most distinct known labels (at least minBlockLabels), the
// deepest; nil when no element holds that many.
func findMetaBlock(doc *tree, known func(string) bool) *html.Node {
	labelsIn := map[*html.Node]map[string]bool{}
	for _, n := range doc.elems {
		l, ok := labelOf(n, known)
		if !ok {
			continue
		}
		for a := n; a != nil; a = a.Parent {
			s := labelsIn[a]
			if s == nil {
				s = map[string]bool{}
				labelsIn[a] = s
			}
			s[l] = true
		}
	}
	most := 0
	for _, s := range labelsIn {
		most = max(most, len(s))
	}
	if most < minBlockLabels {
		return nil
	}
	var block *html.Node
	depth := -1
	for n, s := range labelsIn {
		if len(s) != most || n.Type != html.ElementNode {
			continue
		}
		if d := nodeDepth(n); d > depth {
			block, depth = n, d
		}
	}
	return block
}

func nodeDepth(n *html.Node) int {
	d := 0
	for ; n.Parent != nil; n = n.Parent {
		d++
	}
	return d
}

// siblingPairs pairs every element below block whose own text is exactly
// a known label with the text of its next element sibling: dt/dd, th/td,
// span/span, label/em. A sibling that is itself a label gives nothing (an
// empty value cell).
func siblingPairs(block *html.Node, known func(string) bool) []pair {
	var out []pair
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			if l := NormLabel(nodeText(c)); l != "" && known(l) {
				if v := nextElement(c); v != nil {
					if _, isLabel := labelOf(v, known); !isLabel {
						out = append(out, pair{label: l, value: collapseSpace(nodeText(v))})
					}
				}
				continue
			}
			walk(c)
		}
	}
	walk(block)
	return out
}

func nextElement(n *html.Node) *html.Node {
	for s := n.NextSibling; s != nil; s = s.NextSibling {
		if s.Type == html.ElementNode {
			return s
		}
	}
	return nil
}

// blockPairs reads the pairs of the page's metadata block, found by its
// labels; none when it has none.
func blockPairs(doc *tree, known func(string) bool) []pair {
	block := findMetaBlock(doc, known)
	if block == nil {
		return nil
	}
	out := siblingPairs(block, known)
	for _, line := range metaLines(block) {
		out = append(out, splitPairs(line, known)...)
	}
	return out
}
