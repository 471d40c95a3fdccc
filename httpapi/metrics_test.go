package httpapi

import (
	"context"
	"encoding/json"
	"maps"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/crawler"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/readmodel"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	"github.com/rs/zerolog"
)

// TestStatsMetrics: JetStream's counts become the events, dead-letter and
// backlog series, published events with their sink and the sinks' backlog
// under its old name too; an expected consumer not created yet owes what
// its subjects hold.
func TestStatsMetrics(t *testing.T) {
	t.Parallel()
	d := newDescs()
	st := natsbus.Stats{
		Subjects: map[string]uint64{
			"synd.item.discovered.govcn-zuixin":     3,
			"synd.item.published.site.govcn-zuixin": 2,
			"synd.source.health.govcn-zuixin":       1,
			"synd.dead.site":                        4,
		},
		Pending: map[string]uint64{"decide": 5, "site": 1},
	}
	expected := map[string][]string{
		"decide":  {"synd.item.archived.>"},
		"site":    {"synd.item.decided.>"},
		"archive": {"synd.item.discovered.>", "synd.item.revised.>", "synd.retry.archive"},
	}
	want := `
# HELP syndicator_consumer_backlog Messages a reader of the streams has yet to process. Durable consumers (decide, archive, site, webhook): pending + ack-pending. Ordered followers (ledger, readmodel): stream sequences between their position and the last message they read.
# TYPE syndicator_consumer_backlog gauge
syndicator_consumer_backlog{consumer="archive",stream="SYND_EVENTS"} 3
syndicator_consumer_backlog{consumer="decide",stream="SYND_EVENTS"} 5
syndicator_consumer_backlog{consumer="site",stream="SYND_EVENTS"} 1
# HELP syndicator_dead_letters Dead-letter records in SYND_DEAD: messages a consumer gave up on.
# TYPE syndicator_dead_letters gauge
syndicator_dead_letters{consumer="site"} 4
# HELP syndicator_events Events stored in SYND_EVENTS, by kind, source and (published events) sink.
# TYPE syndicator_events gauge
syndicator_events{kind="discovered",source="govcn-zuixin"} 3
syndicator_events{kind="published",sink="site",source="govcn-zuixin"} 2
# HELP syndicator_sink_backlog Messages a sink has not acknowledged yet (pending + ack-pending); syndicator_consumer_backlog has every consumer.
# TYPE syndicator_sink_backlog gauge
syndicator_sink_backlog{sink="archive"} 3
syndicator_sink_backlog{sink="site"} 1
`
	if err := testutil.CollectAndCompare(metricList(statsMetrics(&d, st, expected)), strings.NewReader(want)); err != nil {
		t.Error(err)
	}
}

// TestSubjectMatches: NATS filter matching, as consumers filter.
func TestSubjectMatches(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		filter, subject string
		want            bool
	}{
		{"synd.item.decided.>", "synd.item.decided.govcn-zuixin", true},
		{"synd.item.decided.>", "synd.item.decided", false},
		{"synd.item.>", "synd.item.published.site.src", true},
		{"synd.item.*.src", "synd.item.archived.src", true},
		{"synd.item.*.src", "synd.item.published.site.src", false},
		{"synd.retry.site", "synd.retry.site", true},
		{"synd.retry.site", "synd.retry.site.x", false},
		{"synd.retry.site", "synd.retry", false},
		{">", "synd", true},
	} {
		if got := subjectMatches(c.filter, c.subject); got != c.want {
			t.Errorf("subjectMatches(%q, %q) = %v", c.filter, c.subject, got)
		}
	}
}

// TestIndexTally: items move between classes as rules decide them again.
func TestIndexTally(t *testing.T) {
	t.Parallel()
	tally := indexTally{classes: map[sourceClass]int{}}
	for _, d := range []readmodel.Decision{
		{Source: "a", Class: syndicator.ClassTimely},
		{Source: "a", Class: syndicator.ClassReview},
		{Source: "a", Class: syndicator.ClassSync, Previous: syndicator.ClassReview}, // a revision, decided again
		{Source: "b", Class: syndicator.ClassIgnore},
	} {
		tally.decided(d)
	}
	want := map[sourceClass]int{{"a", syndicator.ClassTimely}: 1, {"a", syndicator.ClassReview}: 0, {"a", syndicator.ClassSync}: 1, {"b", syndicator.ClassIgnore}: 1}
	if !maps.Equal(tally.classes, want) {
		t.Errorf("classes = %v, want %v", tally.classes, want)
	}
}

// TestReadPages: pages are read until one is not full, or, once the
// budget is spent, the rest is left to the next scrape.
func TestReadPages(t *testing.T) {
	t.Parallel()
	sizes := []int{indexPage, indexPage, 3, indexPage}
	calls := 0
	page := func() (int, error) { calls++; return sizes[calls-1], nil }
	if err := readPages(time.Now().Add(time.Hour), page); err != nil || calls != 3 {
		t.Errorf("within the budget: %d pages read, %v; want 3", calls, err)
	}
	calls = 0
	if err := readPages(time.Now().Add(-time.Second), page); err != nil || calls != 1 {
		t.Errorf("budget spent: %d pages read, %v; want 1", calls, err)
	}
}

// TestHealthMetrics: every known state is reported, 1 for the current.
func TestHealthMetrics(t *testing.T) {
	t.Parallel()
	d := newDescs()
	polled := time.Unix(1_760_000_000, 0)
	want := `
# HELP syndicator_source_health 1 for the current health state of a source (ok, degraded, failing), 0 for the others.
# TYPE syndicator_source_health gauge
syndicator_source_health{source="a",state="degraded"} 1
syndicator_source_health{source="a",state="failing"} 0
syndicator_source_health{source="a",state="ok"} 0
syndicator_source_health{source="b",state="degraded"} 0
syndicator_source_health{source="b",state="failing"} 0
syndicator_source_health{source="b",state="ok"} 0
syndicator_source_health{source="b",state="paused"} 1
# HELP syndicator_source_last_poll_seconds Unix time of the source's last poll.
# TYPE syndicator_source_last_poll_seconds gauge
syndicator_source_last_poll_seconds{source="a"} 1.76e+09
`
	got := append(healthMetrics(&d, "a", crawler.SourceState{State: crawler.HealthDegraded, LastPoll: polled}),
		healthMetrics(&d, "b", crawler.SourceState{State: "paused"})...)
	if err := testutil.CollectAndCompare(metricList(got), strings.NewReader(want)); err != nil {
		t.Error(err)
	}
}

// TestPublicationLags: lags in seconds from discovery and from the
// source's publication, never negative, none for history or unknown times.
func TestPublicationLags(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	p := readmodel.Publication{At: at, DiscoveredAt: at.Add(-90 * time.Second), PublishedAt: at.Add(-2 * time.Hour)}
	if v, ok := lagFromDiscovery(p); !ok || v != 90 {
		t.Errorf("from discovery: %v %v", v, ok)
	}
	if v, ok := lagFromUpstream(p); !ok || v != 7200 {
		t.Errorf("from upstream: %v %v", v, ok)
	}
	skewed := p
	skewed.DiscoveredAt = at.Add(time.Second)
	if v, ok := lagFromDiscovery(skewed); !ok || v != 0 {
		t.Errorf("published before found (clock skew): %v %v", v, ok)
	}
	for name, q := range map[string]readmodel.Publication{
		"baseline":   {At: at, PublishedAt: at.AddDate(-1, 0, 0), Baseline: true},
		"backfilled": {At: at, PublishedAt: at.AddDate(-1, 0, 0), Backfilled: true},
		"no date":    {At: at},
	} {
		if v, ok := lagFromUpstream(q); ok {
			t.Errorf("%s: upstream lag %v", name, v)
		}
	}
	if _, ok := lagFromDiscovery(readmodel.Publication{At: at}); ok {
		t.Error("a lag from an unknown discovery time")
	}
	for _, c := range []struct{ last, pos, want uint64 }{{10, 4, 6}, {4, 4, 0}, {3, 4, 0}, {0, 0, 0}} {
		if got := behind(c.last, c.pos); got != c.want {
			t.Errorf("behind(%d, %d) = %d, want %d", c.last, c.pos, got, c.want)
		}
	}
}

// TestFallbackMetrics: the items read by the fallback, per source: every
// configured source, 0 when it has none, and a source no longer
// configured whose items the read model still holds.
func TestFallbackMetrics(t *testing.T) {
	t.Parallel()
	d := newDescs()
	want := `
# HELP syndicator_items_fallback Items in serve's read model whose latest revision the generic readers read (extracted_by fallback: the source's selectors matched nothing on the page), by source; 0 for a configured source without any.
# TYPE syndicator_items_fallback gauge
syndicator_items_fallback{source="govcn-zuixin"} 0
syndicator_items_fallback{source="guiyang-gfxwj"} 2
syndicator_items_fallback{source="retired"} 1
`
	got := fallbackMetrics(&d, map[string]int{"guiyang-gfxwj": 2, "retired": 1}, []string{"guiyang-gfxwj", "govcn-zuixin"})
	if err := testutil.CollectAndCompare(metricList(got), strings.NewReader(want)); err != nil {
		t.Error(err)
	}
	if got := fallbackMetrics(&d, nil, nil); len(got) != 0 {
		t.Errorf("no sources, no items: %d series", len(got))
	}
}

// TestMetricsCountFallbackItems: /metrics counts, from serve's read
// model, the items whose latest revision the generic readers read
// (extracted_by fallback), per source; an item its source's rules read,
// or whose revision they read again, is not counted. The exposition
// passes promlint (a gauge has no _total).
func TestMetricsCountFallbackItems(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := readmodel.Open(ctx, filepath.Join(t.TempDir(), "readmodel.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	at := time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)
	var msgs []readmodel.Msg
	found := func(id, source string, rev int, extractedBy string) {
		t.Helper()
		kind := syndicator.KindDiscovered
		if rev > 1 {
			kind = syndicator.KindRevised
		}
		ev := syndicator.Event{V: syndicator.EventVersion, Kind: kind, ID: id, Revision: rev, Source: source, At: at,
			Item: &syndicator.Item{ID: id, Source: source, Title: "标题", Revision: rev, DiscoveredAt: at, ExtractedBy: extractedBy}}
		data, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, readmodel.Msg{Stream: natsbus.StreamEvents, Seq: uint64(len(msgs) + 1), Subject: ev.Subject(), Data: data})
	}
	id := func(c byte) string { return strings.Repeat(string(c), 32) }
	found(id('a'), "guiyang-gfxwj", 1, syndicator.ExtractedByFallback)
	found(id('b'), "guiyang-gfxwj", 1, syndicator.ExtractedByFallback)
	found(id('c'), "guiyang-gfxwj", 1, "")
	found(id('d'), "govcn-zuixin", 1, syndicator.ExtractedByFallback)
	found(id('d'), "govcn-zuixin", 2, "") // the rules read its revision
	if skipped, err := st.Apply(ctx, msgs); err != nil || skipped != nil {
		t.Fatalf("read model: %v (%v)", err, skipped)
	}
	s := &Server{index: st, log: zerolog.Nop(),
		sources: []config.Source{{ID: "govcn-zuixin"}, {ID: "guiyang-gfxwj"}, {ID: "guizhou-szfwj"}}}
	rec := httptest.NewRecorder()
	s.metrics(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	if rec.Code != 200 {
		t.Fatalf("/metrics: %d %s", rec.Code, body)
	}
	for _, want := range []string{
		"# TYPE syndicator_items_fallback gauge",
		`syndicator_items_fallback{source="guiyang-gfxwj"} 2`,
		`syndicator_items_fallback{source="govcn-zuixin"} 0`,
		`syndicator_items_fallback{source="guizhou-szfwj"} 0`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, body)
		}
	}
	problems, err := promlint.New(strings.NewReader(body)).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
}
