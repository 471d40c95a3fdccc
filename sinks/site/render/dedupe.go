package render

import (
	"bytes"
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// reListText is the text a body's attachment list may hold besides its
// links: the 附件 label, numbering and punctuation.
var reListText = regexp.MustCompile(`^[\s\x{3000}附件下载：:.,，、。;；()（）\[\]【】\-—0-9０-９一二三四五六七八九十]*$`)

// reLabel is a paragraph that only introduces the list: "附件：".
var reLabel = regexp.MustCompile(`^[\s\x{3000}]*附件[\s\x{3000}]*[:：]?[\s\x{3000}]*$`)

// dropAttachmentList removes from body the blocks (p, li, ul, ol, div,
// section) that only list links to the attachments shown in the 附件 block
// (hrefs as on the page), with an orphaned "附件：" label before them, so
// every attachment is listed once. A link to an attachment inside running
// text is kept. The body is returned unchanged when nothing is removed.
func dropAttachmentList(body string, hrefs map[string]bool) string {
	if len(hrefs) == 0 || !strings.Contains(body, "<a") {
		return body
	}
	ctx := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(body), ctx)
	if err != nil {
		return body
	}
	for _, n := range nodes {
		ctx.AppendChild(n)
	}
	if !prune(ctx, hrefs) {
		return body
	}
	var out bytes.Buffer
	for c := ctx.FirstChild; c != nil; c = c.NextSibling {
		if err := html.Render(&out, c); err != nil {
			return body
		}
	}
	return out.String()
}

// prune removes the attachment-list blocks below n and reports whether it
// removed any.
func prune(n *html.Node, hrefs map[string]bool) bool {
	removed := false
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		if c.Type == html.ElementNode && isListBlock(c.DataAtom) {
			if ok, linked := onlyAttachments(c, hrefs); ok && linked {
				if label := prevElement(c); label != nil && isListBlock(label.DataAtom) && reLabel.MatchString(textOf(label)) && !hasElement(label, atom.A) {
					n.RemoveChild(label)
				}
				n.RemoveChild(c)
				removed = true
				c = next
				continue
			}
		}
		if prune(c, hrefs) {
			removed = true
		}
		c = next
	}
	return removed
}

func isListBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Li, atom.Ul, atom.Ol, atom.Div, atom.Section:
		return true
	}
	return false
}

// onlyAttachments reports whether n holds nothing but links to listed
// attachments, list text and formatting (ok), and at least one such link
// (linked).
func onlyAttachments(n *html.Node, hrefs map[string]bool) (ok, linked bool) {
	switch n.Type {
	case html.TextNode:
		return reListText.MatchString(n.Data), false
	case html.CommentNode:
		return true, false
	case html.ElementNode:
	default:
		return false, false
	}
	switch n.DataAtom {
	case atom.A:
		for _, a := range n.Attr {
			if a.Key == "href" && hrefs[a.Val] {
				return true, true
			}
		}
		return false, false
	case atom.Br, atom.Span, atom.Strong, atom.B, atom.Em, atom.Font, atom.P, atom.Li, atom.Ul, atom.Ol, atom.Div, atom.Section:
	default:
		return false, false
	}
	ok = true
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		cok, clinked := onlyAttachments(c, hrefs)
		if !cok {
			return false, false
		}
		linked = linked || clinked
	}
	return ok, linked
}

// prevElement is the element before n, skipping white space.
func prevElement(n *html.Node) *html.Node {
	for p := n.PrevSibling; p != nil; p = p.PrevSibling {
		if p.Type == html.TextNode && strings.TrimSpace(p.Data) == "" {
			continue
		}
		if p.Type == html.ElementNode {
			return p
		}
		return nil
	}
	return nil
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func hasElement(n *html.Node, a atom.Atom) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.DataAtom == a || hasElement(c, a) {
			return true
		}
	}
	return false
}
