package render

import (
	"cmp"
	"slices"
)

// columnView is the data of the column index template.
type columnView struct {
	Page       pageView
	ColumnName string
	Items      []listItem
	Pager      pager
}

// listItem is one article in a list.
type listItem struct {
	Title    string
	Href     string
	Date     string // YYYY-MM-DD
	Validity *banner
}

// pager links the pages of a column index. Empty hrefs are disabled.
type pager struct {
	First, Prev, Next, Last string
	Number, Total           int
}

// ColumnPages renders the index of one column: index.html, index_1.html, …
// with PageSize articles each, newest first (Item.PublishedAt descending,
// then item id ascending). Articles of arts in other columns are skipped,
// so arts may be every article on the site; it must hold one Article per
// item id. An empty column still gets index.html, saying 暂无文章.
func (r *Renderer) ColumnPages(column string, arts []Article) ([]Page, error) {
	col, ok := r.columns[column]
	if !ok {
		return nil, invalid("unknown column %q", column)
	}
	if err := r.checkAll(arts); err != nil {
		return nil, err
	}
	mine := newest(arts, func(a *Article) bool { return a.column() == column })
	total := max(1, (len(mine)+r.site.PageSize-1)/r.site.PageSize)
	pages := make([]Page, 0, total)
	for n := range total {
		chunk := mine[n*r.site.PageSize : min(len(mine), (n+1)*r.site.PageSize)]
		p := ColumnPagePath(column, n)
		v := columnView{
			Page:       r.page(p, col.Name+"_"+r.site.Name, column, []metaTag{{Name: "ColumnName", Content: col.Name}}),
			ColumnName: col.Name,
			Items:      r.listItems(p, chunk),
			Pager:      newPager(n, total),
		}
		if n == 0 {
			v.Page.Canonical = r.canonical(p)
		}
		body, err := r.execute("column.html", v)
		if err != nil {
			return nil, err
		}
		pages = append(pages, Page{Path: p, Body: body})
	}
	return pages, nil
}

// newPager builds the pager of page n of total; the links are file names
// in the column directory.
func newPager(n, total int) pager {
	pg := pager{First: pageFile(0), Last: pageFile(total - 1), Number: n + 1, Total: total}
	if n > 0 {
		pg.Prev = pageFile(n - 1)
	}
	if n < total-1 {
		pg.Next = pageFile(n + 1)
	}
	return pg
}

// listItems turns articles into list entries linked from the page at p.
func (r *Renderer) listItems(p string, arts []*Article) []listItem {
	items := make([]listItem, 0, len(arts))
	for _, a := range arts {
		items = append(items, listItem{
			Title:    a.Item.Title,
			Href:     relPath(p, ArticlePath(a)),
			Date:     listDate(a.Item.PublishedAt),
			Validity: validityBadge(a.Item.Validity),
		})
	}
	return items
}

// newest returns the articles that keep reports true, newest first:
// Item.PublishedAt descending, then item id ascending.
func newest(arts []Article, keep func(*Article) bool) []*Article {
	var out []*Article
	for i := range arts {
		if keep(&arts[i]) {
			out = append(out, &arts[i])
		}
	}
	slices.SortFunc(out, func(a, b *Article) int {
		if c := b.Item.PublishedAt.Compare(a.Item.PublishedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.Item.ID, b.Item.ID)
	})
	return out
}
