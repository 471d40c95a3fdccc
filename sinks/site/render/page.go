package render

import "strings"

// pageView is what the shared head, header and footer templates need.
type pageView struct {
	Lang      string
	SiteName  string
	Title     string // the <title>
	Canonical string // absolute URL, or "" for none
	Meta      []metaTag
	Menu      []menuItem
	HomeHref  string
	StyleHref string
	FeedHref  string
	Chrome    chromeView
}

// metaTag is one <meta name content>.
type metaTag struct{ Name, Content string }

// menuItem is one column in the site menu.
type menuItem struct {
	Name    string
	Href    string
	Current bool
}

// page builds the shared parts of the page at docroot path p. current is
// the column the page belongs to, or "".
func (r *Renderer) page(p, title, current string, meta []metaTag) pageView {
	return r.pageLinked(title, current, meta, func(target string) string { return relPath(p, target) })
}

// pageLinked is page with the links given by href, which maps a docroot
// path to the href used on the page.
func (r *Renderer) pageLinked(title, current string, meta []metaTag, href func(string) string) pageView {
	v := pageView{
		Lang:      "zh-CN",
		SiteName:  r.site.Name,
		Title:     title,
		Meta:      append([]metaTag{{Name: "SiteName", Content: r.site.Name}}, meta...),
		HomeHref:  href(HomePath),
		StyleHref: href(StylePath),
		FeedHref:  href(FeedPath),
		Chrome:    r.chrome(href(SitemapPagePath)),
	}
	for _, c := range r.site.Columns {
		v.Menu = append(v.Menu, menuItem{Name: c.Name, Href: href(ColumnPagePath(c.ID, 0)), Current: c.ID == current})
	}
	return v
}

// canonical is the absolute URL of docroot path p, or "" without BaseURL.
func (r *Renderer) canonical(p string) string {
	if r.base == "" {
		return ""
	}
	return r.base + strings.TrimPrefix(p, "/")
}
