package main

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/gyeco/syndicator/crawler"
	"github.com/gyeco/syndicator/sinks/archive"
	"github.com/gyeco/syndicator/sinks/site"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
)

// statsReader reads pipeline counters from JetStream.
type statsReader interface {
	Stats(ctx context.Context, consumers ...string) (natsbus.Stats, error)
}

// metrics serves /metrics in the Prometheus text format. Everything comes
// from JetStream and KV, so every serve instance reports the same figures.
func (s *Server) metrics(w http.ResponseWriter, r *http.Request) {
	if s.stats == nil {
		http.Error(w, "未连接 NATS：为 serve 配置 nats.url 后才有指标", http.StatusServiceUnavailable)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	var b strings.Builder
	b.WriteString("# HELP syndicator_jetstream_available 1 when JetStream answers; 0 when it does not (its store full or read-only, NATS unreachable, JetStream off), and the counters below are then missing.\n# TYPE syndicator_jetstream_available gauge\n")
	// The statistics are JetStream requests themselves: when they fail,
	// JetStream is unavailable, and no separate probe is needed.
	st, err := s.stats.Stats(ctx, archive.Name, site.Name)
	if err != nil {
		s.log.Debug().Err(err).Msg("metrics: jetstream unavailable")
		b.WriteString("syndicator_jetstream_available 0\n")
		writeMetrics(w, b.String())
		return
	}
	b.WriteString("syndicator_jetstream_available 1\n")
	b.WriteString("# HELP syndicator_events Events stored in SYND_EVENTS, by kind, source and sink.\n# TYPE syndicator_events gauge\n")
	for _, subj := range sortedKeys(st.Subjects) {
		sub, ok := syndicator.ParseSubject(subj)
		switch {
		case !ok:
			// not an item event: source health, or a dead letter (below)
		case sub.Kind == syndicator.KindPublished:
			fmt.Fprintf(&b, "syndicator_events{kind=%q,sink=%q,source=%q} %d\n", sub.Kind, sub.Sink, sub.Source, st.Subjects[subj])
		default:
			fmt.Fprintf(&b, "syndicator_events{kind=%q,source=%q} %d\n", sub.Kind, sub.Source, st.Subjects[subj])
		}
	}
	b.WriteString("# HELP syndicator_dead_letters Messages a sink gave up on (stream SYND_DEAD).\n# TYPE syndicator_dead_letters gauge\n")
	for _, subj := range sortedKeys(st.Subjects) {
		if c, ok := syndicator.ParseDeadLetter(subj); ok {
			fmt.Fprintf(&b, "syndicator_dead_letters{consumer=%q} %d\n", c, st.Subjects[subj])
		}
	}
	b.WriteString("# HELP syndicator_sink_backlog Messages a sink has not acknowledged yet.\n# TYPE syndicator_sink_backlog gauge\n")
	for _, c := range sortedKeys(st.Pending) {
		fmt.Fprintf(&b, "syndicator_sink_backlog{sink=%q} %d\n", c, st.Pending[c])
	}
	b.WriteString("# HELP syndicator_source_health 1 for the current health state of a source.\n# TYPE syndicator_source_health gauge\n")
	b.WriteString("# HELP syndicator_source_last_poll_seconds Unix time of the source's last poll.\n# TYPE syndicator_source_last_poll_seconds gauge\n")
	sources, _, _ := s.live()
	for _, src := range sources {
		var hs crawler.SourceState
		found, err := s.states.GetState(ctx, syndicator.BucketSources, src.ID, &hs)
		if err != nil || !found {
			continue
		}
		fmt.Fprintf(&b, "syndicator_source_health{source=%q,state=%q} 1\n", src.ID, hs.State)
		fmt.Fprintf(&b, "syndicator_source_last_poll_seconds{source=%q} %d\n", src.ID, hs.LastPoll.Unix())
	}
	writeMetrics(w, b.String())
}

func writeMetrics(w http.ResponseWriter, text string) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	_, _ = w.Write([]byte(text))
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
