package httpapi

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/gyeco/syndicator/crawler"
	"github.com/rs/zerolog"
)

// sourceView is one source in GET /api/v1/sources.
type sourceView struct {
	ID       string               `json:"id"`
	Name     string               `json:"name"`
	Level    string               `json:"level"`
	Preset   string               `json:"preset"`
	Column   string               `json:"column"`
	Lists    []string             `json:"lists"`
	Interval string               `json:"interval"`
	Health   *crawler.SourceState `json:"health"` // null until the first poll
}

func (s *Server) apiSources(w http.ResponseWriter, r *http.Request) {
	if s.lister == nil {
		writeJSONError(w, http.StatusServiceUnavailable, "未连接 NATS，无法读取来源状态：请为 serve 配置 nats.url")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	states, err := s.sourceStates(ctx)
	if err != nil {
		writeJSONError(w, http.StatusServiceUnavailable, "读取来源状态失败："+err.Error())
		return
	}
	sources, _, _ := s.live()
	out := make([]sourceView, 0, len(sources))
	for _, src := range sources {
		v := sourceView{
			ID: src.ID, Name: src.Name, Level: src.Level, Preset: src.Preset, Column: src.Column,
			Interval: src.Interval.String(), Lists: []string{},
		}
		for _, u := range src.Resolved.ListURLs {
			v.Lists = append(v.Lists, u.String())
		}
		if st := states[src.ID]; st != nil {
			st.Retry = nil // internal detail; counts are in Failed
			v.Health = st
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, map[string]any{"sources": out})
}

// healthz answers 200 while the process serves: it is the liveness
// check, and a process whose store is full is alive — it recovers by
// itself when space returns (readyz reports it meanwhile), and restarting
// it would not help.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// readyCheck is one condition of readiness.
type readyCheck struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Reason string `json:"reason,omitempty"`
}

// readyReport is /readyz for a caller with a valid token.
type readyReport struct {
	Ready  bool         `json:"ready"`
	Checks []readyCheck `json:"checks"`
}

// JetStreamChecker is the bus's cheap JetStream probe
// (natsbus.Bus.JetStreamReady).
type JetStreamChecker interface {
	JetStreamReady(ctx context.Context) error
}

// readyz answers 200 when the site store answers and, where NATS is
// configured, it is connected and JetStream answers (a store that is full
// or read-only stops it). The public learns only ready or not; a caller
// with a valid token gets each check with its reason, and the reasons go
// to the log.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	s.answerReady(w, r, &s.ready)
}

// answerReady is readyz logging through logs.
func (s *Server) answerReady(w http.ResponseWriter, r *http.Request, logs *readyLog) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	checks := s.readinessChecks(ctx)
	ready := true
	for _, c := range checks {
		ready = ready && c.OK
	}
	logs.note(s.log, checks, time.Now())
	status := http.StatusOK
	if !ready {
		status = http.StatusServiceUnavailable
	}
	if _, ok := s.authenticate(r); ok {
		writeJSON(w, status, readyReport{Ready: ready, Checks: checks})
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	if ready {
		_, _ = w.Write([]byte("ok\n"))
	} else {
		_, _ = w.Write([]byte("未就绪\n"))
	}
}

// readinessChecks runs the checks: one read of the site store, the state
// of the NATS connection and one JetStream request.
func (s *Server) readinessChecks(ctx context.Context) []readyCheck {
	site := readyCheck{Name: "site", OK: true}
	if _, err := s.site.Get(ctx, "index.html"); err != nil && !isNotFound(err) {
		site.OK, site.Reason = false, "站点存储不可用："+err.Error()
	}
	checks := []readyCheck{site}
	if s.connected == nil {
		return checks // serve without NATS
	}
	nats := readyCheck{Name: "nats", OK: s.connected()}
	if !nats.OK {
		nats.Reason = "NATS 未连接"
	}
	checks = append(checks, nats)
	if js := s.jetstream; js != nil {
		c := readyCheck{Name: "jetstream", OK: nats.OK}
		if !nats.OK {
			c.Reason = "NATS 未连接，无法检查 JetStream"
		} else if err := js.JetStreamReady(ctx); err != nil {
			c.OK, c.Reason = false, "JetStream 不可用（存储已满或不可写、服务器未启用 JetStream、集群不足半数节点在线，或请求超时）："+err.Error()
		}
		checks = append(checks, c)
	}
	return checks
}

// readyLog keeps /readyz from logging a failure on every probe: a failing
// check is logged (warn) when it starts failing and then at most once
// per every while it goes on; its recovery once (info).
type readyLog struct {
	every time.Duration // default 5 minutes

	mu      sync.Mutex
	failing map[string]time.Time // check name → when last logged
}

func (l *readyLog) note(log zerolog.Logger, checks []readyCheck, now time.Time) {
	every := l.every
	if every <= 0 {
		every = 5 * time.Minute
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.failing == nil {
		l.failing = map[string]time.Time{}
	}
	for _, c := range checks {
		last, was := l.failing[c.Name]
		switch {
		case c.OK && was:
			delete(l.failing, c.Name)
			log.Info().Str("check", c.Name).Msg("readyz: check passes again")
		case !c.OK && (!was || now.Sub(last) >= every):
			l.failing[c.Name] = now
			log.Warn().Str("check", c.Name).Str("reason", c.Reason).Msg("readyz: not ready")
		}
	}
}

// sourceStates reads every source's crawl state with its latest poll
// times (crawler.States): one pass over each bucket, not a read per
// source. The caller has checked that a lister (NATS) is there.
func (s *Server) sourceStates(ctx context.Context) (map[string]*crawler.SourceState, error) {
	return crawler.States(ctx, s.lister)
}
