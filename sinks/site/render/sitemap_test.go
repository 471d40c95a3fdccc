package render_test

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gyeco/syndicator/sinks/site/render"
)

// TestSitemap: sitemap.xml is an index of the files, and the files list
// the home page, every column's index.html and every article, each
// article in its month's file.
func TestSitemap(t *testing.T) {
	arts := []render.Article{seriesArticle("zcwj", 2), govcnArticle(), seriesArticle("stdt", 1), repealedArticle()}
	for _, tt := range []struct{ base, prefix string }{
		{"https://sthj.guiyang.gov.cn/", "https://sthj.guiyang.gov.cn/"},
		{"", "/"},
	} {
		pages, err := newRenderer(t, testSite(tt.base)).Sitemaps(arts)
		if err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		for _, p := range pages {
			files[p.Path] = p.Body
		}
		var index struct {
			XMLName  xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemapindex"`
			Sitemaps []struct {
				Loc string `xml:"loc"`
			} `xml:"sitemap"`
		}
		if err := xml.Unmarshal(files[render.SitemapPath], &index); err != nil {
			t.Fatalf("sitemap index is not valid XML: %v", err)
		}
		var listed, got []string
		for _, s := range index.Sitemaps {
			listed = append(listed, s.Loc)
			var u struct {
				XMLName xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
				URLs    []struct {
					Loc string `xml:"loc"`
				} `xml:"url"`
			}
			if err := xml.Unmarshal(files[strings.TrimPrefix(s.Loc, tt.prefix)], &u); err != nil {
				t.Fatalf("%s is not valid XML: %v", s.Loc, err)
			}
			for _, l := range u.URLs {
				got = append(got, l.Loc)
			}
		}
		wantFiles := []string{tt.prefix + render.SitemapPagesPath, tt.prefix + "sitemap-202609.xml", tt.prefix + "sitemap-202601.xml", tt.prefix + "sitemap-201902.xml"}
		if diff := cmp.Diff(wantFiles, listed); diff != "" {
			t.Errorf("base %q: files (-want +got):\n%s", tt.base, diff)
		}
		want := []string{tt.prefix, tt.prefix + "gwyzcxx/index.html", tt.prefix + "zcwj/index.html", tt.prefix + "stdt/index.html"}
		for _, a := range []render.Article{arts[1], arts[0], arts[2], arts[3]} {
			want = append(want, tt.prefix+render.ArticlePath(&a))
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("base %q: locations (-want +got):\n%s", tt.base, diff)
		}
	}
}
