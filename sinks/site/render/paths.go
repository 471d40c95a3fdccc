package render

import (
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/gyeco/syndicator/syndicator"
)

// ArticlePath returns the docroot-relative path of the article (DESIGN §8):
// <column>/<yyyymm>/t<yyyymmdd>_<id>.html, dated by Item.PublishedAt in
// Beijing time. The column is Article.Column, or Item.Column when that is
// empty. ArticlePath does not validate; Article and the index methods
// reject an article whose path would be unsafe.
func ArticlePath(a *Article) string {
	t := a.Item.PublishedAt.In(syndicator.Shanghai)
	return fmt.Sprintf("%s/%s/t%s_%s.html", a.column(), t.Format("200601"), t.Format("20060102"), a.Item.ID)
}

// ColumnPagePath returns the path of page n of a column index (see
// ColumnLayout): <column>/index.html for 0, the newest articles, then
// <column>/index_1.html, <column>/index_2.html, … counted from the oldest.
func ColumnPagePath(column string, n int) string {
	return column + "/" + pageFile(n)
}

// pageFile is the file name of page n of a column index.
func pageFile(n int) string {
	if n == 0 {
		return "index.html"
	}
	return fmt.Sprintf("index_%d.html", n)
}

// relPath returns the relative link from the page at docroot path from to
// the docroot path to, e.g. from "zcwj/202609/t…html" to "zcwj/index.html"
// it is "../index.html".
func relPath(from, to string) string {
	fromDirs := strings.Split(path.Dir(from), "/")
	if path.Dir(from) == "." {
		fromDirs = nil
	}
	toParts := strings.Split(to, "/")
	toDirs, file := toParts[:len(toParts)-1], toParts[len(toParts)-1]
	i := 0
	for i < len(fromDirs) && i < len(toDirs) && fromDirs[i] == toDirs[i] {
		i++
	}
	var b strings.Builder
	for range fromDirs[i:] {
		b.WriteString("../")
	}
	for _, d := range toDirs[i:] {
		b.WriteString(d)
		b.WriteString("/")
	}
	b.WriteString(file)
	return b.String()
}

// linkFrom resolves an attachment href, given relative to the docroot, for
// the page at docroot path from. Absolute http(s) links pass unchanged;
// root-relative links, links leaving the docroot and other schemes are
// rejected.
func linkFrom(from, href string) (string, error) {
	u, err := url.Parse(href)
	if err != nil {
		return "", fmt.Errorf("href %q: %w", href, err)
	}
	if u.Scheme == "http" || u.Scheme == "https" {
		if u.Host == "" {
			return "", fmt.Errorf("href %q has no host", href)
		}
		return u.String(), nil
	}
	if u.Scheme != "" || u.Host != "" || u.Opaque != "" || u.Path == "" || strings.HasPrefix(u.Path, "/") {
		return "", fmt.Errorf("href %q is neither docroot-relative nor absolute http(s)", href)
	}
	clean := path.Clean(u.Path)
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return "", fmt.Errorf("href %q leaves the docroot", href)
	}
	rel := url.URL{Path: relPath(from, clean), RawQuery: u.RawQuery, Fragment: u.Fragment}
	return rel.String(), nil
}

// safeSegment reports whether s may be used as one path segment: 1–64
// ASCII letters, digits, '-' or '_', not starting with '-'.
func safeSegment(s string) bool {
	if s == "" || len(s) > 64 || s[0] == '-' {
		return false
	}
	for _, c := range []byte(s) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
		if !ok {
			return false
		}
	}
	return true
}
