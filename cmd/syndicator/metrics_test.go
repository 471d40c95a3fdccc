package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/crawler"
	"github.com/gyeco/syndicator/sinks/webhook/cmstest"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/gyeco/syndicator/syndicator/readmodel"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/rs/zerolog"
)

// series names one series of a scrape: a metric and its labels.
type series struct {
	name   string
	labels map[string]string
}

func (s series) String() string {
	keys := make([]string, 0, len(s.labels))
	for k := range s.labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%q", k, s.labels[k])
	}
	return s.name + "{" + strings.Join(parts, ",") + "}"
}

// wantSeries is a series a scrape must have, with its value; atLeastOne
// for a count that must have started.
type wantSeries struct {
	s series
	v float64
}

const atLeastOne = -1

// scraped is one /metrics answer, parsed.
type scraped struct {
	body     string
	families map[string]*dto.MetricFamily
}

// value is the series' value (for a histogram, its count of samples);
// false when the scrape does not have it.
func (sc scraped) value(s series) (float64, bool) {
	mf := sc.families[s.name]
	if mf == nil {
		return 0, false
	}
next:
	for _, m := range mf.GetMetric() {
		if len(m.GetLabel()) != len(s.labels) {
			continue
		}
		for _, lp := range m.GetLabel() {
			if v, ok := s.labels[lp.GetName()]; !ok || v != lp.GetValue() {
				continue next
			}
		}
		switch {
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

func scrape(t *testing.T, url string) scraped {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4") ||
		resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("/metrics: %d %q %q\n%.2000s", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"), body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("/metrics does not parse: %v\n%s", err, body)
	}
	return scraped{body: string(body), families: families}
}

// TestMetricsScrape runs every role in one process on embedded NATS over
// govsim, with a webhook to a test CMS and a source whose list is gone,
// and scrapes /metrics until every item went through every consumer: a
// backlog series (at 0) for each durable consumer and ordered follower,
// the per-source and per-sink series the items produce, and an
// exposition promlint finds nothing wrong with.
func TestMetricsScrape(t *testing.T) {
	t.Parallel() // own govsim, NATS, ports and data dirs
	p := newPipeline(t, sim.Options{Seed: 9, Items: 3, LargeEvery: -1, Sites: []string{sim.GovCN, sim.Guizhou}}, "", natstest.FreePort(t), "fs")
	cms := cmstest.New([]byte(webhookSecret))
	t.Cleanup(cms.Close)
	// The sources are last in the configuration: one more, whose list is
	// not there (404), then the webhook.
	p.yaml += fmt.Sprintf("  - {id: broken, preset: govcn-zuixin, base_url: %s/nowhere, interval: 1s}\nwebhook: {url: %q, secret: %q, timeout: 2s}\n",
		p.srv.URL, cms.URL, webhookSecret)
	cfg := p.config(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	app := &App{Config: cfg, Embedded: true, Log: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.ErrorLevel), SweepEvery: 200 * time.Millisecond}
	go func() { done <- app.Run(ctx, RoleCrawl, RoleArchive, RoleSite, RoleWebhook, RoleServe) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run returned %v", err)
		}
	})
	url := "http://" + cfg.HTTP.Listen + "/metrics"
	sourceOf := map[string]string{sim.GovCN: "govcn-zuixin", sim.Guizhou: "guizhou-szfwj"}

	// The releases listed at the first poll are the sources' baseline,
	// which the lag from upstream leaves out: once they are through, one
	// more release comes out.
	waitFor(t, 90*time.Second, "the baseline on the site", func() (bool, string) {
		n := len(siteListing(t, p.site))
		return n == len(p.sim.Releases()), fmt.Sprintf("%d of %d releases on the site", n, len(p.sim.Releases()))
	})
	fresh := p.sim.Publish()

	perSource := map[string]float64{}
	for _, r := range p.sim.Releases() {
		perSource[sourceOf[r.Site]]++
	}
	total := float64(len(p.sim.Releases()))
	var want []wantSeries
	at := func(v float64, name string, kv ...string) {
		s := series{name: name, labels: map[string]string{}}
		for i := 0; i < len(kv); i += 2 {
			s.labels[kv[i]] = kv[i+1]
		}
		want = append(want, wantSeries{s, v})
	}
	for _, c := range durableConsumers() {
		at(0, "syndicator_consumer_backlog", "consumer", c, "stream", natsbus.StreamEvents)
	}
	at(0, "syndicator_consumer_backlog", "consumer", followerLedger, "stream", natsbus.StreamEvents)
	for _, stream := range []string{natsbus.StreamEvents, natsbus.StreamAudit, natsbus.StreamDead} {
		at(0, "syndicator_consumer_backlog", "consumer", followerReadModel, "stream", stream)
	}
	for _, sink := range []string{"archive", "site", "webhook"} {
		at(0, "syndicator_sink_backlog", "sink", sink)
	}
	at(1, "syndicator_jetstream_available")
	for src, n := range perSource {
		at(n, "syndicator_events", "kind", "discovered", "source", src)
		at(n, "syndicator_events", "kind", "published", "sink", "site", "source", src)
		at(n, "syndicator_items", "source", src, "class", "timely")
		at(1, "syndicator_source_health", "source", src, "state", crawler.HealthOK)
		at(0, "syndicator_source_health", "source", src, "state", crawler.HealthFailing)
		at(atLeastOne, "syndicator_poll_duration_seconds", "source", src, "result", "ok")
	}
	at(1, "syndicator_source_health", "source", "broken", "state", crawler.HealthFailing)
	at(atLeastOne, "syndicator_poll_duration_seconds", "source", "broken", "result", "error")
	at(atLeastOne, "syndicator_fetch_errors_total", "source", "broken", "kind", "http_4xx", "page", "list")
	for _, sink := range []string{"site", "webhook"} {
		at(total, "syndicator_publish_lag_from_discovery_seconds", "sink", sink)
		at(1, "syndicator_publish_lag_from_upstream_seconds", "sink", sink) // the fresh release only
	}

	var last scraped
	waitFor(t, 90*time.Second, "every release through every consumer, as /metrics tells ("+fresh.Path+" the last)", func() (bool, string) {
		last = scrape(t, url)
		for _, w := range want {
			got, ok := last.value(w.s)
			switch {
			case !ok:
				return false, w.s.String() + " missing"
			case w.v == atLeastOne && got < 1, w.v != atLeastOne && got != w.v:
				return false, fmt.Sprintf("%s = %v, want %v", w.s, got, w.v)
			}
		}
		return true, ""
	})
	for _, name := range []string{"go_goroutines", "process_resident_memory_bytes"} {
		if last.families[name] == nil {
			t.Errorf("no %s: the runtime and process collectors are missing", name)
		}
	}
	problems, err := promlint.New(strings.NewReader(last.body)).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, pr := range problems {
		t.Errorf("promlint: %s: %s", pr.Metric, pr.Text)
	}
}

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
