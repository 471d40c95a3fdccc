package render_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gyeco/syndicator/sinks/site/render"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	file := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", name, diff)
	}
}

func TestGolden(t *testing.T) {
	withBase := newRenderer(t, testSite("http://127.0.0.1:8080/"))
	noBase := newRenderer(t, testSite(""))
	small := testSite("http://127.0.0.1:8080/")
	small.PageSize = 2
	paged := newRenderer(t, small)

	tests := []struct {
		name   string
		render func() ([]byte, error)
	}{
		{"article.golden.html", func() ([]byte, error) {
			a := govcnArticle()
			return withBase.Article(&a)
		}},
		{"article-repealed.golden.html", func() ([]byte, error) {
			a := repealedArticle()
			return noBase.Article(&a)
		}},
		{"column-page0.golden.html", func() ([]byte, error) {
			pages, err := paged.ColumnPages("zcwj", smallSet())
			if err != nil {
				return nil, err
			}
			return pages[0].Body, nil
		}},
		{"home.golden.html", func() ([]byte, error) { return paged.Home(smallSet()) }},
		{"feed.golden.xml", func() ([]byte, error) { return withBase.Feed(smallSet()) }},
		{"sitemap.golden.xml", func() ([]byte, error) { return sitemapFile(withBase, render.SitemapPath) }},
		{"sitemap-pages.golden.xml", func() ([]byte, error) { return sitemapFile(withBase, render.SitemapPagesPath) }},
		{"sitemap-month.golden.xml", func() ([]byte, error) { return sitemapFile(withBase, render.SitemapMonthPath("202609", 0)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.render()
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name, got)
		})
	}
}

// sitemapFile is the file at p of the sitemap of smallSet.
func sitemapFile(r *render.Renderer, p string) ([]byte, error) {
	pages, err := r.Sitemaps(smallSet())
	if err != nil {
		return nil, err
	}
	for _, pg := range pages {
		if pg.Path == p {
			return pg.Body, nil
		}
	}
	return nil, fmt.Errorf("no sitemap file %s", p)
}
