package extract

import (
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/gyeco/syndicator/config"
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
	doc, _, err := parsePage(body, contentType)
	if err != nil {
		return nil
	}
	_, _, rows := findList(doc, pageURL, pattern)
	if rows == nil {
		return nil
	}
	out := make([]ListEntry, len(rows))
	for i, r := range rows {
		out[i] = r.entry
	}
	return out
}

// GenericJSONList reads the rows of a JSON list without a rule: the array
// and the url, title and date fields SuggestList infers. pattern, when not
// empty, replaces the inferred link_pattern (the source's own). It returns
// nil when the document holds no list.
func GenericJSONList(body []byte, contentType string, pageURL *url.URL, pattern string) []ListEntry {
	rule, _, ok := SuggestList(body, contentType, pageURL)
	if !ok || rule.Kind != config.KindJSON {
		return nil
	}
	if pattern != "" {
		rule.LinkPattern = pattern
	}
	entries, err := List(body, contentType, pageURL, rule)
	if err != nil {
		return nil
	}
	return entries
}

// listRow is one row of a list found without selectors: its element and
// the entry read from it.
type listRow struct {
	node  *html.Node
	entry ListEntry
}

// findList is GenericList's list as nodes: the container, the rows' tag,
// and the rows with a detail link and a date, each link once; no rows when
// fewer than minGenericRows are found.
func findList(doc *goquery.Document, pageURL *url.URL, pattern *regexp.Regexp) (*html.Node, string, []listRow) {
	var best *html.Node
	var bestTag string
	var bestRows []listRow
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		count := map[string]int{}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode {
				count[c.Data]++
			}
		}
		for _, tag := range slices.Sorted(maps.Keys(count)) {
			if count[tag] < minGenericRows {
				continue
			}
			if rows := datedLinkRows(n, tag, pageURL, pattern); len(rows) > len(bestRows) {
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

// datedLinkRows reads n's children named tag that hold a detail link and a
// date; a link already read is not read again.
func datedLinkRows(n *html.Node, tag string, pageURL *url.URL, pattern *regexp.Regexp) []listRow {
	var rows []listRow
	seen := map[string]bool{}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode || c.Data != tag {
			continue
		}
		link, u := detailLink(c, pageURL, pattern)
		if link == nil || seen[u.String()] {
			continue
		}
		t, prec, ok := FindTime(nodeText(c))
		if !ok {
			continue
		}
		seen[u.String()] = true
		title, _ := attrExact(link, "title")
		if title = collapseHTMLSpace(title); title == "" {
			title = collapseHTMLSpace(nodeText(link))
		}
		rows = append(rows, listRow{node: c, entry: ListEntry{URL: u.String(), Title: title, Date: t, Precision: prec}})
	}
	return rows
}

// detailLink is the first link below n to a page on the list's host that
// matches pattern (any path ending in a page name when pattern is nil),
// and where it leads.
func detailLink(n *html.Node, pageURL *url.URL, pattern *regexp.Regexp) (*html.Node, *url.URL) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		if c.Data == "a" {
			href, _ := attrExact(c, "href")
			if u, ok := resolveHTTP(pageURL, href); ok && u.Host == pageURL.Host && pagePath(u.Path, pattern) {
				return c, u
			}
		}
		if link, u := detailLink(c, pageURL, pattern); link != nil {
			return link, u
		}
	}
	return nil, nil
}

// pagePath reports whether path names a detail page: one pattern accepts,
// else one ending in a page name.
func pagePath(path string, pattern *regexp.Regexp) bool {
	if pattern != nil {
		return pattern.MatchString(path)
	}
	return looksLikePage(path)
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
