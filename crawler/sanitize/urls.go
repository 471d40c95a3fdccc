package sanitize

import (
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// absolutize rewrites every href and src in the fragment raw to an absolute
// URL resolved against base, and removes the attribute when the value is not
// an http, https or mailto URL once resolved. The bluemonday policy runs
// afterwards and remains the last word on what is safe; this pass only makes
// links work on another host and closes the gap between Go's URL parser and a
// browser's (which silently removes tabs and newlines: "jav\tascript:").
func absolutize(base *url.URL, raw string) string {
	ctx := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(raw), ctx)
	if err != nil {
		return raw // the policy alone still makes it safe
	}
	var b strings.Builder
	for _, n := range nodes {
		rewriteURLs(base, n)
		if err := html.Render(&b, n); err != nil {
			return raw
		}
	}
	return b.String()
}

func rewriteURLs(base *url.URL, n *html.Node) {
	if n.Type == html.ElementNode {
		kept := n.Attr[:0]
		for _, a := range n.Attr {
			if a.Namespace == "" && isURLAttr(a.Key) {
				abs, ok := Resolve(base, a.Val)
				if !ok {
					continue
				}
				a.Val = abs
			}
			kept = append(kept, a)
		}
		n.Attr = kept
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		rewriteURLs(base, c)
	}
}

func isURLAttr(key string) bool {
	switch key {
	case "href", "src", "cite", "action", "formaction", "background", "poster", "xlink:href":
		return true
	}
	return false
}

// Resolve resolves ref, an attribute value as written in HTML, against base
// the way a browser does: leading and trailing spaces and control characters
// are trimmed and ASCII tabs and newlines removed before parsing. It reports
// false for an empty or unparseable value and for any scheme other than
// http, https and mailto.
func Resolve(base *url.URL, ref string) (string, bool) {
	ref = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, ref)
	ref = strings.TrimFunc(ref, func(r rune) bool { return r <= ' ' })
	if ref == "" {
		return "", false
	}
	var u *url.URL
	var err error
	if base != nil {
		u, err = base.Parse(ref)
	} else {
		u, err = url.Parse(ref)
	}
	if err != nil {
		return "", false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		if u.Host == "" {
			return "", false
		}
	case "mailto":
	default:
		return "", false
	}
	return u.String(), true
}
