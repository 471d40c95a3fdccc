package render

// notFoundView is the data of the 404 page and the 网站地图 page.
type notFoundView struct {
	Page        pageView
	SitemapHref string
}

// NotFound renders the styled "page not found" page, stored at
// NotFoundPath. It is served for any unknown path, so its links cannot be
// relative: they are absolute under BaseURL, else root-relative.
func (r *Renderer) NotFound() ([]byte, error) {
	v := notFoundView{Page: r.pageLinked("页面不存在_"+r.site.Name, "", nil, r.absURL)}
	v.SitemapHref = r.absURL(SitemapPagePath)
	return r.execute("notfound.html", v)
}

// SitemapPage renders the human-readable 网站地图 at SitemapPagePath: the
// home page, every column and the feed.
func (r *Renderer) SitemapPage() ([]byte, error) {
	v := notFoundView{Page: r.page(SitemapPagePath, "网站地图_"+r.site.Name, "", nil)}
	v.Page.Canonical = r.canonical(SitemapPagePath)
	v.SitemapHref = relPath(SitemapPagePath, SitemapPagePath)
	return r.execute("sitemappage.html", v)
}
