package render

// homeView is the data of the home page template.
type homeView struct {
	Page     pageView
	Sections []homeSection
}

// homeSection is one column on the home page with its latest articles.
type homeSection struct {
	Name  string
	Href  string // the column index
	Items []listItem
	More  bool // the column has more articles than shown
}

// Home renders index.html at the docroot: the column menu and, for each
// column in menu order, its HomeSize latest articles. arts may be every
// article on the site, one per item id.
func (r *Renderer) Home(arts []Article) ([]byte, error) {
	if err := r.checkAll(arts); err != nil {
		return nil, err
	}
	v := homeView{Page: r.page(HomePath, r.site.Name, "", nil)}
	v.Page.Canonical = r.canonical("")
	for _, c := range r.site.Columns {
		mine := newest(arts, func(a *Article) bool { return a.column() == c.ID })
		shown := mine[:min(len(mine), r.site.HomeSize)]
		v.Sections = append(v.Sections, homeSection{
			Name:  c.Name,
			Href:  relPath(HomePath, ColumnPagePath(c.ID, 0)),
			Items: r.listItems(HomePath, shown),
			More:  len(mine) > len(shown),
		})
	}
	return r.execute("home.html", v)
}
