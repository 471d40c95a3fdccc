package main

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/sinks/blob"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/rs/zerolog"
)

// contentSecurityPolicy forbids every script: republished pages are
// static, so an injected script has nothing legitimate to hide among.
const contentSecurityPolicy = "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// docroot is what serving needs of the site store.
type docroot interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

// Server serves the committee site, the API and health endpoints; its
// routes are all in routes.go.
type Server struct {
	listen    string
	site      docroot
	sources   []config.Source
	tokens    []config.Token
	states    stateReader // nil when no NATS is configured for serve
	stats     statsReader // nil when no NATS is configured for serve
	connected func() bool // nil when no NATS is configured for serve
	reviews   reviewer    // nil when no NATS is configured for serve
	lister    lister      // nil when no NATS is configured for serve
	entries   entryReader // nil when no NATS is configured for serve
	app       *App        // the audit policy and calendar
	columns   []string
	log       zerolog.Logger
}

// server builds the serve role. bus may be nil: the site and health checks
// work without NATS, the API then answers 503.
func (a *App) server(bus *natsbus.Bus) (*Server, error) {
	cfg := a.Config
	// Serving only reads: a missing bucket shows as 503 until the site sink creates it.
	st, _, err := a.store("site", cfg.Site.Backend, cfg.Site.Dir, cfg.Site.S3)
	if err != nil {
		return nil, err
	}
	s := &Server{listen: cfg.HTTP.Listen, site: st, sources: cfg.Sources, tokens: tokensOf(cfg), log: a.Log, app: a}
	for _, c := range cfg.Site.Columns {
		s.columns = append(s.columns, c.ID)
	}
	if bus != nil {
		s.states, s.stats, s.connected, s.lister, s.entries = bus, bus, bus.Connected, bus, bus
		d, err := a.decider(bus)
		if err != nil {
			return nil, err
		}
		s.reviews = d
	}
	return s, nil
}

func isNotFound(err error) bool {
	return errors.Is(err, blob.ErrNotFound) || errors.Is(err, blob.ErrInvalidKey)
}

// Run listens until ctx ends, then shuts down gracefully.
func (s *Server) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.listen)
	if err != nil {
		return fmt.Errorf("serve: listen on %s: %w (is another syndicator running? change http.listen)", s.listen, err)
	}
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	s.log.Info().Str("url", "http://"+ln.Addr().String()+"/").Msg("serving the committee site")
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

func (s *Server) serveSite(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if key == "" || strings.HasSuffix(r.URL.Path, "/") {
		key = path.Join(key, "index.html")
	}
	data, err := s.site.Get(r.Context(), key)
	w.Header().Set("Content-Security-Policy", contentSecurityPolicy)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	switch {
	case isNotFound(err):
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>页面不存在</title><p>页面不存在。<a href="/">返回首页</a></p></html>`)
		return
	case err != nil:
		s.log.Warn().Err(err).Str("url", r.URL.Path).Msg("site read failed")
		http.Error(w, "站点存储暂时不可用，请稍后再试", http.StatusServiceUnavailable)
		return
	}
	ct := mime.TypeByExtension(path.Ext(key))
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	_, _ = w.Write(data)
}
