package sanitize

import (
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/net/html"
)

// The walk below writes what bluemonday wrote for the policy of New when
// given the tree rendered (its stream of tags and text), decided per node:
// an element is kept (tag and content), unwrapped (content only) or
// dropped with its content; text is escaped as html.Render escapes it.

var (
	reSpan  = regexp.MustCompile(`^[0-9]{1,3}$`)
	reAlign = regexp.MustCompile(`(?i)^(?:left|right|center|justify)$`)
)

// walker writes the sanitized copy of the nodes it is given.
type walker struct {
	base  *url.URL
	b     strings.Builder
	skip  int              // > 0 inside an element dropped with its content
	attrs []html.Attribute // scratch for the attributes kept on one element
}

func (w *walker) node(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		if w.skip == 0 && !scriptText(n) {
			escape(&w.b, n.Data)
		}
		return
	case html.ElementNode:
	default:
		return // comments and doctypes are dropped
	}
	name := n.Data
	if void(name) {
		if !allowed(name) {
			return
		}
		if attrs := w.keep(name, n.Attr); (len(attrs) > 0 || bare(name)) && w.skip == 0 {
			w.tag(name, attrs, "/>")
		}
		return
	}
	switch {
	case name == "script" || name == "style":
		// dropped with their text (scriptText)
	case !allowed(name):
		if skipContent(name) {
			w.skip++
			defer func() { w.skip-- }()
		}
	default:
		if attrs := w.keep(name, n.Attr); len(attrs) > 0 || bare(name) {
			if w.skip == 0 {
				w.tag(name, attrs, ">")
				defer w.end(name)
			}
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.node(c)
	}
}

func (w *walker) end(name string) {
	if w.skip == 0 {
		w.b.WriteString("</")
		w.b.WriteString(name)
		w.b.WriteByte('>')
	}
}

func (w *walker) tag(name string, attrs []html.Attribute, close string) {
	w.b.WriteByte('<')
	w.b.WriteString(name)
	for _, a := range attrs {
		w.b.WriteByte(' ')
		w.b.WriteString(a.Key)
		w.b.WriteString(`="`)
		escape(&w.b, a.Val)
		w.b.WriteByte('"')
	}
	w.b.WriteString(close)
}

// keep returns the attributes of element name the policy keeps, in their
// order, with URLs resolved against the base. The slice is reused by the
// next call.
func (w *walker) keep(name string, attrs []html.Attribute) []html.Attribute {
	kept := w.attrs[:0]
	for _, a := range attrs {
		if a.Namespace != "" {
			continue
		}
		ok := false
		switch a.Key {
		case "colspan", "rowspan":
			ok = (name == "td" || name == "th") && reSpan.MatchString(a.Val)
		case "align":
			ok = alignable(name) && reAlign.MatchString(a.Val)
		case "title":
			ok = name == "a"
		case "alt":
			ok = name == "img"
		case "href", "src":
			if (a.Key == "href") != (name == "a") || (a.Key == "src") != (name == "img") {
				break
			}
			a.Val, ok = w.url(a.Val)
		}
		if ok {
			kept = append(kept, a)
		}
	}
	w.attrs = kept
	return kept
}

// url is the value a link keeps: resolved against the base (Resolve), then
// held to bluemonday's parseable-URL rule (no white space, a parseable URL
// with an allowed scheme or none), as written by url.URL.String.
func (w *walker) url(v string) (string, bool) {
	if w.base != nil {
		abs, ok := Resolve(w.base, v)
		if !ok {
			return "", false
		}
		v = abs
	}
	v = strings.TrimSpace(v)
	if strings.ContainsAny(v, " \t\n") {
		return "", false
	}
	u, err := url.Parse(v)
	if err != nil {
		return "", false
	}
	switch u.Scheme {
	case "http", "https", "mailto", "":
	default:
		return "", false
	}
	s := u.String()
	return s, s != ""
}

// scriptText reports the text of a script or style element, which is
// never written.
func scriptText(n *html.Node) bool {
	p := n.Parent
	return p != nil && p.Type == html.ElementNode && (p.Data == "script" || p.Data == "style")
}

// allowed reports the elements kept (with their tag).
func allowed(name string) bool {
	switch name {
	case "p", "br", "h1", "h2", "h3", "h4", "h5", "h6",
		"strong", "b", "em", "i", "u", "sub", "sup", "span", "div",
		"blockquote", "hr", "ul", "ol", "li",
		"table", "caption", "thead", "tbody", "tfoot", "tr", "td", "th",
		"a", "img":
		return true
	}
	return false
}

// bare reports the allowed elements kept without any attribute; a link
// or an image without one is unwrapped or dropped.
func bare(name string) bool { return name != "a" && name != "img" }

func alignable(name string) bool {
	switch name {
	case "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "tr", "table":
		return true
	}
	return false
}

// skipContent reports the elements dropped with their content.
func skipContent(name string) bool {
	switch name {
	case "frame", "frameset", "iframe", "noembed", "noframes", "noscript", "nostyle", "object", "title",
		"embed", "template", "svg", "math", "textarea", "select", "button", "applet":
		return true
	}
	return false
}

// void reports the elements html.Render writes as <x/>, without content.
func void(name string) bool {
	switch name {
	case "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param", "source", "track", "wbr":
		return true
	}
	return false
}

// escape writes s as html.EscapeString would, without the copy.
func escape(b *strings.Builder, s string) {
	for {
		i := indexEscaped(s)
		if i < 0 {
			b.WriteString(s)
			return
		}
		b.WriteString(s[:i])
		switch s[i] {
		case '&':
			b.WriteString("&amp;")
		case '\'':
			b.WriteString("&#39;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&#34;")
		case '\r':
			b.WriteString("&#13;")
		}
		s = s[i+1:]
	}
}

// indexEscaped is strings.IndexAny(s, "&'<>\"\r"). Every one of these
// bytes is below 0x3F, so eight bytes with none below it (the zero-byte
// test of "Bit Twiddling Hacks") are passed over at once: Chinese text,
// all bytes from 0x80, is not looked at a byte at a time.
func indexEscaped(s string) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for i := 0; i < len(s); {
		if i+8 <= len(s) {
			w := s[i : i+8]
			x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
				uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
			if (x-0x3F*ones)&^x&highs == 0 {
				i += 8
				continue
			}
		}
		switch s[i] {
		case '&', '\'', '<', '>', '"', '\r':
			return i
		}
		i++
	}
	return -1
}
