package readmodel

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
)

// TestMetricsQueries checks that the rules decisions come with the class
// before them, reviews left out, and that only an item's first publication
// on each sink is returned; both in stream order, from a position on.
func TestMetricsQueries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "readmodel.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var seq uint64
	var msgs []Msg
	add := func(ev syndicator.Event) {
		t.Helper()
		data, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		seq++
		msgs = append(msgs, Msg{Stream: natsbus.StreamEvents, Seq: seq, Subject: ev.Subject(), Data: data})
	}
	item := func(id, src string, baseline bool) {
		it := &syndicator.Item{ID: id, Source: src, Title: "标题" + id, Revision: 1, PublishedAt: at.Add(-time.Hour), DiscoveredAt: at, Baseline: baseline}
		add(syndicator.Event{Kind: syndicator.KindDiscovered, ID: id, Revision: 1, Source: src, At: at, Item: it})
	}
	decided := func(id, src string, class syndicator.Class) {
		add(syndicator.Event{Kind: syndicator.KindDecided, ID: id, Revision: 1, Source: src, At: at.Add(time.Minute),
			Decision: &syndicator.Decision{Step: syndicator.StepRules, Class: class, Publish: class != syndicator.ClassIgnore}})
	}
	published := func(id, src, sink string, after time.Duration) {
		add(syndicator.Event{Kind: syndicator.KindPublished, ID: id, Revision: 1, Source: src, Sink: sink, At: at.Add(after)})
	}
	a, b, c, d := "0000000000000000000000000000000a", "0000000000000000000000000000000b", "0000000000000000000000000000000c", "0000000000000000000000000000000d"
	item(a, "govcn-zuixin", false)
	item(b, "govcn-zuixin", true)
	item(c, "guiyang-gfxwj", false)
	item(d, "guiyang-gfxwj", false) // not decided yet
	decided(a, "govcn-zuixin", syndicator.ClassTimely)
	decided(b, "govcn-zuixin", syndicator.ClassTimely)
	decided(c, "guiyang-gfxwj", syndicator.ClassIgnore)
	add(syndicator.Event{Kind: syndicator.KindDecided, ID: b, Revision: 1, Source: "govcn-zuixin", At: at.Add(90 * time.Second),
		Decision: &syndicator.Decision{Step: syndicator.StepReview, Outcome: syndicator.OutcomeApproved}}) // a review: no rules decision
	decided(c, "guiyang-gfxwj", syndicator.ClassSync)      // c's next revision, decided again
	published(a, "govcn-zuixin", "site", 2*time.Minute)    // first on site
	published(a, "govcn-zuixin", "webhook", 3*time.Minute) // first on webhook
	published(b, "govcn-zuixin", "site", 4*time.Minute)    // first on site
	published(a, "govcn-zuixin", "site", time.Hour)        // a re-render: not first
	if skipped, err := st.Apply(ctx, msgs); err != nil || skipped != nil {
		t.Fatalf("apply: %v (%v)", err, skipped)
	}

	decisions, err := st.Decisions(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	type dec struct {
		source          string
		class, previous syndicator.Class
	}
	want := []dec{
		{"govcn-zuixin", syndicator.ClassTimely, ""},
		{"govcn-zuixin", syndicator.ClassTimely, ""},
		{"guiyang-gfxwj", syndicator.ClassIgnore, ""},
		{"guiyang-gfxwj", syndicator.ClassSync, syndicator.ClassIgnore},
	}
	if len(decisions) != len(want) {
		t.Fatalf("decisions = %+v, want %+v", decisions, want)
	}
	for i, d := range decisions {
		if (dec{d.Source, d.Class, d.Previous}) != want[i] || i > 0 && d.Seq <= decisions[i-1].Seq {
			t.Errorf("decision %d = %+v, want %+v", i, d, want[i])
		}
	}
	if rest, err := st.Decisions(ctx, decisions[2].Seq, 100); err != nil || len(rest) != 1 || rest[0].Seq != decisions[3].Seq {
		t.Errorf("decisions after %d: %+v %v", decisions[2].Seq, rest, err)
	}

	pubs, err := st.FirstPublications(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(pubs) != 3 {
		t.Fatalf("first publications = %+v, want 3", pubs)
	}
	first := pubs[0]
	if first.Sink != "site" || first.Source != "govcn-zuixin" || !first.At.Equal(at.Add(2*time.Minute)) ||
		!first.DiscoveredAt.Equal(at) || !first.PublishedAt.Equal(at.Add(-time.Hour)) || first.Baseline || first.Backfilled {
		t.Errorf("first publication = %+v", first)
	}
	if pubs[1].Sink != "webhook" || pubs[2].Sink != "site" || !pubs[2].Baseline || pubs[0].Seq >= pubs[1].Seq || pubs[1].Seq >= pubs[2].Seq {
		t.Errorf("first publications = %+v", pubs)
	}
	// From a position on, in pages.
	rest, err := st.FirstPublications(ctx, pubs[0].Seq, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(rest) != 1 || rest[0].Seq != pubs[1].Seq {
		t.Errorf("after %d, limit 1: %+v", pubs[0].Seq, rest)
	}
	if none, err := st.FirstPublications(ctx, pubs[2].Seq, 100); err != nil || len(none) != 0 {
		t.Errorf("after the last first publication: %+v %v", none, err)
	}
}

// BenchmarkMetricsQueries times what a scrape asks the read model over
// $SYND_BENCH_ITEMS items (default 100,000):
//
//	SYND_BENCH_ITEMS=100000 go test -run '^$' -bench MetricsQueries -benchtime 1x ./syndicator/readmodel
func BenchmarkMetricsQueries(b *testing.B) {
	n := benchItems(b)
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(b.TempDir(), "index.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	var seq uint64
	batch := make([]Msg, 0, 520)
	for i := range n {
		batch = append(batch, syntheticEvents(b, rng, i, &seq)...)
		if len(batch) >= 500 || i == n-1 {
			if skipped, err := st.Apply(ctx, batch); err != nil || skipped != nil {
				b.Fatal(err, skipped)
			}
			batch = batch[:0]
		}
	}
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		decided := 0
		for after := uint64(0); ; {
			ds, err := st.Decisions(ctx, after, 10_000)
			if err != nil {
				b.Fatal(err)
			}
			if len(ds) == 0 {
				break
			}
			decided += len(ds)
			after = ds[len(ds)-1].Seq
		}
		b.ReportMetric(float64(time.Since(start).Microseconds())/1000, "all-decisions-ms")
		b.ReportMetric(float64(decided), "decisions")
		start = time.Now()
		total := 0
		for after := uint64(0); ; {
			pubs, err := st.FirstPublications(ctx, after, 10_000)
			if err != nil {
				b.Fatal(err)
			}
			if len(pubs) == 0 {
				break
			}
			total += len(pubs)
			after = pubs[len(pubs)-1].Seq
		}
		b.ReportMetric(float64(time.Since(start).Microseconds())/1000, "all-publications-ms")
		b.ReportMetric(float64(total), "publications")
		start = time.Now()
		if _, err := st.FirstPublications(ctx, seq, 10_000); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(time.Since(start).Microseconds())/1000, "new-publications-ms")
		start = time.Now()
		if _, err := st.Decisions(ctx, seq, 10_000); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(time.Since(start).Microseconds())/1000, "new-decisions-ms")
	}
}
