package extract

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// When an html list rule's selectors find no rows (a redesign), the list is
// found as what a list looks like: a container whose children repeat one
// shape, each holding a link to a detail page and a date. The container
// with the most such rows (at least minGenericRows) is the list.

// minGenericRows is how many dated link rows make a list.
const minGenericRows = 3

// GenericList reads the rows of a list page without selectors. Links are
// resolved against pageURL and, when pattern is set, must match it (as
// link_pattern); a row's link is its first such link, its title the link's
// title attribute or text, its date the first date in the row's text. It
// returns nil when the page holds no list.
func GenericList(body []byte, contentType string, pageURL *url.URL, pattern *regexp.Regexp) []ListEntry {
	text, _, err := Decode(body, contentType)
	if err != nil {
		return nil
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(text))
	if err != nil {
		return nil
	}
	_, _, rows := genericListNode(doc, pageURL, pattern)
	var out []ListEntry
	seen := map[string]bool{}
	for _, row := range rows {
		link := detailLink(row, pageURL, pattern)
		abs, _ := resolveLink(pageURL, attr(link, "href"))
		t, prec, _ := FindTime(nodeText(row))
		if seen[abs] {
			continue
		}
		seen[abs] = true
		title := collapseHTMLSpace(attr(link, "title"))
		if title == "" {
			title = collapseHTMLSpace(nodeText(link))
		}
		out = append(out, ListEntry{URL: abs, Title: title, Date: t, Precision: prec})
	}
	if len(out) < minGenericRows {
		return nil
	}
	return out
}

// genericListNode is GenericList's list as nodes: the container, the
// rows' tag, and the rows with a detail link and a date.
func genericListNode(doc *goquery.Document, pageURL *url.URL, pattern *regexp.Regexp) (*html.Node, string, []*html.Node) {
	var best *html.Node
	var bestTag string
	var bestRows []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		count := map[string]int{}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode {
				count[c.Data]++
			}
		}
		for tag, k := range count {
			if k < minGenericRows {
				continue
			}
			var rows []*html.Node
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.ElementNode && c.Data == tag && detailLink(c, pageURL, pattern) != nil {
					if _, _, ok := FindTime(nodeText(c)); ok {
						rows = append(rows, c)
					}
				}
			}
			if len(rows) > len(bestRows) {
				best, bestTag, bestRows = n, tag, rows
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && !skipped(c) {
				walk(c)
			}
		}
	}
	for _, n := range doc.Nodes {
		walk(n)
	}
	if len(bestRows) < minGenericRows {
		return nil, "", nil
	}
	return best, bestTag, bestRows
}

// detailLink is the first link below n to a page on the list's host that
// matches pattern (any path ending in a page name when pattern is nil).
func detailLink(n *html.Node, pageURL *url.URL, pattern *regexp.Regexp) *html.Node {
	var found *html.Node
	var walk func(*html.Node)
	walk = func(c *html.Node) {
		for ; c != nil && found == nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			if c.Data == "a" {
				if abs, ok := resolveLink(pageURL, attr(c, "href")); ok {
					u, _ := url.Parse(abs)
					if u.Host == pageURL.Host && (pattern != nil && pattern.MatchString(u.Path) || pattern == nil && looksLikePage(u.Path)) {
						found = c
						return
					}
				}
			}
			walk(c.FirstChild)
		}
	}
	walk(n.FirstChild)
	return found
}

// looksLikePage reports a path naming a page rather than a column.
func looksLikePage(path string) bool {
	for _, ext := range []string{".html", ".htm", ".shtml", ".jhtml"} {
		if strings.HasSuffix(path, ext) && !strings.HasSuffix(path, "/index"+ext) {
			return true
		}
	}
	return false
}

// resolveLink resolves href against base: an http(s) URL, or false.
func resolveLink(base *url.URL, href string) (string, bool) {
	href = strings.TrimSpace(href)
	if href == "" || strings.HasPrefix(href, "#") || strings.HasPrefix(strings.ToLower(href), "javascript:") {
		return "", false
	}
	u, err := base.Parse(href)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return "", false
	}
	u.Fragment = ""
	return u.String(), true
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
