package extract

import (
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/gyeco/syndicator/config"
)

// A list's later pages are found in one of two ways: TRS-style files next
// to the first page (index_1.html, index_2.html …), or a query parameter
// numbering the pages (?page=2, &p=2, pageNo=2), which is how JSON APIs
// and most other CMS families page.

// PageURL returns the URL of 0-based page n of a list whose first page is
// first, read with rule: with a page_param, first with that parameter
// advanced by n; else NextPageURL for an html list. It is nil for n > 0
// when the rule does not page (a json or feed list without page_param),
// and for a nil first.
func PageURL(first *url.URL, n int, rule config.ListRule) *url.URL {
	switch {
	case first == nil:
		return nil
	case n <= 0:
		u := *first
		return &u
	case rule.PageParam != "":
		return QueryPageURL(first, rule.PageParam, n)
	case rule.Kind == config.KindHTML:
		return NextPageURL(first, n)
	}
	return nil
}

// QueryPageURL returns first with the query parameter param set to its
// value on first plus n (1 plus n when first has none or a non-number).
// Every other parameter keeps its place and spelling.
func QueryPageURL(first *url.URL, param string, n int) *url.URL {
	u := *first
	u.Fragment, u.RawFragment = "", ""
	parts := strings.Split(u.RawQuery, "&")
	if u.RawQuery == "" {
		parts = nil
	}
	for i, p := range parts {
		k, v, _ := strings.Cut(p, "=")
		if key, err := url.QueryUnescape(k); err != nil || key != param {
			continue
		}
		base, err := strconv.Atoi(v)
		if err != nil {
			base = 1
		}
		parts[i] = k + "=" + strconv.Itoa(base+n)
		u.RawQuery = strings.Join(parts, "&")
		return &u
	}
	u.RawQuery = strings.Join(append(parts, url.QueryEscape(param)+"="+strconv.Itoa(1+n)), "&")
	return &u
}

// NextPageURL returns the URL of list page n (0-based) of a TRS-style
// column whose first page is first: page 0 is first itself, page n is
// index_<n>.html in the same directory (".../" and ".../index.html" give
// ".../index_<n>.html"; another file name "list.htm" gives "list_<n>.htm").
// Query and fragment are dropped from later pages. A nil first gives nil.
func NextPageURL(first *url.URL, n int) *url.URL {
	if first == nil {
		return nil
	}
	u := *first
	if n <= 0 {
		return &u
	}
	u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = "", false, "", ""
	dir, file := path.Split(u.Path)
	if u.Path == "" {
		dir, file = "/", ""
	}
	if file == "" {
		file = "index.html"
	}
	ext := path.Ext(file)
	if ext == "" {
		dir, file, ext = strings.TrimSuffix(u.Path, "/")+"/", "index.html", ".html"
	}
	u.Path = dir + strings.TrimSuffix(file, ext) + "_" + strconv.Itoa(n) + ext
	u.RawPath = ""
	return &u
}
