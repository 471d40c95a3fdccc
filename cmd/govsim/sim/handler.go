package sim

import (
	"bytes"
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
}

// ServeHTTP serves GET and HEAD for the paths listed by Paths, with
// Content-Type, Last-Modified and ETag; it answers conditional and range
// requests (http.ServeContent) and 404 for any other path.
func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.hit(r.URL.Path)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p, ok := s.page(r.Host, r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", p.ctype)
	w.Header().Set("ETag", `"`+sha256Hex(p.body)[:32]+`"`)
	http.ServeContent(w, r, "", p.modified, bytes.NewReader(p.body))
}

// Body returns the exact bytes and Content-Type the handler serves for a URL
// path, requested with the given Host header (e.g. "127.0.0.1:8090"). Only
// the gov.cn JSON list depends on host, since its URLs are absolute; every
// other body is the same for any host, and detail pages and attachments never
// change once published. ok is false where the handler answers 404.
func (s *Site) Body(host, path string) (body []byte, contentType string, ok bool) {
	p, ok := s.page(host, path)
	return p.body, p.ctype, ok
}

// page renders what path serves now. The handler and Body both call it, so
// they cannot disagree.
func (s *Site) page(host, path string) (page, bool) {
	if host == "" {
		host = "localhost"
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	switch path {
	case "/":
		return page{[]byte(rootPage), typeHTML, s.start}, true
	case "/robots.txt":
		return page{[]byte("User-agent: *\nDisallow:\n"), typeText, s.start}, true
	case govcnList:
		newest := slices.Clone(s.govcn)
		slices.Reverse(newest)
		return page{renderGovCNList(host, newest), typeJSON, s.newest(s.govcnItems())}, true
	}
	if it, ok := s.byPath[path]; ok {
		if it.Site == GovCN {
			return page{renderGovCNDetail(it), typeHTML, it.ModifiedAt}, true
		}
		return page{renderGuizhouDetail(it), typeHTML, it.ModifiedAt}, true
	}
	if f, ok := s.files[path]; ok {
		return page{f.data, typePDF, f.it.PublishedAt}, true
	}
	for _, col := range guizhouColumns {
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
		return page{renderGuizhouList(col, newest, k), typeHTML, s.newest(items)}, true
	}
	return page{}, false
}

// pageIndex parses the file part of a Guizhou list URL: "" and "index.html"
// are page 0, "index_<k>.html" page k (k >= 1, no leading zeros).
func pageIndex(name string) (int, bool) {
	if name == "" || name == "index.html" {
		return 0, true
	}
	num, ok := strings.CutPrefix(name, "index_")
	if num, ok = strings.CutSuffix(num, ".html"); !ok {
		return 0, false
	}
	k, err := strconv.Atoi(num)
	if err != nil || k < 1 || strconv.Itoa(k) != num {
		return 0, false
	}
	return k, true
}

func (s *Site) govcnItems() []*item {
	var its []*item
	for _, e := range s.govcn {
		if e.it != nil {
			its = append(its, e.it)
		}
	}
	return its
}

// newest is the Last-Modified of a list: its latest publication, or start.
func (s *Site) newest(oldestFirst []*item) time.Time {
	if len(oldestFirst) == 0 {
		return s.start
	}
	return oldestFirst[len(oldestFirst)-1].PublishedAt
}

// Paths returns every URL path served now: the site root and robots.txt,
// the lists (every Guizhou page, under both names of page 1), then the
// detail pages and attachments in publication order.
func (s *Site) Paths() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ps := []string{"/", "/robots.txt", govcnList}
	for _, col := range guizhouColumns {
		ps = append(ps, col.list)
		for k := range guizhouPages(len(s.lists[col.slug])) {
			ps = append(ps, col.list+guizhouPageName(k))
		}
	}
	for _, it := range s.all {
		ps = append(ps, it.Path)
		for _, a := range it.Attachments {
			ps = append(ps, a.Path)
		}
	}
	return ps
}

const rootPage = `<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>govsim</title></head>
<body>
<h1>govsim: simulated government sites</h1>
<ul>
<li><a href="/govcn/zhengce/zuixin/ZUIXINZHENGCE.json">中国政府网 最新政策 (JSON)</a></li>
<li><a href="/guizhou/zwgk/zcfg/szfwj/qff/">贵州省人民政府 黔府发</a></li>
<li><a href="/guizhou/zwgk/zcfg/szfwj/qfbf/">贵州省人民政府 黔府办发</a></li>
</ul>
</body>
</html>
`
