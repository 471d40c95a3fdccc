package render_test

import (
	"encoding/xml"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gyeco/syndicator/sinks/site/render"
)

func TestSitemap(t *testing.T) {
	arts := []render.Article{seriesArticle("zcwj", 2), govcnArticle(), seriesArticle("stdt", 1)}
	for _, tt := range []struct{ base, prefix string }{
		{"https://sthj.guiyang.gov.cn/", "https://sthj.guiyang.gov.cn/"},
		{"", "/"},
	} {
		b, err := newRenderer(t, testSite(tt.base)).Sitemap(arts)
		if err != nil {
			t.Fatal(err)
		}
		var s struct {
			XMLName xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
			URLs    []struct {
				Loc string `xml:"loc"`
			} `xml:"url"`
		}
		if err := xml.Unmarshal(b, &s); err != nil {
			t.Fatalf("sitemap is not valid XML: %v", err)
		}
		var got []string
		for _, u := range s.URLs {
			got = append(got, u.Loc)
		}
		want := []string{tt.prefix, tt.prefix + "gwyzcxx/index.html", tt.prefix + "zcwj/index.html", tt.prefix + "stdt/index.html"}
		for _, a := range []render.Article{arts[1], arts[0], arts[2]} {
			want = append(want, tt.prefix+render.ArticlePath(&a))
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("base %q: locations (-want +got):\n%s", tt.base, diff)
		}
	}
}
