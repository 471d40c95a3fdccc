package extract

import (
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// skipped reports elements whose content is never text a reader sees.
func skipped(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Iframe, atom.Object, atom.Embed, atom.Svg, atom.Math:
		return true
	}
	return false
}

// nodeText is the text content of n, without scripts and styles.
func nodeText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
			return
		case html.ElementNode:
			if skipped(n) {
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// breaks reports elements that start a new line in plain text.
func breaks(a atom.Atom) bool {
	switch a {
	case atom.Address, atom.Article, atom.Aside, atom.Blockquote, atom.Br, atom.Caption,
		atom.Center, atom.Dd, atom.Div, atom.Dl, atom.Dt, atom.Figcaption, atom.Figure,
		atom.Footer, atom.Form, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Header, atom.Hr, atom.Li, atom.Main, atom.Nav, atom.Ol, atom.P, atom.Pre,
		atom.Section, atom.Table, atom.Tbody, atom.Tfoot, atom.Thead, atom.Tr, atom.Ul:
		return true
	}
	return false
}

// lines renders n as plain text lines: block elements and <br> end a line,
// table cells are separated by a space, whitespace (incl. U+3000
// indentation and &nbsp;) is collapsed, and empty lines are dropped.
func lines(n *html.Node) []string { return textLines(n, false) }

// elemMark stands for the start or end of an inline element in the lines
// metadata is read from (metaLines). It lets splitPairs see a label that
// follows another element directly ("…新华社</span><span>字号：…"); it
// never reaches a value. It is a private-use character.
const elemMark = '\uE000'

// metaLines is lines with elemMark at the boundaries of inline elements.
func metaLines(n *html.Node) []string { return textLines(n, true) }

func textLines(n *html.Node, mark bool) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if l := collapseSpace(cur.String()); strings.Trim(l, string(elemMark)+" ") != "" {
			out = append(out, l)
		}
		cur.Reset()
	}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			cur.WriteString(n.Data)
			return
		case html.ElementNode:
			switch {
			case skipped(n):
				return
			case breaks(n.DataAtom):
				flush()
				defer flush()
			case n.DataAtom == atom.Td || n.DataAtom == atom.Th:
				cur.WriteByte(' ')
				defer cur.WriteByte(' ')
			case mark:
				cur.WriteRune(elemMark)
				defer cur.WriteRune(elemMark)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	flush()
	return out
}

// collapseSpace replaces every run of white space (Unicode, so U+00A0 and
// U+3000 too) by one space and trims the ends. Used for metadata values and
// plain text.
func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// collapseHTMLSpace collapses runs of HTML white space (space, tab, CR, LF,
// FF) to one space, as a browser renders them, and trims Unicode space at
// both ends. Other characters, U+3000 and U+00A0 inside the text included,
// are kept: titles are republished unaltered.
func collapseHTMLSpace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return strings.TrimFunc(b.String(), unicode.IsSpace)
}

// looksLikeCode reports values written by scripts that leaked into a cell
// (sources.md §4.4): such a value is discarded.
func looksLikeCode(s string) bool {
	return strings.ContainsAny(s, "{}") || strings.Contains(s, "document.") || strings.Contains(s, "var ")
}
