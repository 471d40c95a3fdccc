package render_test

import (
	"errors"
	"path"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gyeco/syndicator/sinks/site/render"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// listed returns the article links of a list page, resolved against the
// page's docroot path.
func listed(doc *html.Node, pagePath string) []string {
	var out []string
	for _, l := range findAll(doc, func(n *html.Node) bool {
		return n.DataAtom == atom.A && n.Parent.DataAtom == atom.Li && n.Parent.Parent != nil && hasClass(n.Parent.Parent, "article-list")
	}) {
		out = append(out, path.Join(path.Dir(pagePath), attr(l, "href")))
	}
	return out
}

// pagerOf returns the pager links by label ("" for a disabled one) and the
// page count text.
func pagerOf(t *testing.T, doc *html.Node) (map[string]string, string) {
	t.Helper()
	nav := byClass(doc, "pager")
	if nav == nil {
		t.Fatal("no pager")
	}
	got := map[string]string{}
	for _, n := range findAll(nav, func(n *html.Node) bool { return n.DataAtom == atom.A || n.DataAtom == atom.Span }) {
		if hasClass(n, "page-count") {
			continue
		}
		got[text(n)] = attr(n, "href")
	}
	return got, text(byClass(nav, "page-count"))
}

func TestColumnPagesProperties(t *testing.T) {
	var arts []render.Article
	for n := range 45 {
		// Interleave another column and shuffle the order a little.
		arts = append(arts, seriesArticle("zcwj", (n*7)%45), seriesArticle("stdt", 100+n))
	}
	r := newRenderer(t, testSite("")) // PageSize defaults to 20
	pages, err := r.ColumnPages("zcwj", arts)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, p := range pages {
		paths = append(paths, p.Path)
	}
	// index.html holds the newest 20; the older 25 fill index_1.html
	// (the oldest 20) and index_2.html, listed in the order 下一页 follows.
	if diff := cmp.Diff([]string{"zcwj/index.html", "zcwj/index_2.html", "zcwj/index_1.html"}, paths); diff != "" {
		t.Fatalf("page paths (-want +got):\n%s", diff)
	}
	exists := map[string]bool{}
	for _, p := range paths {
		exists[p] = true
	}

	var all []string
	wantCount := []string{"第 1 页，共 3 页", "2026-01-21 至 2026-01-25", "2026-01-01 至 2026-01-20"}
	for i, p := range pages {
		doc := parseHTML(t, p.Body)
		items := listed(doc, p.Path)
		if want := []int{20, 5, 20}[i]; len(items) != want {
			t.Errorf("%s lists %d articles, want %d", p.Path, len(items), want)
		}
		all = append(all, items...)

		links, count := pagerOf(t, doc)
		if count != wantCount[i] {
			t.Errorf("%s: page count %q, want %q", p.Path, count, wantCount[i])
		}
		for label, href := range links {
			if href == "" {
				continue
			}
			if target := path.Join("zcwj", href); !exists[target] {
				t.Errorf("%s: pager %s links to missing page %s", p.Path, label, target)
			}
		}
		wantLinks := map[string]string{"首页": "index.html", "尾页": "index_1.html", "上一页": "", "下一页": ""}
		if i > 0 {
			wantLinks["上一页"] = path.Base(paths[i-1])
		}
		if i < 2 {
			wantLinks["下一页"] = path.Base(paths[i+1])
		}
		if diff := cmp.Diff(wantLinks, links); diff != "" {
			t.Errorf("%s pager (-want +got):\n%s", p.Path, diff)
		}
	}

	// Every article exactly once, newest first.
	var want []string
	for n := 44; n >= 0; n-- {
		a := seriesArticle("zcwj", n)
		want = append(want, render.ArticlePath(&a))
	}
	if diff := cmp.Diff(want, all); diff != "" {
		t.Errorf("articles across pages (-want +got):\n%s", diff)
	}
}

func TestColumnPagesTieBreakByID(t *testing.T) {
	a, b := seriesArticle("zcwj", 1), seriesArticle("zcwj", 2)
	b.Item.PublishedAt = a.Item.PublishedAt
	pages, err := newRenderer(t, testSite("")).ColumnPages("zcwj", []render.Article{b, a})
	if err != nil {
		t.Fatal(err)
	}
	got := listed(parseHTML(t, pages[0].Body), pages[0].Path)
	want := []string{render.ArticlePath(&a), render.ArticlePath(&b)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

func TestColumnPagesEmpty(t *testing.T) {
	r := newRenderer(t, testSite(""))
	pages, err := r.ColumnPages("stdt", []render.Article{seriesArticle("zcwj", 1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 1 || pages[0].Path != "stdt/index.html" {
		t.Fatalf("got %d pages, first %q; want stdt/index.html only", len(pages), pages[0].Path)
	}
	doc := parseHTML(t, pages[0].Body)
	if got := text(byClass(doc, "empty")); got != "暂无文章" {
		t.Errorf("empty message = %q, want 暂无文章", got)
	}
	if _, count := pagerOf(t, doc); count != "第 1 页，共 1 页" {
		t.Errorf("page count = %q, want 第 1 页，共 1 页", count)
	}
	if got := metas(doc)["ColumnName"]; got != "生态动态" {
		t.Errorf("ColumnName = %q, want 生态动态", got)
	}
}

func TestColumnPagesInvalid(t *testing.T) {
	r := newRenderer(t, testSite(""))
	a := seriesArticle("zcwj", 1)
	bad := seriesArticle("nope", 2)
	tests := []struct {
		name   string
		column string
		arts   []render.Article
	}{
		{"unknown column", "nope", nil},
		{"duplicate id", "zcwj", []render.Article{a, a}},
		{"article in unknown column", "zcwj", []render.Article{a, bad}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := r.ColumnPages(tt.column, tt.arts); !errors.Is(err, render.ErrInvalid) {
				t.Errorf("error = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestColumnPagesBadge(t *testing.T) {
	pages, err := newRenderer(t, testSite("")).ColumnPages("zcwj", []render.Article{repealedArticle()})
	if err != nil {
		t.Fatal(err)
	}
	doc := parseHTML(t, pages[0].Body)
	if b := byClass(doc, "badge-repealed"); text(b) != "已废止" {
		t.Errorf("badge = %q, want 已废止", text(b))
	}
	if got := listed(doc, pages[0].Path); len(got) != 1 || !strings.HasPrefix(got[0], "zcwj/201902/t20190212_") {
		t.Errorf("listed %v", got)
	}
}

// TestColumnPagesStableOnAppend: appending an article to a column
// rewrites index.html and the newest older page (and, when that page
// fills, the one before it, whose 上一页 moves); every other page keeps
// its bytes, so a column of any length costs a few writes per article.
func TestColumnPagesStableOnAppend(t *testing.T) {
	small := testSite("")
	small.PageSize = 3
	r := newRenderer(t, small)
	var arts []render.Article
	prev := map[string][]byte{}
	for n := range 40 {
		arts = append(arts, seriesArticle("zcwj", n))
		pages, err := r.ColumnPages("zcwj", arts)
		if err != nil {
			t.Fatal(err)
		}
		var changed []string
		for _, p := range pages {
			if old, ok := prev[p.Path]; !ok || string(old) != string(p.Body) {
				changed = append(changed, p.Path)
			}
			prev[p.Path] = p.Body
		}
		if len(changed) > 3 {
			t.Errorf("article %d changed %d pages, want at most 3: %v", n+1, len(changed), changed)
		}
	}
}
