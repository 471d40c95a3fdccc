package extract

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// When no body selector matches (a redesign, or a site nobody wrote rules
// for), the body is the page's main text found by its density: running
// prose is long lines with Chinese sentence punctuation and few links,
// where navigation, metadata tables, share bars and footers are short
// lines, links, or dates without a comma. Each block of text scores by
// its sentences and length; its score goes to its parent, and half of it
// to its grandparent, so the element holding the paragraphs wins; an
// element is discounted by the share of its text inside links.

// minDensityScore is the least score a main text must reach: two
// sentences, or one long line.
const minDensityScore = 2

// textBlock reports the elements whose own text is a block of the page.
func textBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Td, atom.Li, atom.Section, atom.Article, atom.Blockquote, atom.Pre, atom.Dd:
		return true
	}
	return false
}

// ownText is the text of n's own text nodes.
func ownText(n *html.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch {
		case c.Type == html.TextNode:
			b.WriteString(c.Data)
		case c.Type == html.ElementNode && !textBlock(c.DataAtom) && !skipped(c) && c.DataAtom != atom.A:
			// inline markup (span, strong, font) is part of the line
			b.WriteString(ownText(c))
		}
	}
	return b.String()
}

// blockScore is what a block of text says about being prose.
func blockScore(text string) float64 {
	text = strings.TrimSpace(collapseSpace(text))
	n := utf8.RuneCountInString(text)
	if n < 10 {
		return 0
	}
	s := float64(strings.Count(text, "，") + strings.Count(text, "。") + strings.Count(text, "；") + strings.Count(text, "、"))
	return s + min(float64(n)/100, 3)
}

// unlikely reports elements that name themselves as page furniture.
func unlikely(n *html.Node) bool {
	for _, a := range n.Attr {
		if a.Key != "class" && a.Key != "id" {
			continue
		}
		v := strings.ToLower(a.Val)
		for _, w := range []string{"nav", "menu", "footer", "foot", "header", "breadcrumb", "share", "copyright", "sidebar", "crumb", "banner"} {
			if strings.Contains(v, w) {
				return true
			}
		}
	}
	switch n.DataAtom {
	case atom.Nav, atom.Header, atom.Footer, atom.Aside, atom.Form:
		return true
	}
	return false
}

// densestBlock returns the element holding the page's main text, or nil
// when nothing on the page reads as prose.
func densestBlock(doc *tree) *html.Node {
	score := map[*html.Node]float64{}
	for _, n := range doc.elems {
		if !textBlock(n.DataAtom) || skipped(n) || insideUnlikely(n) {
			continue
		}
		s := blockScore(ownText(n))
		if s == 0 {
			continue
		}
		score[n] += s
		if p := n.Parent; p != nil && p.Type == html.ElementNode {
			score[p] += s
			if g := p.Parent; g != nil && g.Type == html.ElementNode {
				score[g] += s / 2
			}
		}
	}
	// In document order, so a tie goes to the outer element (a container
	// scores what its only paragraph scores) and the result is the same
	// every time.
	var best *html.Node
	bestScore := 0.0
	for _, n := range doc.elems {
		s, ok := score[n]
		if !ok || n.DataAtom == atom.Body {
			continue
		}
		if s *= 1 - linkDensity(n); s > bestScore {
			best, bestScore = n, s
		}
	}
	if bestScore < minDensityScore {
		return nil
	}
	return best
}

// insideUnlikely reports whether n or an ancestor is page furniture.
func insideUnlikely(n *html.Node) bool {
	for a := n; a != nil && a.Type == html.ElementNode; a = a.Parent {
		if unlikely(a) {
			return true
		}
	}
	return false
}

// linkDensity is the share of n's text inside links.
func linkDensity(n *html.Node) float64 {
	all := utf8.RuneCountInString(strings.TrimSpace(nodeText(n)))
	if all == 0 {
		return 1
	}
	linked := 0
	var walk func(*html.Node)
	walk = func(c *html.Node) {
		for ; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			if c.DataAtom == atom.A {
				linked += utf8.RuneCountInString(strings.TrimSpace(nodeText(c)))
				continue
			}
			walk(c.FirstChild)
		}
	}
	walk(n.FirstChild)
	return float64(linked) / float64(all)
}
