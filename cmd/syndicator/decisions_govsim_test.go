package main

import (
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/crawler/extract"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/lifecycle"
)

// TestParseGovsimDecisions reads the decisions govsim publishes on each
// site the way the pipeline does (the site's preset detail rule, then
// ParseDecision on the title and body text) and compares the entries with
// the targets govsim repealed and declared expired. It lives here, not in
// syndicator/lifecycle, because it spans govsim, the presets and the
// crawler's extractor, which the core does not import.
func TestParseGovsimDecisions(t *testing.T) {
	const base = "http://127.0.0.1:8090"
	for _, tc := range []struct{ site, preset string }{
		{sim.Guizhou, "guizhou-szfwj"},
		{sim.GovCN, "govcn-zuixin"},
		{sim.Guiyang, "guiyang-gfxwj"},
	} {
		t.Run(tc.site, func(t *testing.T) {
			s := sim.New(sim.Options{Seed: 9, Items: 12, LargeEvery: -1, Sites: []string{tc.site}})
			var targets []sim.Release
			for _, r := range s.Releases() {
				if r.Site == tc.site && r.DocNumber != "" && r.Validity != sim.Repealed && r.Validity != sim.Expired && len(targets) < 3 {
					targets = append(targets, r)
				}
			}
			if len(targets) < 3 {
				t.Fatalf("govsim has %d documents with a number on %s", len(targets), tc.site)
			}
			d, err := s.RepealAndExpire(tc.site, []string{targets[0].Path, targets[1].Path}, []string{targets[2].Path})
			if err != nil {
				t.Fatal(err)
			}
			body, ctype, ok := s.Body("127.0.0.1:8090", d.Path)
			if !ok {
				t.Fatalf("govsim does not serve %s", d.Path)
			}
			pageURL, _ := url.Parse(base + d.Path)
			page, err := extract.Detail(body, ctype, pageURL, config.Presets()[tc.preset].Detail)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := lifecycle.ParseDecision(page.Title, page.BodyText)
			if !ok {
				t.Fatalf("%q is not read as a decision", page.Title)
			}
			var want []lifecycle.Entry
			for i, r := range targets {
				to := syndicator.ValidityRepealed
				if i == 2 {
					to = syndicator.ValidityExpired
				}
				// The decision quotes the title without its trailing （发文字号）.
				title := strings.TrimSuffix(r.Title, "（"+r.DocNumber+"）")
				want = append(want, lifecycle.Entry{Title: title, DocNumber: r.DocNumber, DocKey: syndicator.DocKey(r.DocNumber), To: to})
			}
			if diff := cmp.Diff(want, got.Entries); diff != "" {
				t.Errorf("%s: entries (-want +got):\n%s\nbody:\n%s", page.Title, diff, page.BodyText)
			}
		})
	}
}
