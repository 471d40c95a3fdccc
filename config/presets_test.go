package config

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/crawler/extract"
	"github.com/gyeco/syndicator/syndicator"
)

// TestPresetsReadGovsim runs each built-in preset's rules, unchanged, over
// govsim's pages and compares every extracted field with govsim's ground
// truth.
func TestPresetsReadGovsim(t *testing.T) {
	site := sim.New(sim.Options{Seed: 21, Items: 50})
	srv := httptest.NewServer(site)
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	truth := map[string]sim.Release{}
	for _, r := range site.Releases() {
		truth[srv.URL+r.Path] = r
	}

	tests := []struct {
		preset string
		lists  []string // list pages, under base_url
		base   string
	}{
		{"govcn-zuixin", []string{"/zhengce/zuixin/ZUIXINZHENGCE.json"}, "/govcn"},
		{"guizhou-szfwj", []string{"/zwgk/zcfg/szfwj/qff/", "/zwgk/zcfg/szfwj/qff/index_1.html", "/zwgk/zcfg/szfwj/qfbf/"}, "/guizhou"},
	}
	ext := extract.New(nil)
	for _, tt := range tests {
		t.Run(tt.preset, func(t *testing.T) {
			p := Presets()[tt.preset]
			seen := 0
			for _, l := range tt.lists {
				pageURL, _ := url.Parse(srv.URL + tt.base + l)
				body, ctype, ok := site.Body(host, pageURL.Path)
				if !ok {
					t.Fatalf("govsim does not serve %s", pageURL.Path)
				}
				entries, err := extract.List(body, ctype, pageURL, p.List)
				if err != nil {
					t.Fatalf("list %s: %v", l, err)
				}
				for _, e := range entries {
					r, ok := truth[e.URL]
					if !ok {
						t.Errorf("list %s yields %s, which is no release (filter failed)", l, e.URL)
						continue
					}
					seen++
					if e.Title != r.Title {
						t.Errorf("%s: list title %q, want %q", r.Path, e.Title, r.Title)
					}
					checkDetail(t, ext, site, host, srv.URL, r, p.Detail)
				}
			}
			want := 0
			for _, r := range site.Releases() {
				if (tt.preset == "govcn-zuixin") == (r.Site == sim.GovCN) {
					want++
				}
			}
			if seen != want {
				t.Errorf("lists yield %d releases, govsim has %d for this site", seen, want)
			}
		})
	}
}

func checkDetail(t *testing.T, ext *extract.Extractor, site *sim.Site, host, base string, r sim.Release, rule extract.DetailRule) {
	t.Helper()
	body, ctype, _ := site.Body(host, r.Path)
	pageURL, _ := url.Parse(base + r.Path)
	p, err := ext.Detail(body, ctype, pageURL, rule)
	if err != nil {
		t.Fatalf("%s: %v", r.Path, err)
	}
	if len(p.Missing) > 0 {
		t.Errorf("%s: missing %v", r.Path, p.Missing)
	}
	check := func(field, got, want string) {
		if got != want {
			t.Errorf("%s: %s = %q, want %q", r.Path, field, got, want)
		}
	}
	title := r.Title
	if r.Site == sim.Guizhou {
		title = strings.TrimSuffix(title, "（"+r.DocNumber+"）")
	}
	if p.Title != title && p.Title != r.Title {
		t.Errorf("%s: title %q, want %q", r.Path, p.Title, r.Title)
	}
	check("doc_number", p.DocNumber, r.DocNumber)
	check("doc_key", p.DocKey, extract.DocKey(r.DocNumber))
	check("index_number", p.IndexNumber, r.IndexNumber)
	check("issuer", p.Issuer, r.Issuer)
	check("written_at", p.WrittenAt, r.WrittenAt.Format("2006-01-02"))
	if r.Subject != "" {
		check("subject", p.Subject, r.Subject)
	}
	if !p.PublishedAt.Equal(r.PublishedAt) {
		t.Errorf("%s: published_at %v, want %v", r.Path, p.PublishedAt, r.PublishedAt)
	}
	wantPrec := syndicator.PrecisionSecond
	if r.Site == sim.Guizhou {
		wantPrec = syndicator.PrecisionMinute
	}
	if p.PublishedPrecision != wantPrec {
		t.Errorf("%s: precision %s, want %s", r.Path, p.PublishedPrecision, wantPrec)
	}
	if r.Validity != "" && p.Validity != extract.ParseValidity(r.Validity) {
		t.Errorf("%s: validity %s, want %s", r.Path, p.Validity, extract.ParseValidity(r.Validity))
	}
	if got, want := strings.Join(strings.Fields(p.BodyText), ""), strings.Join(strings.Fields(r.Text()), ""); got != want {
		t.Errorf("%s: body text differs (%d vs %d chars)", r.Path, len(got), len(want))
	}
	if len(p.Attachments) != len(r.Attachments) {
		t.Errorf("%s: %d attachments, want %d", r.Path, len(p.Attachments), len(r.Attachments))
	}
}
