package site

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/gyeco/syndicator/sinks/blob"
	"github.com/gyeco/syndicator/sinks/site/render"
)

// Pages is the docroot as the indexer uses it: it reads a page it has not
// written since it started, to learn whether the bytes are already there.
type Pages interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, data []byte, contentType string) error
}

// siteIndex is the indexer's state between passes: the listed articles,
// each column in order, the sitemap's months, what changed since the last
// pass, and the digest of every page known to be on the docroot. A change
// costs a binary search and the pages it touches (DESIGN §8), not a pass
// over the site, and a page whose bytes are on the docroot is not
// written again.
type siteIndex struct {
	render *render.Renderer
	arts   map[string]*render.Article // listed articles by record key
	cols   []*columnIndex             // in menu order
	byCol  map[string]*columnIndex
	months map[string]map[string]*render.Article // yyyymm -> key -> article
	// files are the sitemap files the index lists, by month ("" for the
	// pages' file), as of the last pass that rendered them.
	files   map[string][]render.SitemapFile
	written map[string][sha256.Size]byte

	// What the next pass renders.
	full        bool // every page: the first pass after a start
	changed     bool // the home page, feed and sitemap index
	dirtyMonths map[string]bool
}

// columnIndex is one column's articles, oldest first: the positions of
// render.ColumnLayout.
type columnIndex struct {
	id  string
	ord []*render.Article
	// lo, hi are the positions changed since the last pass, when dirty.
	lo, hi int
	dirty  bool
	// shown is how many articles the column had at the last pass: the
	// page that was the newest older page then has links to fix.
	shown int
}

func newSiteIndex(r *render.Renderer, columns []render.Column) *siteIndex {
	x := &siteIndex{
		render: r, arts: map[string]*render.Article{}, byCol: map[string]*columnIndex{},
		months: map[string]map[string]*render.Article{}, files: map[string][]render.SitemapFile{},
		written: map[string][sha256.Size]byte{}, full: true, dirtyMonths: map[string]bool{},
	}
	for _, c := range columns {
		ci := &columnIndex{id: c.ID}
		x.cols = append(x.cols, ci)
		x.byCol[c.ID] = ci
	}
	return x
}

// pending reports whether a pass has anything to do.
func (x *siteIndex) pending() bool { return x.full || x.changed }

// set lists a as the article under key, replacing what was listed there;
// a nil a (a withdrawn or deleted record) unlists it. An article that
// cannot be listed (no title, an unknown column, …) is unlisted and
// reported: retrying cannot make it valid.
func (x *siteIndex) set(key string, a *render.Article) error {
	var bad error
	if a != nil {
		if bad = x.render.Check(a); bad != nil {
			a = nil
		}
	}
	old := x.arts[key]
	if old == nil && a == nil {
		return bad
	}
	x.changed = true
	oldCol, oldPos := (*columnIndex)(nil), 0
	if old != nil {
		oldCol = x.byCol[old.ColumnID()]
		oldPos = oldCol.remove(old)
		m := render.SitemapMonth(old)
		delete(x.months[m], key)
		x.dirtyMonths[m] = true
		delete(x.arts, key)
	}
	if a != nil {
		c := x.byCol[a.ColumnID()]
		pos := c.insert(a)
		if c == oldCol {
			// Only the articles between the two places moved.
			c.mark(min(oldPos, pos), max(oldPos, pos)+1)
		} else {
			c.mark(pos, len(c.ord))
		}
		m := render.SitemapMonth(a)
		if x.months[m] == nil {
			x.months[m] = map[string]*render.Article{}
		}
		x.months[m][key] = a
		x.dirtyMonths[m] = true
		x.arts[key] = a
	}
	if oldCol != nil && (a == nil || x.byCol[a.ColumnID()] != oldCol) {
		oldCol.mark(oldPos, len(oldCol.ord))
	}
	return bad
}

// older orders the column oldest first: the reverse of render.Newer.
func older(e, target *render.Article) int { return render.Newer(target, e) }

func (c *columnIndex) insert(a *render.Article) int {
	pos, _ := slices.BinarySearchFunc(c.ord, a, older)
	c.ord = slices.Insert(c.ord, pos, a)
	return pos
}

func (c *columnIndex) remove(a *render.Article) int {
	pos, found := slices.BinarySearchFunc(c.ord, a, older)
	if !found || c.ord[pos] != a {
		// Not where its order says: look everywhere rather than lose
		// the column's order.
		pos = slices.Index(c.ord, a)
	}
	c.ord = slices.Delete(c.ord, pos, pos+1)
	return pos
}

// mark records that positions [lo, hi) changed.
func (c *columnIndex) mark(lo, hi int) {
	if !c.dirty {
		c.lo, c.hi, c.dirty = lo, hi, true
		return
	}
	c.lo, c.hi = min(c.lo, lo), max(c.hi, hi)
}

// newest is the column's n newest articles, newest first.
func (c *columnIndex) newest(n int) []*render.Article {
	out := make([]*render.Article, 0, min(n, len(c.ord)))
	for i := len(c.ord) - 1; i >= 0 && len(out) < n; i-- {
		out = append(out, c.ord[i])
	}
	return out
}

// pagesToRender are the pages of the column a pass renders: every page on
// a full pass; else index.html, the pages holding changed positions, and
// the newest older page now and at the last pass (its articles or links
// move whenever the column's length changes).
func (c *columnIndex) pagesToRender(l render.ColumnLayout, was render.ColumnLayout, full bool) []int {
	m := l.Archived()
	if full {
		ks := make([]int, 0, m+1)
		for k := range m + 1 {
			ks = append(ks, k)
		}
		return ks
	}
	if !c.dirty {
		return nil
	}
	set := map[int]bool{0: true}
	if hi := min(c.hi, l.N); c.lo < hi {
		// Positions before the newest Size are on the older pages.
		if first := l.PageOf(c.lo); first >= 1 {
			last := l.PageOf(hi - 1)
			if last == 0 {
				last = m
			}
			for k := first; k <= last; k++ {
				set[k] = true
			}
		}
	}
	for _, k := range []int{m, was.Archived()} {
		if k >= 1 && k <= m {
			set[k] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// pass renders what changed since the last pass and writes the pages
// whose bytes are not on the docroot. After an error nothing is
// forgotten: the next pass renders it all again.
func (x *siteIndex) pass(ctx context.Context, dst Pages) (written int, err error) {
	put := func(p render.Page) error {
		w, err := x.put(ctx, dst, p)
		if w {
			written++
		}
		return err
	}
	for _, c := range x.cols {
		l, was := x.render.ColumnLayout(len(c.ord)), x.render.ColumnLayout(c.shown)
		for _, k := range c.pagesToRender(l, was, x.full) {
			lo, hi := l.Span(k)
			arts := make([]*render.Article, 0, hi-lo)
			for i := hi - 1; i >= lo; i-- {
				arts = append(arts, c.ord[i])
			}
			p, err := x.render.ColumnPage(c.id, k, l, arts)
			if err != nil {
				return written, err
			}
			if err := put(p); err != nil {
				return written, err
			}
		}
	}
	months := x.dirtyMonths
	if x.full {
		months = map[string]bool{}
		for m := range x.months {
			months[m] = true
		}
	}
	for m := range months {
		arts := slices.Collect(maps.Values(x.months[m]))
		pages, files, err := x.render.SitemapArticles(m, arts)
		if err != nil {
			return written, err
		}
		for _, p := range pages {
			if err := put(p); err != nil {
				return written, err
			}
		}
		x.files[m] = files
	}
	if x.full || x.changed {
		if err := x.passSite(put); err != nil {
			return written, err
		}
	}
	if x.full {
		static, err := x.render.Static()
		if err != nil {
			return written, err
		}
		for _, p := range static {
			if err := put(p); err != nil {
				return written, err
			}
		}
	}
	for _, c := range x.cols {
		c.dirty, c.shown = false, len(c.ord)
	}
	for m := range x.dirtyMonths {
		if len(x.months[m]) == 0 {
			delete(x.months, m)
			delete(x.files, m)
		}
	}
	x.dirtyMonths = map[string]bool{}
	x.full, x.changed = false, false
	return written, nil
}

// passSite renders the pages that show the newest articles of every
// column: the home page, the feed, the sitemap's pages file and index.
func (x *siteIndex) passSite(put func(render.Page) error) error {
	var newest []render.Article
	front := map[string][]*render.Article{}
	for _, c := range x.cols {
		for _, a := range c.newest(x.render.NewestPerColumn()) {
			newest = append(newest, *a)
		}
		front[c.id] = c.newest(x.render.ColumnLayout(len(c.ord)).Size)
	}
	home, err := x.render.Home(newest)
	if err != nil {
		return err
	}
	feed, err := x.render.Feed(newest)
	if err != nil {
		return err
	}
	sitemapPages, files, err := x.render.SitemapPages(front)
	if err != nil {
		return err
	}
	x.files[""] = files
	var all []render.SitemapFile
	for _, f := range x.files {
		all = append(all, f...)
	}
	index, err := x.render.SitemapIndex(all)
	if err != nil {
		return err
	}
	for _, p := range []render.Page{
		{Path: render.HomePath, Body: home}, {Path: render.FeedPath, Body: feed},
		sitemapPages, {Path: render.SitemapPath, Body: index},
	} {
		if err := put(p); err != nil {
			return err
		}
	}
	return nil
}

// put writes p unless the docroot already holds its bytes: known from the
// digest of the last write, or, for a page not written since the start,
// read back once.
func (x *siteIndex) put(ctx context.Context, dst Pages, p render.Page) (bool, error) {
	sum := sha256.Sum256(p.Body)
	if d, ok := x.written[p.Path]; ok && d == sum {
		return false, nil
	} else if !ok {
		old, err := dst.Get(ctx, p.Path)
		switch {
		case err == nil && bytes.Equal(old, p.Body):
			x.written[p.Path] = sum
			return false, nil
		case err != nil && !errors.Is(err, blob.ErrNotFound):
			return false, fmt.Errorf("read %s: %w", p.Path, err)
		}
	}
	if err := dst.Put(ctx, p.Path, p.Body, contentType(p.Path)); err != nil {
		delete(x.written, p.Path) // unknown now: read it back next time
		return false, fmt.Errorf("write %s: %w", p.Path, err)
	}
	x.written[p.Path] = sum
	return true, nil
}
