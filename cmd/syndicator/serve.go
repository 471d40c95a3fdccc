package main

import (
	"context"
	"errors"
	"fmt"
	stdlog "log"
	"mime"
	"net"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/console"
	"github.com/gyeco/syndicator/sinks/blob"
	"github.com/gyeco/syndicator/sinks/site/render"
	"github.com/gyeco/syndicator/syndicator/audit/report"
	"github.com/gyeco/syndicator/syndicator/readmodel"
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
	states    stateReader      // nil when no NATS is configured for serve
	stats     statsReader      // nil when no NATS is configured for serve
	jetstream jetStreamChecker // nil when no NATS is configured for serve
	connected func() bool      // nil when no NATS is configured for serve
	reviews   reviewer         // nil when no NATS is configured for serve
	lister    lister           // nil when no NATS is configured for serve
	index     *readmodel.Store // nil when no NATS is configured for serve
	bus       *busRef          // nil when no NATS is configured for serve
	console   *console.Console // built by Handler when not set
	streams   streamEnds       // nil when no NATS is configured for serve
	app       *App             // the audit policy and calendar
	reports   *report.Renderer // the HTML audit report, parsed once per server
	columns   []string
	colDefs   []config.Column
	// cfgMu guards sources, tokens and columns, which a configuration
	// reload replaces while requests read them (useConfig).
	cfgMu sync.RWMutex
	// reloader reloads the configuration file of this process and says
	// what changed (console 配置 → 重新加载); nil when the process cannot.
	reloader func(ctx context.Context, actor string) (summary string, err error)
	limits   serverLimits
	ready    readyLog // /readyz failures, logged at a bounded rate (api.go)
	log      zerolog.Logger
}

// serverLimits bound what one client can hold of the server: slow or
// stalled requests are cut, idle keep-alives closed, connections capped.
type serverLimits struct {
	// ReadHeader and Read bound reading a request's header and all of it
	// (body included): a stalled upload is cut after Read.
	ReadHeader, Read time.Duration
	// Write bounds writing a response, from the end of the request header;
	// long enough for the audit report, which reads the whole ledger. Site
	// files get more time in proportion to their size (slowReaderRate).
	Write time.Duration
	// Idle closes a keep-alive connection with no request for that long.
	Idle time.Duration
	// MaxConns caps open connections (Accept waits beyond it); PerClient
	// caps one remote address's, whose extra connections are closed.
	MaxConns, PerClient int
	// MaxHeaderBytes caps a request's header.
	MaxHeaderBytes int
}

// shutdownGrace is how long requests in flight may finish once the server
// is told to stop: the consumers' default ShutdownGrace.
const shutdownGrace = 15 * time.Second

// slowReaderRate is the slowest download a site file is given time for
// beyond Write: a 20 MB attachment over a 64 KB/s line still completes.
const slowReaderRate = 64 << 10 // bytes per second

func defaultServerLimits() serverLimits {
	return serverLimits{
		ReadHeader: 10 * time.Second, Read: 30 * time.Second,
		Write: 2 * time.Minute, Idle: 60 * time.Second,
		MaxConns: 1024, PerClient: 64, MaxHeaderBytes: 64 << 10,
	}
}

// server builds the serve role. bus may be nil: the site and health checks
// work without NATS, the API then answers 503. The server reads NATS
// through bus, which Run points at each connection in turn.
func (a *App) server(bus *busRef, index *readmodel.Store) (*Server, error) {
	cfg := a.Config
	// Serving only reads: a missing bucket shows as 503 until the site sink creates it.
	st, _, err := a.store("site", cfg.Site.Backend, cfg.Site.Dir, cfg.Site.S3)
	if err != nil {
		return nil, err
	}
	reports, err := report.NewRenderer()
	if err != nil {
		return nil, err
	}
	s := &Server{listen: cfg.HTTP.Listen, site: st, sources: cfg.Sources, tokens: tokensOf(cfg), limits: defaultServerLimits(), log: a.Log, app: a, reports: reports}
	s.limits.PerClient = max(cfg.HTTP.MaxConnsPerClient, 0) // -1: no cap
	for _, c := range cfg.Site.Columns {
		s.columns = append(s.columns, c.ID)
	}
	s.colDefs = cfg.Site.Columns
	if bus != nil && index != nil {
		s.index, s.streams = index, bus
	}
	if bus != nil {
		s.bus = bus
		s.states, s.stats, s.jetstream, s.connected, s.lister, s.reviews = bus, bus, bus, bus.Connected, bus, bus
	}
	return s, nil
}

// useConfig makes a reloaded configuration's sources, tokens and columns
// the server's: the next request sees them.
func (s *Server) useConfig(c *config.Config) {
	cols := make([]string, 0, len(c.Site.Columns))
	for _, col := range c.Site.Columns {
		cols = append(cols, col.ID)
	}
	s.cfgMu.Lock()
	defer s.cfgMu.Unlock()
	s.sources, s.tokens, s.columns, s.colDefs = c.Sources, tokensOf(c), cols, c.Site.Columns
}

// live returns the sources, tokens and columns in force.
func (s *Server) live() (sources []config.Source, tokens []config.Token, columns []string) {
	s.cfgMu.RLock()
	defer s.cfgMu.RUnlock()
	return s.sources, s.tokens, s.columns
}

func isNotFound(err error) bool {
	return errors.Is(err, blob.ErrNotFound) || errors.Is(err, blob.ErrInvalidKey)
}

// Run listens until ctx ends, then shuts down gracefully.
func (s *Server) Run(ctx context.Context) error {
	ln, err := s.Listen()
	if err != nil {
		return err
	}
	return s.Serve(ctx, ln)
}

// Listen opens the server's address, so a taken port fails at start.
func (s *Server) Listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", s.listen)
	if err != nil {
		return nil, fmt.Errorf("serve: listen on %s: %w (is another syndicator running? change http.listen)", s.listen, err)
	}
	return ln, nil
}

// Serve answers on ln until ctx ends, then shuts down gracefully.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if s.limits == (serverLimits{}) {
		s.limits = defaultServerLimits()
	}
	l := s.limits
	ln = limitListener(ln, l.MaxConns, l.PerClient, s.log)
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: l.ReadHeader, ReadTimeout: l.Read, WriteTimeout: l.Write, IdleTimeout: l.Idle,
		MaxHeaderBytes: l.MaxHeaderBytes,
		ErrorLog:       stdlog.New(s.log.With().Str("component", "http").Logger(), "", 0),
	}
	s.log.Info().Str("url", "http://"+ln.Addr().String()+"/").Msg("serving the committee site")
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// The same grace as the consumers': requests still running after it
	// are cut, which is how a shutdown under load ends, not an error.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		s.log.Warn().Err(err).Msg("requests still running after the shutdown grace were cut")
		_ = srv.Close()
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
		// The site's own styled 404 page (render.NotFoundPath), when the
		// indexer has written it; else a minimal inline page.
		if page, perr := s.site.Get(r.Context(), render.NotFoundPath); perr == nil {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write(page)
			return
		}
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
	if extra := time.Duration(len(data)/slowReaderRate) * time.Second; extra > 0 {
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(s.limits.Write + extra))
	}
	_, _ = w.Write(data)
}
