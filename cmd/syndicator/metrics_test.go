package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/crawler"
	"github.com/gyeco/syndicator/sinks/archive"
	"github.com/gyeco/syndicator/sinks/site"
	"github.com/gyeco/syndicator/sinks/webhook"
	"github.com/gyeco/syndicator/sinks/webhook/cmstest"
	"github.com/gyeco/syndicator/syndicator/decide"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
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
	// The durable consumers and the ordered followers of README's
	// "Metrics".
	for _, c := range []string{decide.Name, archive.Name, site.Name, webhook.Name, "ledger"} {
		at(0, "syndicator_consumer_backlog", "consumer", c, "stream", natsbus.StreamEvents)
	}
	for _, stream := range []string{natsbus.StreamEvents, natsbus.StreamAudit, natsbus.StreamDead} {
		at(0, "syndicator_consumer_backlog", "consumer", "readmodel", "stream", stream)
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
