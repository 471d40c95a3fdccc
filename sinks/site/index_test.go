package site

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"path"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gyeco/syndicator/sinks/blob"
	"github.com/gyeco/syndicator/sinks/site/render"
	"github.com/gyeco/syndicator/syndicator"
)

// memPages is a docroot in memory that counts its writes.
type memPages struct {
	files map[string][]byte
	puts  []string // paths written, in order
}

func newMemPages() *memPages { return &memPages{files: map[string][]byte{}} }

func (m *memPages) Get(_ context.Context, key string) ([]byte, error) {
	b, ok := m.files[key]
	if !ok {
		return nil, fmt.Errorf("%s: %w", key, blob.ErrNotFound)
	}
	return b, nil
}

func (m *memPages) Put(_ context.Context, key string, data []byte, _ string) error {
	m.files[key] = bytes.Clone(data)
	m.puts = append(m.puts, key)
	return nil
}

// taken returns the paths written since the last call, sorted.
func (m *memPages) taken() []string {
	p := slices.Sorted(slices.Values(m.puts))
	m.puts = nil
	return p
}

var indexColumns = []render.Column{{ID: "zcwj", Name: "政策文件"}, {ID: "stdt", Name: "生态动态"}, {ID: "gwyzcxx", Name: "国务院政策信息"}}

func indexRenderer(t testing.TB, pageSize int) *render.Renderer {
	t.Helper()
	r, err := render.New(render.Site{Name: "贵阳市生态文明委员会", Columns: indexColumns, PageSize: pageSize,
		Now: func() time.Time { return time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// indexArticle is the n-th article of a site, one an hour from 2016 on.
func indexArticle(n int, column string) *render.Article {
	at := time.Date(2016, 1, 1, 8, 0, 0, 0, syndicator.Shanghai).Add(time.Duration(n) * time.Hour)
	return &render.Article{
		Item: syndicator.Item{
			ID: fmt.Sprintf("%032x", n), Source: sourceID, URL: fmt.Sprintf("https://www.guizhou.gov.cn/zwgk/t_%d.html", n),
			Title: fmt.Sprintf("关于第%d号生态文件的通知", n), Issuer: "贵州省人民政府", PublishedAt: at,
			PublishedPrecision: syndicator.PrecisionMinute, Validity: syndicator.ValidityEffective, Revision: 1,
		},
		Column: column, SourceName: "贵州省人民政府网", PublishedAt: at.Add(time.Hour), FirstPublishedAt: at.Add(time.Hour),
	}
}

func mustPass(t testing.TB, x *siteIndex, dst Pages) int {
	t.Helper()
	n, err := x.pass(context.Background(), dst)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestIndexAppendWritesOnlyTheChangedPages: a new article on a site of a
// few hundred writes its column's index.html and newest older page, the
// home page, the feed, the sitemap index, the pages' file and its month;
// the same state again writes nothing.
func TestIndexAppendWritesOnlyTheChangedPages(t *testing.T) {
	dst := newMemPages()
	x := newSiteIndex(indexRenderer(t, 20), indexColumns)
	for n := range 300 {
		if err := x.set(fmt.Sprintf("%032x", n), indexArticle(n, indexColumns[n%3].ID)); err != nil {
			t.Fatal(err)
		}
	}
	mustPass(t, x, dst)
	dst.taken()

	site := []string{"feed.xml", "index.html", "sitemap-201601.xml", "sitemap-pages.xml", "sitemap.xml"}
	// zcwj holds 100: index.html the newest 20, index_1..4 the older 80.
	// The 101st starts index_5.html, and index_4.html's 上一页 moves to it.
	a := indexArticle(300, "zcwj")
	if err := x.set(a.Item.ID, a); err != nil {
		t.Fatal(err)
	}
	mustPass(t, x, dst)
	if diff := cmp.Diff(append(site, "zcwj/index.html", "zcwj/index_4.html", "zcwj/index_5.html"), dst.taken()); diff != "" {
		t.Errorf("pages written for the 101st article (-want +got):\n%s", diff)
	}
	// The 102nd moves one more article to index_5.html.
	a = indexArticle(301, "zcwj")
	if err := x.set(a.Item.ID, a); err != nil {
		t.Fatal(err)
	}
	mustPass(t, x, dst)
	if diff := cmp.Diff(append(site, "zcwj/index.html", "zcwj/index_5.html"), dst.taken()); diff != "" {
		t.Errorf("pages written for the 102nd article (-want +got):\n%s", diff)
	}

	again := *a
	if err := x.set(a.Item.ID, &again); err != nil {
		t.Fatal(err)
	}
	if n := mustPass(t, x, dst); n != 0 {
		t.Errorf("the same state again wrote %v", dst.taken())
	}
	if n := mustPass(t, x, dst); n != 0 {
		t.Errorf("a pass without changes wrote %v", dst.taken())
	}
}

// TestIndexRestartWritesNothing: a new index over the same records and
// docroot reads the pages back and writes none.
func TestIndexRestartWritesNothing(t *testing.T) {
	dst := newMemPages()
	r := indexRenderer(t, 7)
	load := func() *siteIndex {
		x := newSiteIndex(r, indexColumns)
		for n := range 250 {
			if err := x.set(fmt.Sprintf("%032x", n), indexArticle(n*37%250, indexColumns[n%3].ID)); err != nil {
				t.Fatal(err)
			}
		}
		return x
	}
	if n := mustPass(t, load(), dst); n == 0 {
		t.Fatal("the first pass wrote nothing")
	}
	dst.taken()
	if n := mustPass(t, load(), dst); n != 0 {
		t.Errorf("a restart wrote %d pages: %v", n, dst.taken())
	}
}

// TestIndexMatchesFullRender applies random appends, out-of-order
// inserts, revisions, column changes and withdrawals, and after each pass
// checks the docroot against render.Indexes of the listed articles, byte
// for byte, and that every article of a column is reached exactly once by
// following 下一页 from its index.html.
func TestIndexMatchesFullRender(t *testing.T) {
	r := indexRenderer(t, 3)
	dst := newMemPages()
	x := newSiteIndex(r, indexColumns)
	rng := rand.New(rand.NewPCG(1, 2))
	listed := map[string]*render.Article{}
	next := 1000
	for step := range 80 {
		for range 1 + rng.IntN(3) {
			var key string
			var a *render.Article
			switch op := rng.IntN(10); {
			case op < 4 || len(listed) == 0: // append
				a = indexArticle(next, indexColumns[rng.IntN(3)].ID)
				next++
			case op < 6: // an older publication date
				a = indexArticle(rng.IntN(next), indexColumns[rng.IntN(3)].ID)
				a.Item.ID = fmt.Sprintf("%032x", 1<<40+step*10+rng.IntN(10))
			case op < 8: // a revision, maybe to another column or date
				key = randomKey(rng, listed)
				b := *listed[key]
				b.Item.Title += "（修订）"
				if rng.IntN(2) == 0 {
					b.Column = indexColumns[rng.IntN(3)].ID
				}
				if rng.IntN(2) == 0 {
					b.Item.PublishedAt = b.Item.PublishedAt.Add(time.Duration(rng.IntN(2000)-1000) * time.Hour)
				}
				a = &b
			default: // a withdrawal
				key = randomKey(rng, listed)
			}
			if a != nil {
				key = a.Item.ID
				listed[key] = a
			} else {
				delete(listed, key)
			}
			var put *render.Article
			if a != nil {
				c := *a
				put = &c
			}
			if err := x.set(key, put); err != nil {
				t.Fatal(err)
			}
		}
		mustPass(t, x, dst)

		var all []render.Article
		for _, a := range listed {
			all = append(all, *a)
		}
		want, err := r.Indexes(all)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range want {
			if got := dst.files[p.Path]; !bytes.Equal(got, p.Body) {
				t.Fatalf("step %d: %s differs from a full render:\n%s", step, p.Path, cmp.Diff(string(p.Body), string(got)))
			}
		}
		for _, c := range indexColumns {
			var ids []string
			for _, a := range listed {
				if a.ColumnID() == c.ID {
					ids = append(ids, a.Item.ID)
				}
			}
			slices.Sort(ids)
			if diff := cmp.Diff(ids, reachable(t, dst, c.ID)); diff != "" {
				t.Fatalf("step %d: articles reached from %s/index.html (-want +got):\n%s", step, c.ID, diff)
			}
		}
	}
}

func randomKey(rng *rand.Rand, m map[string]*render.Article) string {
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	})
	return keys[rng.IntN(len(keys))]
}

var (
	reNextPage = regexp.MustCompile(`<a href="([^"]+)" rel="next">`)
	reListed   = regexp.MustCompile(`<a href="\d{6}/t\d{8}_([0-9a-f]{32})\.html"`)
)

// reachable follows 下一页 from a column's index.html and returns the ids
// of the articles listed on the way, sorted; it fails on a page reached
// twice or an article listed twice.
func reachable(t *testing.T, dst *memPages, column string) []string {
	t.Helper()
	seen := map[string]bool{}
	var ids []string
	for p := column + "/index.html"; p != ""; {
		if seen[p] {
			t.Fatalf("%s reached twice", p)
		}
		seen[p] = true
		body, ok := dst.files[p]
		if !ok {
			t.Fatalf("%s is linked but missing", p)
		}
		for _, m := range reListed.FindAllSubmatch(body, -1) {
			ids = append(ids, string(m[1]))
		}
		p = ""
		if m := reNextPage.FindSubmatch(body); m != nil {
			p = path.Join(column, string(m[1]))
		}
	}
	n := len(ids)
	slices.Sort(ids)
	if ids = slices.Compact(ids); len(ids) != n {
		t.Fatalf("%s lists an article twice", column)
	}
	return ids
}
