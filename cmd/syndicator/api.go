package main

import (
	"context"
	"net/http"
	"time"

	"github.com/gyeco/syndicator/crawler"
)

// stateReader reads per-source crawl state (KV synd_sources).
type stateReader interface {
	GetState(ctx context.Context, bucket, key string, v any) (bool, error)
}

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
	if s.states == nil {
		writeJSONError(w, http.StatusServiceUnavailable, "未连接 NATS，无法读取来源状态：请为 serve 配置 nats.url")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	out := make([]sourceView, 0, len(s.sources))
	for _, src := range s.sources {
		v := sourceView{
			ID: src.ID, Name: src.Name, Level: src.Level, Preset: src.Preset, Column: src.Column,
			Interval: src.Interval.String(), Lists: []string{},
		}
		for _, u := range src.Resolved.ListURLs {
			v.Lists = append(v.Lists, u.String())
		}
		var st crawler.SourceState
		found, err := s.states.GetState(ctx, "synd_sources", src.ID, &st)
		if err != nil {
			writeJSONError(w, http.StatusServiceUnavailable, "读取来源状态失败："+err.Error())
			return
		}
		if found {
			st.Retry = nil // internal detail; counts are in Failed
			v.Health = &st
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, map[string]any{"sources": out})
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// readyz answers 200 when the site store answers and, where configured,
// NATS is connected.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	if _, err := s.site.Get(ctx, "index.html"); err != nil && !isNotFound(err) {
		http.Error(w, "站点存储不可用："+err.Error(), http.StatusServiceUnavailable)
		return
	}
	if s.connected != nil && !s.connected() {
		http.Error(w, "NATS 未连接", http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}
