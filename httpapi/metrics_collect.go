package httpapi

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/gyeco/syndicator/crawler"
	"github.com/gyeco/syndicator/sinks/archive"
	"github.com/gyeco/syndicator/sinks/site"
	"github.com/gyeco/syndicator/sinks/webhook"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/decide"
	"github.com/gyeco/syndicator/syndicator/ledger"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/prometheus/client_golang/prometheus"
)

// What a scrape reads from the pipeline's state rather than counts.

// StreamHeads tells where the streams end: for the read model's
// freshness (index.go), and for the ordered followers (the audit ledger's
// recorder and serve's read model), which keep their position in what
// they write instead of in a durable consumer. natsbus.Bus has it.
type StreamHeads interface {
	LastSeq(ctx context.Context, stream string) (uint64, error)
	LastSeqOf(ctx context.Context, stream, subject string) (uint64, error)
	LastEntry(ctx context.Context) ([]byte, uint64, error)
}

// Names of the followers in syndicator_consumer_backlog; the claim
// sweeper calls the ledger's recorder "ledger" too.
const (
	followerLedger    = "ledger"
	followerReadModel = "readmodel"
)

// durableConsumers are the durable consumers of SYND_EVENTS: the crawl
// role's decider and the sinks.
func durableConsumers() []string { return []string{decide.Name, archive.Name, site.Name, webhook.Name} }

// expectedConsumers are the consumers the pipeline must have, with the
// subjects each reads: every one but the webhook, which only a configured
// webhook.url turns on. One of them not created yet (its role never ran)
// owes every stored message on its subjects, since a new consumer starts
// at the beginning of the stream; an optional one nobody configured
// reports nothing until it exists.
func (s *Server) expectedConsumers() map[string][]string {
	out := map[string][]string{decide.Name: decide.Subjects(), archive.Name: archive.Subjects(), site.Name: site.Subjects()}
	if s.started != nil && s.started.Webhook.URL != "" {
		out[webhook.Name] = webhook.Subjects()
	}
	for c, subjects := range out {
		out[c] = append(subjects, syndicator.SubjectRetry(c))
	}
	return out
}

// isSink tells the consumers syndicator_sink_backlog has always reported.
func isSink(consumer string) bool {
	return consumer == archive.Name || consumer == site.Name || consumer == webhook.Name
}

// healthStates are the states syndicator_source_health reports for every
// source: 1 for the current one, 0 for the others.
var healthStates = [...]string{crawler.HealthOK, crawler.HealthDegraded, crawler.HealthFailing}

// descs describe the metrics read at scrape time.
type descs struct {
	jetstream, events, eventsSink, dead, sinkBacklog, backlog, health, lastPoll, items, fallback *prometheus.Desc
}

func newDescs() descs {
	const eventsHelp = "Events stored in SYND_EVENTS, by kind, source and (published events) sink."
	return descs{
		jetstream: prometheus.NewDesc("syndicator_jetstream_available",
			"1 when JetStream answers; 0 when it does not (its store full or read-only, NATS unreachable, JetStream off), and the JetStream-derived series are then missing.", nil, nil),
		events:     prometheus.NewDesc("syndicator_events", eventsHelp, []string{"kind", "source"}, nil),
		eventsSink: prometheus.NewDesc("syndicator_events", eventsHelp, []string{"kind", "sink", "source"}, nil),
		dead: prometheus.NewDesc("syndicator_dead_letters",
			"Dead-letter records in SYND_DEAD: messages a consumer gave up on.", []string{"consumer"}, nil),
		sinkBacklog: prometheus.NewDesc("syndicator_sink_backlog",
			"Messages a sink has not acknowledged yet (pending + ack-pending); syndicator_consumer_backlog has every consumer.", []string{"sink"}, nil),
		backlog: prometheus.NewDesc("syndicator_consumer_backlog",
			"Messages a reader of the streams has yet to process. Durable consumers (decide, archive, site, webhook): pending + ack-pending. Ordered followers (ledger, readmodel): stream sequences between their position and the last message they read.",
			[]string{"consumer", "stream"}, nil),
		health: prometheus.NewDesc("syndicator_source_health",
			"1 for the current health state of a source (ok, degraded, failing), 0 for the others.", []string{"source", "state"}, nil),
		lastPoll: prometheus.NewDesc("syndicator_source_last_poll_seconds",
			"Unix time of the source's last poll.", []string{"source"}, nil),
		items: prometheus.NewDesc("syndicator_items",
			"Decided items in serve's read model, by source and the class of their latest rules decision.", []string{"source", "class"}, nil),
		fallback: prometheus.NewDesc("syndicator_items_fallback",
			"Items in serve's read model whose latest revision the generic readers read (extracted_by fallback: the source's selectors matched nothing on the page), by source; 0 for a configured source without any.", []string{"source"}, nil),
	}
}

func gauge(d *prometheus.Desc, v float64, labels ...string) prometheus.Metric {
	return prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
}

// collect reads this scrape's metrics. A part that cannot be read is left
// out and logged; the rest is still reported.
func (s *Server) collect(ctx context.Context, in *Instruments) []prometheus.Metric {
	var out []prometheus.Metric
	d := &in.desc
	if s.stats != nil {
		out = append(out, s.collectBus(ctx, d)...)
	}
	if s.index != nil {
		out = append(out, s.collectIndex(ctx, in)...)
		out = append(out, s.collectFallback(ctx, d)...)
	}
	return out
}

// collectFallback reads from serve's read model how many items of each
// source the generic readers read. It counts them anew at each scrape:
// they are few, and their index holds them apart from the rest.
func (s *Server) collectFallback(ctx context.Context, d *descs) []prometheus.Metric {
	counts, err := s.index.FallbackCounts(ctx)
	if err != nil {
		s.log.Warn().Err(err).Str("component", "metrics").Msg("items read by the fallback not counted")
		return nil
	}
	sources, _, _ := s.live()
	ids := make([]string, 0, len(sources))
	for _, src := range sources {
		ids = append(ids, src.ID)
	}
	return fallbackMetrics(d, counts, ids)
}

// fallbackMetrics are the items read by the fallback per source: every
// configured source (0 when none, so that an alert on an increase sees it
// start), and any other source whose items the read model still holds.
func fallbackMetrics(d *descs, counts map[string]int, configured []string) []prometheus.Metric {
	all := maps.Clone(counts)
	if all == nil {
		all = map[string]int{}
	}
	for _, id := range configured {
		if _, ok := all[id]; !ok {
			all[id] = 0
		}
	}
	out := make([]prometheus.Metric, 0, len(all))
	for _, src := range sortedKeys(all) {
		out = append(out, gauge(d.fallback, float64(all[src]), src))
	}
	return out
}

// collectBus reads JetStream and KV: what every instance sees alike.
func (s *Server) collectBus(ctx context.Context, d *descs) []prometheus.Metric {
	// The statistics are JetStream requests themselves: when they fail,
	// JetStream is unavailable, and no separate probe is needed.
	st, err := s.stats.Stats(ctx, durableConsumers()...)
	if err != nil {
		s.log.Debug().Err(err).Msg("metrics: jetstream unavailable")
		return []prometheus.Metric{gauge(d.jetstream, 0)}
	}
	out := append([]prometheus.Metric{gauge(d.jetstream, 1)}, statsMetrics(d, st, s.expectedConsumers())...)
	if s.heads != nil {
		out = append(out, s.followerBacklogs(ctx, d, s.heads)...)
	}
	return append(out, s.sourceMetrics(ctx, d)...)
}

// statsMetrics turns JetStream's counts into series: events by subject,
// dead letters by consumer, and the durable consumers' backlogs, those of
// expected consumers not created yet included (expectedConsumers).
func statsMetrics(d *descs, st natsbus.Stats, expected map[string][]string) []prometheus.Metric {
	var out []prometheus.Metric
	for _, subj := range sortedKeys(st.Subjects) {
		n := float64(st.Subjects[subj])
		if sub, ok := syndicator.ParseSubject(subj); ok {
			if sub.Kind == syndicator.KindPublished {
				out = append(out, gauge(d.eventsSink, n, string(sub.Kind), sub.Sink, sub.Source))
			} else {
				out = append(out, gauge(d.events, n, string(sub.Kind), sub.Source))
			}
		} else if c, ok := syndicator.ParseDeadLetter(subj); ok {
			out = append(out, gauge(d.dead, n, c))
		}
		// Anything else (source health, retry requests) is no item event.
	}
	pending := maps.Clone(st.Pending)
	if pending == nil {
		pending = map[string]uint64{}
	}
	for c, filters := range expected {
		if _, ok := pending[c]; !ok {
			pending[c] = owed(st.Subjects, filters)
		}
	}
	for _, c := range sortedKeys(pending) {
		n := float64(pending[c])
		out = append(out, gauge(d.backlog, n, c, natsbus.StreamEvents))
		if isSink(c) {
			out = append(out, gauge(d.sinkBacklog, n, c))
		}
	}
	return out
}

// owed counts the stored messages on subjects matching any of filters.
func owed(subjects map[string]uint64, filters []string) uint64 {
	var n uint64
	for subj, count := range subjects {
		if slices.ContainsFunc(filters, func(f string) bool { return subjectMatches(f, subj) }) {
			n += count
		}
	}
	return n
}

// subjectMatches reports whether subject matches the NATS filter: "*"
// stands for one token, a final ">" for one or more.
func subjectMatches(filter, subject string) bool {
	f, s := strings.Split(filter, "."), strings.Split(subject, ".")
	for i, tok := range f {
		switch {
		case tok == ">" && i == len(f)-1:
			return len(s) > i
		case i >= len(s):
			return false
		case tok != "*" && tok != s[i]:
			return false
		}
	}
	return len(f) == len(s)
}

// followerBacklogs reads how far the ordered followers are behind: the
// ledger's recorder (its head entry names the last event it recorded)
// and, when this server has one, its read model (positions per stream).
func (s *Server) followerBacklogs(ctx context.Context, d *descs, heads StreamHeads) []prometheus.Metric {
	var out []prometheus.Metric
	if n, err := ledgerBacklog(ctx, heads); err != nil {
		s.log.Warn().Err(err).Str("component", "metrics").Msg("ledger backlog not read")
	} else {
		out = append(out, gauge(d.backlog, float64(n), followerLedger, natsbus.StreamEvents))
	}
	if s.index == nil {
		return out
	}
	lags, err := s.readModelLags(ctx, heads)
	if err != nil {
		s.log.Warn().Err(err).Str("component", "metrics").Msg("read model backlog not read")
	}
	for _, stream := range projectedStreams {
		if n, ok := lags[stream]; ok {
			out = append(out, gauge(d.backlog, float64(n), followerReadModel, stream))
		}
	}
	return out
}

// ledgerBacklog is how far the ledger's head lags the last item event:
// the recorder follows synd.item.> only, so source health and retry
// messages after it are not owed.
func ledgerBacklog(ctx context.Context, heads StreamHeads) (uint64, error) {
	last, err := heads.LastSeqOf(ctx, natsbus.StreamEvents, syndicator.SubjectItems)
	if err != nil {
		return 0, err
	}
	data, _, err := heads.LastEntry(ctx)
	if err != nil {
		return 0, err
	}
	var head ledger.Entry
	if data != nil {
		if err := json.Unmarshal(data, &head); err != nil {
			return 0, err
		}
	}
	return behind(last, head.EventSeq), nil
}

// behind is how many sequences a follower at pos has to go to reach last;
// 0 when it is there (or, reading a moment later, past it).
func behind(last, pos uint64) uint64 {
	if last <= pos {
		return 0
	}
	return last - pos
}

// sourceMetrics reads each configured source's health from KV.
func (s *Server) sourceMetrics(ctx context.Context, d *descs) []prometheus.Metric {
	if s.lister == nil {
		return nil
	}
	var out []prometheus.Metric
	states, err := s.sourceStates(ctx)
	if err != nil {
		return nil
	}
	sources, _, _ := s.live()
	for _, src := range sources {
		if hs := states[src.ID]; hs != nil {
			out = append(out, healthMetrics(d, src.ID, *hs)...)
		}
	}
	return out
}

// healthMetrics are a source's health series: every known state, 1 for
// the current one, so that an alert on state="failing" sees 0 rather than
// nothing while the source is well.
func healthMetrics(d *descs, source string, hs crawler.SourceState) []prometheus.Metric {
	var out []prometheus.Metric
	known := false
	for _, state := range healthStates {
		v := 0.0
		if state == hs.State {
			v, known = 1, true
		}
		out = append(out, gauge(d.health, v, source, state))
	}
	if !known && hs.State != "" {
		out = append(out, gauge(d.health, 1, source, hs.State)) // a state newer than this reader
	}
	if !hs.LastPoll.IsZero() {
		out = append(out, gauge(d.lastPoll, float64(hs.LastPoll.Unix()), source))
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
