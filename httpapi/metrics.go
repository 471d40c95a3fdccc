package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/gyeco/syndicator/crawler/fetch"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"
)

// /metrics is served from two sources. What lives only in this process
// (the Go runtime, the process, the crawlers' polls and fetch failures)
// is kept in a registry of the process (Instruments, which cmd/syndicator
// makes once and gives the crawlers and the server) and fed as things
// happen. What
// the pipeline state already holds (JetStream streams, consumers and KV,
// and serve's read model) is read at scrape time (metrics_collect.go), so
// that no package carries counters and every serve instance reports the
// same figures. README's "Metrics" lists them, with the role each comes
// from.

// StatsReader reads pipeline counters from JetStream.
type StatsReader interface {
	Stats(ctx context.Context, consumers ...string) (natsbus.Stats, error)
}

// Instruments are one process's registry and the instruments that live
// between scrapes: the crawlers feed them (a crawler.Observer), /metrics
// reads them. A process makes one set (NewInstruments) and gives it to
// both; its methods are safe for concurrent use.
type Instruments struct {
	reg  *prometheus.Registry
	desc descs
	// Fed by the crawlers (crawler.Observer).
	polls       *prometheus.HistogramVec
	fetchErrors *prometheus.CounterVec
	// Fed at scrape time from serve's read model, each step once.
	lagDiscovered, lagUpstream *prometheus.HistogramVec
	index                      indexTally
}

// Histogram buckets. Polls take from a fraction of a second (one list
// page, 304) to minutes (many pages at the per-host rate). Publication
// lags run from seconds (the pipeline) through hours (wait_for_origin,
// review, the 24 h benchmark) to days (a release found late).
var (
	pollBuckets = []float64{0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600}
	lagBuckets  = []float64{1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 2 * 3600, 4 * 3600, 8 * 3600, 12 * 3600, 24 * 3600, 48 * 3600, 72 * 3600, 7 * 24 * 3600}
)

// NewInstruments makes a registry with the Go runtime and process
// collectors and the instruments fed between scrapes.
func NewInstruments() *Instruments {
	in := &Instruments{
		reg:  prometheus.NewRegistry(),
		desc: newDescs(),
		polls: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "syndicator_poll_duration_seconds",
			Help:    "Time one poll of a source took (lists, new detail pages, attachments, revision rechecks); result is error when the lists could not be read.",
			Buckets: pollBuckets,
		}, []string{"source", "result"}),
		fetchErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "syndicator_fetch_errors_total",
			Help: "Fetches of a source's list or detail pages that failed, by the fetcher's kind of failure (http_4xx, http_5xx, timeout, dns, tls, connection, robots, ...).",
		}, []string{"source", "kind", "page"}),
		lagDiscovered: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "syndicator_publish_lag_from_discovery_seconds",
			Help:    "Time from the crawler finding an item to its first publication on a sink, per item and sink, from serve's read model.",
			Buckets: lagBuckets,
		}, []string{"sink"}),
		lagUpstream: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "syndicator_publish_lag_from_upstream_seconds",
			Help:    "Time from an item's publication at its source (its published_at) to its first publication on a sink, per new release and sink (baseline and backfilled items left out), from serve's read model.",
			Buckets: lagBuckets,
		}, []string{"sink"}),
	}
	in.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		in.polls, in.fetchErrors, in.lagDiscovered, in.lagUpstream,
	)
	return in
}

// instruments are the process's, or, for a server built without them
// (tests), a set of its own for this scrape.
func (s *Server) instruments() *Instruments {
	if s.instr == nil {
		return NewInstruments()
	}
	return s.instr
}

// Poll records one poll of source (crawler.Observer).
func (in *Instruments) Poll(source string, took time.Duration, err error) {
	result := "ok"
	if err != nil {
		result = "error"
	}
	in.polls.WithLabelValues(source, result).Observe(took.Seconds())
	in.fetchFailed(source, "list", err)
}

// ItemFailed records an item that could not be read (crawler.Observer).
func (in *Instruments) ItemFailed(source string, err error) {
	in.fetchFailed(source, "detail", err)
}

// fetchFailed counts err when the fetcher returned it. A fetch cut short
// by the crawler's own context (shutdown) says nothing about the site.
func (in *Instruments) fetchFailed(source, page string, err error) {
	if kind, ok := fetch.KindOf(err); ok && kind != fetch.KindCanceled {
		in.fetchErrors.WithLabelValues(source, string(kind), page).Inc()
	}
}

// metrics serves /metrics in the Prometheus text format: the process's
// registry, and what this scrape reads from JetStream and the read model.
func (s *Server) metrics(w http.ResponseWriter, r *http.Request) {
	in := s.instruments()
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	scraped := metricList(s.collect(ctx, in))
	now := prometheus.NewRegistry()
	if err := now.Register(scraped); err != nil {
		http.Error(w, "指标注册失败："+err.Error(), http.StatusInternalServerError)
		return
	}
	promhttp.HandlerFor(prometheus.Gatherers{in.reg, now}, promhttp.HandlerOpts{
		ErrorLog: promLog{s.log}, ErrorHandling: promhttp.ContinueOnError,
	}).ServeHTTP(w, r)
}

// metricList is a scrape's metrics read from the pipeline state. It
// describes nothing (an unchecked collector): which series exist depends
// on what the streams hold, and syndicator_events has a sink label on
// published events only.
type metricList []prometheus.Metric

func (metricList) Describe(chan<- *prometheus.Desc) {}

func (l metricList) Collect(ch chan<- prometheus.Metric) {
	for _, m := range l {
		ch <- m
	}
}

// promLog hands promhttp's errors (a metric that could not be gathered)
// to the server's log.
type promLog struct{ log zerolog.Logger }

func (l promLog) Println(v ...any) {
	l.log.Warn().Str("component", "metrics").Msg(fmt.Sprint(v...))
}
