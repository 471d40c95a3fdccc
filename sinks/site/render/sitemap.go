package render

import (
	"encoding/xml"
	"time"
)

// sitemapMax is the most URLs one sitemap file may list (sitemaps.org).
const sitemapMax = 50000

type urlset struct {
	XMLName xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

// Sitemap renders sitemap.xml: the home page, the first index page of
// every column and every article, newest first, with <lastmod> where known.
// Past 50 000 URLs the oldest articles are left out. Locations are
// absolute under BaseURL, else root-relative.
func (r *Renderer) Sitemap(arts []Article) ([]byte, error) {
	if err := r.checkAll(arts); err != nil {
		return nil, err
	}
	all := newest(arts, func(*Article) bool { return true })
	latest := map[string]time.Time{} // by column ID; "" is the whole site
	for _, a := range all {
		for _, k := range []string{"", a.column()} {
			if u := a.updatedAt(); u.After(latest[k]) {
				latest[k] = u
			}
		}
	}
	var s urlset
	add := func(p string, t time.Time) {
		u := sitemapURL{Loc: r.absURL(p)}
		if !t.IsZero() {
			u.LastMod = atomTime(t)
		}
		s.URLs = append(s.URLs, u)
	}
	add("", latest[""])
	for _, c := range r.site.Columns {
		add(ColumnPagePath(c.ID, 0), latest[c.ID])
	}
	for _, a := range all[:min(len(all), sitemapMax-len(s.URLs))] {
		add(ArticlePath(a), a.updatedAt())
	}
	return marshalXML(s)
}
