package extract

import (
	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Pairs are read from two kinds of containers (sources.md §2.3):
//
//   - tables: a td/th cell whose normalised text is a label pairs with the
//     next cell of the same row; a cell reading "LABEL：VALUE" is split;
//   - lists: every line (li, p, div, dd, … boundaries, see lines) is split
//     into "LABEL：VALUE" pairs.

// tablePairs returns the pairs of the td/th cells below each container, in
// document order.
func tablePairs(containers *goquery.Selection, known func(string) bool) []pair {
	var out []pair
	used := map[*html.Node]bool{} // value cells already paired
	containers.Each(func(_ int, c *goquery.Selection) {
		c.Find("td, th").Each(func(_ int, cell *goquery.Selection) {
			n := cell.Get(0)
			if used[n] {
				return
			}
			if l := NormLabel(nodeText(n)); l != "" && known(l) {
				if v := nextCell(n); v != nil {
					used[v] = true
					out = append(out, pair{label: l, value: collapseSpace(nodeText(v))})
				}
				return
			}
			if hasElementChild(n, atom.Td, atom.Th, atom.Table) {
				return // a layout cell; its own cells are visited next
			}
			for _, line := range metaLines(n) {
				out = append(out, splitPairs(line, known)...)
			}
		})
	})
	return out
}

// nextCell returns the td/th after n in its row, or nil.
func nextCell(n *html.Node) *html.Node {
	for s := n.NextSibling; s != nil; s = s.NextSibling {
		if s.Type == html.ElementNode && (s.DataAtom == atom.Td || s.DataAtom == atom.Th) {
			return s
		}
	}
	return nil
}

func hasElementChild(n *html.Node, atoms ...atom.Atom) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		for _, a := range atoms {
			if c.DataAtom == a {
				return true
			}
		}
		if hasElementChild(c, atoms...) {
			return true
		}
	}
	return false
}

// listPairs returns the pairs of every line of each container.
func listPairs(containers *goquery.Selection, known func(string) bool) []pair {
	var out []pair
	containers.Each(func(_ int, c *goquery.Selection) {
		for _, n := range c.Nodes {
			for _, line := range metaLines(n) {
				out = append(out, splitPairs(line, known)...)
			}
		}
	})
	return out
}

// metadata is what the rule's MetaTables and MetaLists hold.
type metadata struct {
	fields   map[string]string // page field -> value
	fallback map[string]bool   // the value came from a fallback label
	// byLabels: the rule's containers gave nothing, and the fields were
	// read from the block found by its labels.
	byLabels bool
}

// collectMetadata reads every pair from the rule's containers; when they
// give no field (there are none, or a redesign emptied them), from the
// metadata block found by its labels (metablock.go). For each field the
// first value of a primary label wins, else the first value of a fallback
// label. Empty values and values that look like code are skipped.
func collectMetadata(doc *tree, tables, lists []selector, lab labels) metadata {
	var pairs []pair
	for _, sel := range tables {
		pairs = append(pairs, tablePairs(doc.find(sel), lab.known)...)
	}
	for _, sel := range lists {
		pairs = append(pairs, listPairs(doc.find(sel), lab.known)...)
	}
	m := metadataOf(pairs, lab)
	if len(m.fields) == 0 {
		m = metadataOf(blockPairs(doc, lab.known), lab)
		m.byLabels = len(m.fields) > 0
	}
	return m
}

// metadataOf maps pairs to page fields.
func metadataOf(pairs []pair, lab labels) metadata {
	m := metadata{fields: map[string]string{}, fallback: map[string]bool{}}
	for _, p := range pairs {
		if p.value == "" || looksLikeCode(p.value) {
			continue
		}
		field, fallback, ok := lab.field(p.label)
		if !ok {
			continue
		}
		cur, have := m.fields[field]
		if !have || cur == "" || (m.fallback[field] && !fallback) {
			m.fields[field] = p.value
			m.fallback[field] = fallback
		}
	}
	return m
}

// lookupLabel evaluates a "CONTAINER label:L" selector below doc. Without
// CONTAINER it reads the rule's MetaTables and MetaLists.
func lookupLabel(doc *tree, sel selector, tables, lists []selector) (string, bool) {
	is := func(l string) bool { return l == sel.label }
	var pairs []pair
	if sel.css != nil {
		c := doc.find(sel)
		pairs = append(tablePairs(c, is), listPairs(c, is)...)
	} else {
		for _, t := range tables {
			pairs = append(pairs, tablePairs(doc.find(t), is)...)
		}
		for _, l := range lists {
			pairs = append(pairs, listPairs(doc.find(l), is)...)
		}
	}
	for _, p := range pairs {
		if p.label == sel.label && p.value != "" && !looksLikeCode(p.value) {
			return p.value, true
		}
	}
	return "", false
}
