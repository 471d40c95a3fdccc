package render_test

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// parseHTML parses a rendered page and checks the basics every page must
// meet: it parses, it is <html lang="zh-CN"> with a UTF-8 charset, and it
// has no script in any form.
func parseHTML(t *testing.T, b []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("parse html: %v", err)
	}
	if !bytes.HasPrefix(b, []byte("<!DOCTYPE html>\n")) {
		t.Errorf("page does not start with <!DOCTYPE html>")
	}
	root := find(doc, func(n *html.Node) bool { return n.DataAtom == atom.Html })
	if got := attr(root, "lang"); got != "zh-CN" {
		t.Errorf(`<html lang=%q>, want "zh-CN"`, got)
	}
	if find(doc, func(n *html.Node) bool { return n.DataAtom == atom.Meta && attr(n, "charset") == "utf-8" }) == nil {
		t.Errorf(`no <meta charset="utf-8">`)
	}
	checkNoScript(t, doc)
	return doc
}

// checkNoScript fails on <script> elements, event-handler attributes and
// javascript: URLs: a strict Content-Security-Policy forbids them all.
func checkNoScript(t *testing.T, doc *html.Node) {
	t.Helper()
	for _, n := range findAll(doc, func(n *html.Node) bool { return n.Type == html.ElementNode }) {
		if n.DataAtom == atom.Script {
			t.Errorf("page has a <script> element")
		}
		for _, a := range n.Attr {
			if strings.HasPrefix(strings.ToLower(a.Key), "on") {
				t.Errorf("<%s> has event handler %s=%q", n.Data, a.Key, a.Val)
			}
			if strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "javascript:") {
				t.Errorf("<%s %s=%q> is a javascript: URL", n.Data, a.Key, a.Val)
			}
		}
	}
}

// find returns the first node in document order for which match is true.
func find(n *html.Node, match func(*html.Node) bool) *html.Node {
	if match(n) {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if m := find(c, match); m != nil {
			return m
		}
	}
	return nil
}

// findAll returns every node in document order for which match is true.
func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

// attr returns the value of attribute key, or "".
func attr(n *html.Node, key string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// text returns the text content of n.
func text(n *html.Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	for _, t := range findAll(n, func(n *html.Node) bool { return n.Type == html.TextNode }) {
		b.WriteString(t.Data)
	}
	return b.String()
}

// hasClass reports whether element n carries class c.
func hasClass(n *html.Node, c string) bool {
	return n.Type == html.ElementNode && strings.Contains(" "+attr(n, "class")+" ", " "+c+" ")
}

// byClass returns the first element with class c.
func byClass(doc *html.Node, c string) *html.Node {
	return find(doc, func(n *html.Node) bool { return hasClass(n, c) })
}

// metas returns the <meta name content> pairs of a page.
func metas(doc *html.Node) map[string]string {
	m := map[string]string{}
	for _, n := range findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.Meta && attr(n, "name") != "" }) {
		m[attr(n, "name")] = attr(n, "content")
	}
	return m
}

// links returns the href of every <a> and <link> under n.
func links(n *html.Node) []string {
	var out []string
	for _, a := range findAll(n, func(n *html.Node) bool {
		return (n.DataAtom == atom.A || n.DataAtom == atom.Link) && attr(n, "href") != ""
	}) {
		out = append(out, attr(a, "href"))
	}
	return out
}
