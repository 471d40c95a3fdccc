package render

import (
	"cmp"
	"encoding/xml"
	"fmt"
	"slices"
	"time"

	"github.com/gyeco/syndicator/syndicator"
)

// sitemapMax is the most URLs one sitemap file may list (sitemaps.org).
const sitemapMax = 50000

// SitemapPagesPath is the sitemap file of the home page and the column
// indexes; the articles are in one file per month (SitemapMonthPath).
const SitemapPagesPath = "sitemap-pages.xml"

type urlset struct {
	XMLName xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

type sitemapIndex struct {
	XMLName  xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemapindex"`
	Sitemaps []sitemapURL `xml:"sitemap"`
}

// SitemapFile is one file the sitemap index lists, with the latest
// change among what it lists (zero: unknown).
type SitemapFile struct {
	Path    string
	LastMod time.Time
}

// SitemapMonth is the month whose sitemap file lists the article: the
// yyyymm of its path, Item.PublishedAt in Beijing time.
func SitemapMonth(a *Article) string {
	return a.Item.PublishedAt.In(syndicator.Shanghai).Format("200601")
}

// SitemapMonthPath is the file of part (from 0) of a month's articles:
// sitemap-202609.xml, then sitemap-202609-2.xml past 50 000 URLs.
func SitemapMonthPath(month string, part int) string {
	if part == 0 {
		return "sitemap-" + month + ".xml"
	}
	return fmt.Sprintf("sitemap-%s-%d.xml", month, part+1)
}

// Sitemaps renders the whole sitemap of arts: the index, sitemap.xml,
// then the files it lists (SitemapPages, SitemapArticles).
func (r *Renderer) Sitemaps(arts []Article) ([]Page, error) {
	if err := r.checkAll(arts); err != nil {
		return nil, err
	}
	all := newest(arts, func(*Article) bool { return true })
	front := map[string][]*Article{}
	months := map[string][]*Article{}
	for _, a := range all {
		if c := a.column(); len(front[c]) < r.site.PageSize {
			front[c] = append(front[c], a)
		}
		months[SitemapMonth(a)] = append(months[SitemapMonth(a)], a)
	}
	pages, files, err := r.SitemapPages(front)
	if err != nil {
		return nil, err
	}
	out := []Page{{}, pages}
	for m, arts := range months {
		mp, mf, err := r.SitemapArticles(m, arts)
		if err != nil {
			return nil, err
		}
		out = append(out, mp...)
		files = append(files, mf...)
	}
	index, err := r.SitemapIndex(files)
	if err != nil {
		return nil, err
	}
	out[0] = Page{Path: SitemapPath, Body: index}
	slices.SortFunc(out[2:], func(a, b Page) int { return cmp.Compare(b.Path, a.Path) })
	return out, nil
}

// SitemapPages renders SitemapPagesPath: the home page and every column's
// index.html. front holds each column's articles on its index.html (by
// column ID); the latest change among them is the page's <lastmod>, the
// latest of all the home page's. It returns the file for the index too.
func (r *Renderer) SitemapPages(front map[string][]*Article) (Page, []SitemapFile, error) {
	latest := map[string]time.Time{} // by column ID; "" is the whole site
	for c, arts := range front {
		for _, a := range arts {
			u := a.updatedAt()
			latest[c] = maxTime(latest[c], u)
			latest[""] = maxTime(latest[""], u)
		}
	}
	var s urlset
	s.URLs = append(s.URLs, r.sitemapURL("", latest[""]))
	for _, c := range r.site.Columns {
		s.URLs = append(s.URLs, r.sitemapURL(ColumnPagePath(c.ID, 0), latest[c.ID]))
	}
	b, err := marshalXML(s)
	if err != nil {
		return Page{}, nil, err
	}
	return Page{Path: SitemapPagesPath, Body: b}, []SitemapFile{{Path: SitemapPagesPath, LastMod: latest[""]}}, nil
}

// SitemapArticles renders the sitemap files of one month's articles,
// newest first with <lastmod>, 50 000 URLs a file; locations are
// absolute under BaseURL, else root-relative. A month without articles
// gets one empty file, so a page withdrawn from it leaves the sitemap,
// and no entry for the index.
func (r *Renderer) SitemapArticles(month string, arts []*Article) ([]Page, []SitemapFile, error) {
	for _, a := range arts {
		if _, err := r.check(a); err != nil {
			return nil, nil, err
		}
		if SitemapMonth(a) != month {
			return nil, nil, invalid("article %s is not of month %s", a.Item.ID, month)
		}
	}
	sorted := slices.SortedFunc(slices.Values(arts), Newer)
	var pages []Page
	var files []SitemapFile
	for part := 0; part == 0 || part*sitemapMax < len(sorted); part++ {
		var s urlset
		var latest time.Time
		for _, a := range sorted[part*sitemapMax : min(len(sorted), (part+1)*sitemapMax)] {
			s.URLs = append(s.URLs, r.sitemapURL(ArticlePath(a), a.updatedAt()))
			latest = maxTime(latest, a.updatedAt())
		}
		b, err := marshalXML(s)
		if err != nil {
			return nil, nil, err
		}
		p := SitemapMonthPath(month, part)
		pages = append(pages, Page{Path: p, Body: b})
		if len(s.URLs) > 0 {
			files = append(files, SitemapFile{Path: p, LastMod: latest})
		}
	}
	return pages, files, nil
}

// SitemapIndex renders sitemap.xml, the sitemap index of files: the
// pages' file first, then the months newest first (the order of their
// paths, descending).
func (r *Renderer) SitemapIndex(files []SitemapFile) ([]byte, error) {
	sorted := slices.SortedFunc(slices.Values(files), func(a, b SitemapFile) int {
		if (a.Path == SitemapPagesPath) != (b.Path == SitemapPagesPath) {
			if a.Path == SitemapPagesPath {
				return -1
			}
			return 1
		}
		return cmp.Compare(b.Path, a.Path)
	})
	var s sitemapIndex
	for _, f := range sorted {
		s.Sitemaps = append(s.Sitemaps, r.sitemapURL(f.Path, f.LastMod))
	}
	return marshalXML(s)
}

// sitemapURL is the entry of docroot path p.
func (r *Renderer) sitemapURL(p string, lastMod time.Time) sitemapURL {
	u := sitemapURL{Loc: r.absURL(p)}
	if !lastMod.IsZero() {
		u.LastMod = atomTime(lastMod)
	}
	return u
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
