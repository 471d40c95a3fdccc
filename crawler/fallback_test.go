package crawler_test

import (
	"strings"
	"testing"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/crawler"
	"github.com/gyeco/syndicator/syndicator"
)

// countyRedesigned is countySource whose detail selectors no longer match
// anything, as after a redesign of the detail template: the body and the
// metadata containers are gone (the title selector still matches).
var countyRedesigned = strings.NewReplacer(
	"body: [div.article-content]", "body: [div.zw-v2]",
	"meta_tables: [div.xxgk-meta table]", "meta_tables: [div.xxgk-v2 table]",
	"meta_lists: [div.article-info]", "meta_lists: [div.info-v2]",
).Replace(countySource)

// TestFallbackKeepsItemsFlowing: when a source's detail selectors match
// nothing, the generic readers (body by text density, metadata by its
// labels) keep its items flowing with the right fields; every item says
// it was read so (extracted_by: fallback) and the source turns degraded
// with a reason naming the selectors.
func TestFallbackKeepsItemsFlowing(t *testing.T) {
	t.Parallel()
	h := newHarness(t, sim.Options{Seed: 37, Items: 25, Sites: []string{sim.County}})
	c := h.crawler(t, source(t, countyRedesigned, "xiuwen", h.srv.URL), "owner")
	releases := releasesOf(h.sim, sim.County)
	if res := poll(t, c); res.New != len(releases) || res.Failed != 0 {
		t.Fatalf("poll: %+v, want %d new and none failed", res, len(releases))
	}
	wantDegraded(t, sourceState(t, h.bus, "xiuwen"), "div.zw-v2", "extracted_by: fallback", "source test")
	checkCountyItems(t, h, "xiuwen", releases, syndicator.ExtractedByFallback)
}

// TestListFallbackKeepsItemsFlowing: govsim redesigns a site's lists (TRS
// rows as div.news-list-v2 dd; gov.cn's JSON wrapped in data.list with
// camel-case keys), so the preset's list rule reads nothing; the generic
// list readers keep finding the new releases with the right fields, and
// the source is degraded with a reason that says so. Switched back, it is
// ok again.
func TestListFallbackKeepsItemsFlowing(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		site, tmpl, id string
		reason         []string
	}{
		{sim.Guizhou, guizhouSource, "gz", []string{"改版", "通用识别", `"ul.NewsList li"`, "source test"}},
		{sim.GovCN, govcnSource, "gov", []string{"改版", "通用识别", "JSON", "source test"}},
	} {
		t.Run(tc.site, func(t *testing.T) {
			h := newHarness(t, sim.Options{Seed: 43, Items: 6, LargeEvery: -1, Sites: []string{tc.site}})
			c := h.crawler(t, source(t, tc.tmpl, tc.id, h.srv.URL), "owner")
			if res := poll(t, c); res.New == 0 {
				t.Fatalf("first poll: %+v", res)
			}
			h.sim.Redesign(tc.site, true)
			var fresh []sim.Release
			for range 4 {
				fresh = append(fresh, h.sim.Publish())
			}
			if res := poll(t, c); res.New != len(fresh) || res.Failed != 0 {
				t.Fatalf("poll after the redesign: %+v, want %d new", res, len(fresh))
			}
			wantDegraded(t, sourceState(t, h.bus, tc.id), tc.reason...)
			byURL := map[string]syndicator.Item{}
			for _, ev := range discovered(t, h.bus, tc.id) {
				byURL[ev.Item.URL] = *ev.Item
			}
			for _, r := range fresh {
				it, ok := byURL[h.canonical(t, r)]
				if !ok {
					t.Errorf("%s, published after the redesign, not announced", r.Path)
					continue
				}
				if it.DocNumber != r.DocNumber || !it.PublishedAt.Equal(r.PublishedAt) {
					t.Errorf("%s: doc number %q, published %v; want %q, %v", r.Path, it.DocNumber, it.PublishedAt, r.DocNumber, r.PublishedAt)
				}
			}
			h.sim.Redesign(tc.site, false)
			poll(t, c)
			if st := sourceState(t, h.bus, tc.id); st.State != crawler.HealthOK {
				t.Errorf("after switching back: state %s (%s), want ok", st.State, st.Reason)
			}
		})
	}
}
