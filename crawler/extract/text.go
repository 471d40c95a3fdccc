package extract

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gyeco/syndicator/syndicator"

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
// indentation and &nbsp;) is collapsed, and empty lines are dropped. text
// is the lines joined by "\n"; each line is a substring of it.
func lines(n *html.Node) (text string, lines []string) { return textLines(n, false) }

// elemMark stands for the start or end of an inline element in the lines
// metadata is read from (metaLines). It lets splitPairs see a label that
// follows another element directly ("…新华社</span><span>字号：…"); it
// never reaches a value. It is a private-use character.
const elemMark = '\uE000'

// metaLines is lines with elemMark at the boundaries of inline elements.
func metaLines(n *html.Node) []string {
	_, l := textLines(n, true)
	return l
}

func textLines(n *html.Node, mark bool) (string, []string) {
	var w lineWriter
	w.buf = make([]byte, 0, textSize(n))
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			w.text(n.Data)
			return
		case html.ElementNode:
			switch {
			case skipped(n):
				return
			case breaks(n.DataAtom):
				w.flush()
				defer w.flush()
			case n.DataAtom == atom.Td || n.DataAtom == atom.Th:
				w.text(" ")
				defer w.text(" ")
			case mark:
				w.text(string(elemMark))
				defer w.text(string(elemMark))
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	w.flush()
	return w.done()
}

// textSize bounds the size of the lines of n: collapsing white space
// only shrinks its text, and each element adds at most a line break or
// a space on either side, or two element marks.
func textSize(n *html.Node) int {
	size := 0
	for d := range n.Descendants() {
		switch d.Type {
		case html.TextNode:
			size += len(d.Data)
		case html.ElementNode:
			size += 2 * utf8.RuneLen(elemMark)
		}
	}
	return size
}

// lineWriter collapses white space as it is given text, into one buffer of
// "\n"-separated lines: the text of a page is not copied line by line
// and joined again.
type lineWriter struct {
	buf   []byte
	spans [][2]int // kept lines, as offsets in buf
	begin int      // where the current line begins, its separator included
	start int      // where its first word is (once it has one)
	space bool     // white space since the line's last word
}

// text adds s to the current line: its words, separated by one space
// from each other and from the words before them (syndicator.AppendWords
// over the whole line, given in pieces).
func (w *lineWriter) text(s string) {
	if s == "" {
		return
	}
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	n, had := len(w.buf), len(w.buf) > w.begin
	switch {
	case had && (w.space || unicode.IsSpace(first)):
		w.buf = append(w.buf, ' ')
	case !had && len(w.spans) > 0:
		w.buf = append(w.buf, '\n')
	}
	mark := len(w.buf)
	w.buf = syndicator.AppendWords(w.buf, s)
	if len(w.buf) == mark { // white space only
		w.buf, w.space = w.buf[:n], had
		return
	}
	if !had {
		w.start = mark
	}
	w.space = unicode.IsSpace(last)
}

// flush ends the current line; it is dropped when it has nothing but
// white space and element marks.
func (w *lineWriter) flush() {
	if len(w.buf) > w.begin {
		if len(bytes.Trim(w.buf[w.start:], string(elemMark)+" ")) == 0 {
			w.buf = w.buf[:w.begin]
		} else {
			w.spans = append(w.spans, [2]int{w.start, len(w.buf)})
		}
	}
	w.begin, w.space = len(w.buf), false
}

// done returns the lines joined by "\n", and each of them.
func (w *lineWriter) done() (string, []string) {
	text := string(w.buf)
	out := make([]string, len(w.spans))
	for i, sp := range w.spans {
		out[i] = text[sp[0]:sp[1]]
	}
	return text, out
}

// collapseSpace replaces every run of white space (Unicode, so U+00A0 and
// U+3000 too) by one space and trims the ends. Used for metadata values and
// plain text.
func collapseSpace(s string) string {
	return string(syndicator.AppendWords(make([]byte, 0, len(s)), s))
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
