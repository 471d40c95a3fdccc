package render_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"net/url"
	"path"
	"strings"
	"testing"

	"github.com/gyeco/syndicator/sinks/site/render"
)

// renderSite renders a whole docroot: indexes, assets and every article.
func renderSite(t *testing.T, r *render.Renderer, arts []render.Article) map[string][]byte {
	t.Helper()
	pages, err := r.Indexes(arts)
	if err != nil {
		t.Fatalf("Indexes: %v", err)
	}
	for i := range arts {
		b, err := r.Article(&arts[i])
		if err != nil {
			t.Fatalf("Article: %v", err)
		}
		pages = append(pages, render.Page{Path: render.ArticlePath(&arts[i]), Body: b})
	}
	site := map[string][]byte{}
	for _, p := range pages {
		if _, dup := site[p.Path]; dup {
			t.Errorf("two pages at %s", p.Path)
		}
		site[p.Path] = p.Body
	}
	return site
}

// TestSiteIsSelfContained renders a docroot and follows every relative
// link of every page: each must land on a page of the docroot (the
// attachments excepted, which the sink copies), and no page may carry a
// script.
func TestSiteIsSelfContained(t *testing.T) {
	hostile := govcnArticle()
	hostile.Item.ID = "ffff0000ffff0000ffff0000ffff0000"
	hostile.Item.Title = `<script>alert(1)</script><img src=x onerror=alert(1)>&`
	hostile.Item.Origin = `"><script>alert(2)</script>`
	hostile.Attachments = nil
	arts := append(smallSet(), hostile)
	for n := range 30 {
		arts = append(arts, seriesArticle("stdt", n))
	}
	r := newRenderer(t, testSite(""))
	site := renderSite(t, r, arts)

	for _, want := range []string{"index.html", "feed.xml", "sitemap.xml", "style.css", "gwyzcxx/index.html", "zcwj/index.html", "stdt/index.html", "stdt/index_1.html", "404.html", "sitemap.html"} {
		if site[want] == nil {
			t.Errorf("docroot lacks %s", want)
		}
	}
	for p, body := range site {
		switch path.Ext(p) {
		case ".xml":
			if err := xml.Unmarshal(body, new(struct{})); err != nil {
				t.Errorf("%s: %v", p, err)
			}
			if bytes.Contains(body, []byte("<script")) {
				t.Errorf("%s holds an unescaped <script", p)
			}
		case ".html":
			doc := parseHTML(t, body)
			for _, href := range links(doc) {
				u, err := url.Parse(href)
				if err != nil {
					t.Errorf("%s: bad link %q: %v", p, href, err)
					continue
				}
				if u.IsAbs() {
					if u.Scheme != "https" && u.Scheme != "http" && u.Scheme != "mailto" {
						t.Errorf("%s: link %q", p, href)
					}
					continue
				}
				if strings.HasPrefix(href, "/") && p == render.NotFoundPath {
					// The 404 page is served at any unknown path, so its
					// links are root-relative (absolute with a BaseURL).
					if site[strings.TrimPrefix(u.Path, "/")] == nil {
						t.Errorf("%s: link %q leads to a missing page", p, href)
					}
					continue
				}
				if strings.HasPrefix(href, "/") {
					t.Errorf("%s: root-relative link %q breaks under a prefix", p, href)
					continue
				}
				target := path.Join(path.Dir(p), u.Path)
				if strings.HasPrefix(target, "attachments/") {
					continue
				}
				if site[target] == nil {
					t.Errorf("%s: link %q leads to missing %s", p, href, target)
				}
			}
		}
	}
}

func TestNewInvalid(t *testing.T) {
	tests := []struct {
		name   string
		change func(*render.Site)
	}{
		{"no name", func(s *render.Site) { s.Name = " " }},
		{"relative base", func(s *render.Site) { s.BaseURL = "example.org/site" }},
		{"ftp base", func(s *render.Site) { s.BaseURL = "ftp://example.org/" }},
		{"base with query", func(s *render.Site) { s.BaseURL = "https://example.org/?a=1" }},
		{"unsafe column id", func(s *render.Site) { s.Columns[0].ID = "a/b" }},
		{"dotted column id", func(s *render.Site) { s.Columns[0].ID = ".." }},
		{"unnamed column", func(s *render.Site) { s.Columns[0].Name = "" }},
		{"duplicate column", func(s *render.Site) { s.Columns[1].ID = s.Columns[0].ID }},
		{"negative page size", func(s *render.Site) { s.PageSize = -1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := testSite("")
			tt.change(&s)
			if _, err := render.New(s); !errors.Is(err, render.ErrInvalid) {
				t.Errorf("New error = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestAssets(t *testing.T) {
	assets := newRenderer(t, testSite("")).Assets()
	if len(assets) != 1 || assets[0].Path != render.StylePath || !bytes.Contains(assets[0].Body, []byte(".banner-repealed")) {
		t.Errorf("Assets = %d pages, want style.css with the banner style", len(assets))
	}
}
