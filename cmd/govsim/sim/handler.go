package sim

import (
	"bytes"
	"fmt"
	"html"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Content types of the responses.
const (
	typeHTML = "text/html; charset=utf-8"
	typeJSON = "application/json; charset=utf-8"
	typeText = "text/plain; charset=utf-8"
	typePDF  = "application/pdf"
)

// page is one response body with what the handler sends along.
type page struct {
	body     []byte
	ctype    string
	modified time.Time
	status   int // non-zero: the handler answers this status instead (Remove)
}

// ServeHTTP serves GET and HEAD for the paths listed by Paths, the HTML
// shells of the gov.cn JSON lists (govcn_shell.go) and the gov.cn search API
// (govcn_search.go), with Content-Type, Last-Modified and ETag; it answers
// conditional and range requests (http.ServeContent), the status given to
// Remove for a removed detail page and 404 for any other path. Only the
// search API reads the query string.
func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.hit(r.URL.Path)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p, ok := s.page(r.Host, r.URL.Path, r.URL.RawQuery)
	if !ok {
		http.NotFound(w, r)
		return
	}
	if p.status != 0 {
		http.Error(w, http.StatusText(p.status), p.status)
		return
	}
	w.Header().Set("Content-Type", p.ctype)
	w.Header().Set("ETag", `"`+sha256Hex(p.body)[:32]+`"`)
	http.ServeContent(w, r, "", p.modified, bytes.NewReader(p.body))
}

// Body returns the exact bytes and Content-Type the handler serves for a URL
// path, requested with the given Host header (e.g. "127.0.0.1:8090"). Only
// the gov.cn JSON lists depend on host, since their URLs are absolute;
// every other body is the same for any host. Attachments never change once
// published, detail pages only through Revise and Repeal (有效性); lists
// change with new releases, Repeal (失效废止文件) and Redesign. County pages
// are GB18030 bytes. ok is false where the handler answers 404, or the
// status given to Remove. For the search API alone, path may carry a query:
// Body(host, "/govcn/search-gov/data?t=zhengcelibrary_gw&p=2").
func (s *Site) Body(host, path string) (body []byte, contentType string, ok bool) {
	path, query := splitSearch(path)
	p, ok := s.page(host, path, query)
	if !ok || p.status != 0 {
		return nil, "", false
	}
	return p.body, p.ctype, true
}

// page renders what path serves now; query matters to the search API only.
// The handler and Body both call it, so they cannot disagree.
func (s *Site) page(host, path, query string) (page, bool) {
	if host == "" {
		host = "localhost"
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	switch path {
	case "/":
		return page{body: s.rootPage(), ctype: typeHTML, modified: s.start}, true
	case "/robots.txt":
		return page{body: []byte("User-agent: *\nDisallow:\n"), ctype: typeText, modified: s.start}, true
	case searchPath:
		if !s.sites[GovCN] {
			return page{}, false
		}
		return s.searchPage(host, query), true
	}
	for _, col := range s.sites.jsonLists() {
		if path == col.list {
			entries, items := s.jsonRows(col)
			return page{body: renderGovCNList(host, entries, s.redesign[GovCN]), ctype: typeJSON, modified: s.newest(items)}, true
		}
	}
	if col, ok := s.sites.shellColumn(path); ok {
		return page{body: renderGovCNShell(col), ctype: typeHTML, modified: s.start}, true
	}
	if it, ok := s.byPath[path]; ok {
		if it.Removed != 0 {
			return page{status: it.Removed}, true
		}
		body, ctype := renderDetail(it)
		return page{body: body, ctype: ctype, modified: it.ModifiedAt}, true
	}
	if f, ok := s.files[path]; ok {
		return page{body: f.data, ctype: typePDF, modified: f.it.PublishedAt}, true
	}
	for _, col := range s.sites.htmlLists() {
		rest, ok := strings.CutPrefix(path, col.list)
		if !ok {
			continue
		}
		k, ok := pageIndex(rest)
		items := s.lists[col.slug]
		if !ok || k >= guizhouPages(len(items)) {
			return page{}, false
		}
		newest := slices.Clone(items)
		slices.Reverse(newest)
		redesigned := s.redesign[col.site]
		if col.tmpl == tmplCounty {
			return page{body: renderCountyList(col, newest, k, redesigned), ctype: typeCounty, modified: s.listModified(col.slug, items)}, true
		}
		return page{body: renderTRSList(trsSiteOf(col.site), col, newest, k, redesigned), ctype: typeHTML, modified: s.listModified(col.slug, items)}, true
	}
	return page{}, false
}

// jsonRows returns the rows of a gov.cn JSON list, newest first, and its
// releases, oldest first. The 国务院文件 list holds the 最新政策 releases
// too: they are all 国务院文件.
func (s *Site) jsonRows(col column) ([]entry, []*item) {
	items := s.lists[col.slug]
	if col.slug == colZuixin.slug {
		entries := slices.Clone(s.govcn)
		slices.Reverse(entries)
		return entries, items
	}
	if col.slug == colGWYWJ.slug {
		items = append(slices.Clone(items), s.lists[colZuixin.slug]...)
		slices.SortStableFunc(items, func(a, b *item) int { return a.PublishedAt.Compare(b.PublishedAt) })
	}
	entries := make([]entry, 0, len(items))
	for _, it := range slices.Backward(items) {
		entries = append(entries, entry{it: it})
	}
	return entries, items
}

// renderDetail draws the detail page of a release in its column's
// template, and returns it with its Content-Type.
func renderDetail(it *item) ([]byte, string) {
	switch columnOf(it.Column).tmpl {
	case tmplGovA:
		return renderGovCNDetail(it), typeHTML
	case tmplGovLib:
		return renderGovLibDetail(it), typeHTML
	case tmplGovB:
		return renderJieduDetail(it), typeHTML
	case tmplCounty:
		return renderCountyDetail(it), typeCounty
	}
	return renderTRSDetail(trsSiteOf(it.Site), it), typeHTML
}

// pageIndex parses the file part of a paged list URL: "" and "index.html"
// are page 0, "index_<k>.html" page k (k >= 1, no leading zeros).
func pageIndex(name string) (int, bool) {
	if name == "" || name == "index.html" {
		return 0, true
	}
	num, ok := strings.CutPrefix(name, "index_")
	if !ok {
		return 0, false
	}
	if num, ok = strings.CutSuffix(num, ".html"); !ok {
		return 0, false
	}
	k, err := strconv.Atoi(num)
	if err != nil || k < 1 || strconv.Itoa(k) != num {
		return 0, false
	}
	return k, true
}

// newest is the Last-Modified of a list: its latest publication, or start.
func (s *Site) newest(oldestFirst []*item) time.Time {
	if len(oldestFirst) == 0 {
		return s.start
	}
	return oldestFirst[len(oldestFirst)-1].PublishedAt
}

// listModified is the Last-Modified of an HTML list: its latest
// publication, or a later change that added no release (Repeal filling the
// 失效废止文件 list), so that conditional requests see the change.
func (s *Site) listModified(slug string, oldestFirst []*item) time.Time {
	t := s.newest(oldestFirst)
	if c, ok := s.touched[slug]; ok && c.After(t) {
		return c
	}
	return t
}

// Lists returns the URL paths of the lists served (page 1 of paged lists),
// JSON lists first, in a fixed order.
func (s *Site) Lists() []string {
	var ps []string
	for _, col := range append(s.sites.jsonLists(), s.sites.htmlLists()...) {
		ps = append(ps, col.list)
	}
	return ps
}

// Paths returns every URL path served now: the site root and robots.txt,
// the lists (every page of a paged list, under both names of page 1), then
// the detail pages (but those Remove took down) and attachments in
// publication order. It leaves out the HTML shells of the gov.cn JSON lists
// (Shells) and the search API, which hold no release of their own, so that
// callers reading every path as a list or detail page stay right.
func (s *Site) Paths() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ps := []string{"/", "/robots.txt"}
	for _, col := range s.sites.jsonLists() {
		ps = append(ps, col.list)
	}
	for _, col := range s.sites.htmlLists() {
		ps = append(ps, col.list)
		for k := range guizhouPages(len(s.lists[col.slug])) {
			ps = append(ps, col.list+guizhouPageName(k))
		}
	}
	for _, it := range s.all {
		if it.Removed == 0 {
			ps = append(ps, it.Path)
		}
		for _, a := range it.Attachments {
			ps = append(ps, a.Path)
		}
	}
	return ps
}

// Shells returns the URL paths of the HTML shells of the gov.cn JSON lists,
// both names of each (directory, then index.htm), in the order of Lists.
func (s *Site) Shells() []string {
	var ps []string
	for _, col := range s.sites.jsonLists() {
		ps = append(ps, shellDir(col), shellDir(col)+shellIndex)
	}
	return ps
}

// rootPage links every list served, the pages of the gov.cn JSON lists and
// an example of the gov.cn search API.
func (s *Site) rootPage() []byte {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>govsim</title></head>
<body>
<h1>govsim: simulated government sites</h1>
<ul>
`)
	for _, col := range s.sites.jsonLists() {
		label := col.name
		if col.slug == colZuixin.slug {
			label = "最新政策"
		}
		fmt.Fprintf(&b, "<li><a href=\"%s\">中国政府网 %s (JSON)</a></li>\n", col.list, label)
		fmt.Fprintf(&b, "<li><a href=\"%s\">中国政府网 %s (页面)</a></li>\n", shellDir(col), label)
	}
	if s.sites[GovCN] {
		fmt.Fprintf(&b, "<li><a href=\"%s\">中国政府网 政策文件库检索 (JSON)</a></li>\n", html.EscapeString(searchExample))
	}
	for _, col := range s.sites.htmlLists() {
		owner := countyName
		if col.tmpl == tmplTRS {
			owner = trsSiteOf(col.site).name
		}
		fmt.Fprintf(&b, "<li><a href=\"%s\">%s %s</a></li>\n", col.list, owner, col.name)
	}
	b.WriteString("</ul>\n</body>\n</html>\n")
	return []byte(b.String())
}
