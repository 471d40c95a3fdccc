package extract_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/crawler/extract"
	"github.com/gyeco/syndicator/syndicator"
)

// TestPresetsRelatedGovsim reads every gov.cn page govsim serves with the
// preset's detail rule: a 解读 links to the document it interprets (kind
// original, govsim's Interprets), and no other page links anywhere (the
// 相关稿件 box of 国务院文件 pages points at columns only).
func TestPresetsRelatedGovsim(t *testing.T) {
	t.Parallel()
	site := sim.New(sim.Options{Seed: 8, Items: 40, LargeEvery: -1, Sites: []string{sim.GovCNAll}})
	const base = "http://127.0.0.1:8090"
	host := strings.TrimPrefix(base, "http://")
	rule := config.Presets()["govcn-jiedu"].Detail
	ext := extract.New(nil)
	var jiedu, others int
	for _, r := range site.Releases() {
		if r.Site != sim.GovCN {
			continue
		}
		body, ctype, ok := site.Body(host, r.Path)
		if !ok {
			t.Fatalf("govsim does not serve %s", r.Path)
		}
		pageURL, _ := url.Parse(base + r.Path)
		p, err := ext.Detail(body, ctype, pageURL, rule)
		if err != nil {
			t.Fatalf("%s: %v", r.Path, err)
		}
		var want []syndicator.Related
		if r.Interprets != "" {
			jiedu++
			u := base + r.Interprets
			want = []syndicator.Related{{Kind: syndicator.RelOriginal, ID: syndicator.ItemID(u), URL: u}}
		} else {
			others++
		}
		// Titles are the link text, checked by the extract goldens.
		got := make([]syndicator.Related, len(p.Related))
		for i, rel := range p.Related {
			rel.Title = ""
			got[i] = rel
		}
		if len(got) == 0 {
			got = nil
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (%s): related (-want +got):\n%s", r.Path, r.Column, diff)
		}
	}
	if jiedu == 0 || others == 0 {
		t.Fatalf("govsim served %d 解读 and %d other gov.cn pages; want both", jiedu, others)
	}
}
