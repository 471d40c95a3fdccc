package render

import (
	"cmp"
	"fmt"
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
// Count says where the page is: "第 1 页，共 n 页" on index.html, the
// dates it spans on an older page.
type pager struct {
	First, Prev, Next, Last string
	Count                   string
}

// ColumnLayout places the N articles of a column on its index pages of
// Size articles (DESIGN §8). Positions count from the oldest article
// (0) to the newest (N-1). Page 0, index.html, shows the newest Size;
// the older ones are on index_1.html, index_2.html, … numbered from the
// oldest: page k holds positions (k-1)·Size … k·Size-1, and the newest of
// these pages, Archived(), may hold fewer. Appending an article moves one
// article from index.html to that newest older page, so every other page
// keeps its bytes; only an insert or removal among older articles shifts
// the pages after it.
type ColumnLayout struct{ N, Size int }

// ColumnLayout is the layout of a column of n articles on this site.
func (r *Renderer) ColumnLayout(n int) ColumnLayout {
	return ColumnLayout{N: n, Size: r.site.PageSize}
}

// older is how many articles are not on index.html.
func (l ColumnLayout) older() int { return max(0, l.N-l.Size) }

// Archived is the number of pages besides index.html.
func (l ColumnLayout) Archived() int { return (l.older() + l.Size - 1) / l.Size }

// Span is the positions [lo, hi) on page k.
func (l ColumnLayout) Span(k int) (lo, hi int) {
	if k == 0 {
		return l.older(), l.N
	}
	return (k - 1) * l.Size, min(k*l.Size, l.older())
}

// PageOf is the page showing position i.
func (l ColumnLayout) PageOf(i int) int {
	if i >= l.older() {
		return 0
	}
	return i/l.Size + 1
}

// ColumnPages renders every index page of one column: index.html, then
// the older pages newest first (the order 下一页 follows). Articles of
// arts in other columns are skipped, so arts may be every article on the
// site; it must hold one Article per item id. An empty column still gets
// index.html, saying 暂无文章.
func (r *Renderer) ColumnPages(column string, arts []Article) ([]Page, error) {
	if _, ok := r.columns[column]; !ok {
		return nil, invalid("unknown column %q", column)
	}
	if err := r.checkAll(arts); err != nil {
		return nil, err
	}
	mine := newest(arts, func(a *Article) bool { return a.column() == column })
	l := r.ColumnLayout(len(mine))
	pages := make([]Page, 0, l.Archived()+1)
	for k := range l.Archived() + 1 {
		if k > 0 {
			k = l.Archived() + 1 - k
		}
		lo, hi := l.Span(k)
		p, err := r.ColumnPage(column, k, l, mine[l.N-hi:l.N-lo])
		if err != nil {
			return nil, err
		}
		pages = append(pages, p)
	}
	return pages, nil
}

// ColumnPage renders page k of a column laid out as l; arts are the
// articles at l.Span(k), newest first.
func (r *Renderer) ColumnPage(column string, k int, l ColumnLayout, arts []*Article) (Page, error) {
	col, ok := r.columns[column]
	if !ok {
		return Page{}, invalid("unknown column %q", column)
	}
	if lo, hi := l.Span(k); k < 0 || k > l.Archived() || hi-lo != len(arts) {
		return Page{}, invalid("page %d of column %q holds %d articles, not %d", k, column, len(arts), hi-lo)
	}
	for _, a := range arts {
		if _, err := r.check(a); err != nil {
			return Page{}, err
		}
	}
	p := ColumnPagePath(column, k)
	v := columnView{
		Page:       r.page(p, col.Name+"_"+r.site.Name, column, []metaTag{{Name: "ColumnName", Content: col.Name}}),
		ColumnName: col.Name,
		Items:      r.listItems(p, arts),
		Pager:      newPager(k, l, arts),
	}
	if k == 0 {
		v.Page.Canonical = r.canonical(p)
	}
	body, err := r.execute("column.html", v)
	if err != nil {
		return Page{}, err
	}
	return Page{Path: p, Body: body}, nil
}

// newPager builds the pager of page k; the links are file names in the
// column directory. 上一页 is the newer page, 下一页 the older one. Only
// index.html counts the pages: an older page shows the dates it spans,
// which do not change when the column grows, so the page keeps its bytes.
func newPager(k int, l ColumnLayout, arts []*Article) pager {
	m := l.Archived()
	pg := pager{First: pageFile(0), Last: pageFile(min(m, 1))}
	if k == 0 {
		if m > 0 {
			pg.Next = pageFile(m)
		}
		pg.Count = fmt.Sprintf("第 1 页，共 %d 页", m+1)
		return pg
	}
	pg.Prev = pageFile(k + 1)
	if k == m {
		pg.Prev = pageFile(0)
	}
	if k > 1 {
		pg.Next = pageFile(k - 1)
	}
	if len(arts) > 0 {
		newestDay, oldestDay := listDate(arts[0].Item.PublishedAt), listDate(arts[len(arts)-1].Item.PublishedAt)
		pg.Count = oldestDay
		if newestDay != oldestDay {
			pg.Count = oldestDay + " 至 " + newestDay
		}
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

// Newer orders articles newest first, as every list shows them:
// Item.PublishedAt descending, then item id ascending. It is negative
// when a comes before b.
func Newer(a, b *Article) int {
	if c := b.Item.PublishedAt.Compare(a.Item.PublishedAt); c != 0 {
		return c
	}
	return cmp.Compare(a.Item.ID, b.Item.ID)
}

// newest returns the articles that keep reports true, newest first.
func newest(arts []Article, keep func(*Article) bool) []*Article {
	var out []*Article
	for i := range arts {
		if keep(&arts[i]) {
			out = append(out, &arts[i])
		}
	}
	slices.SortFunc(out, Newer)
	return out
}

// ColumnID is the column of a: Article.Column, else Item.Column.
func (a *Article) ColumnID() string { return a.column() }

// Check reports whether a can be listed: what every page needs from an
// article, and a configured column. The error wraps ErrInvalid.
func (r *Renderer) Check(a *Article) error {
	_, err := r.check(a)
	return err
}
