// Package httpapi is the serve role's HTTP server: the committee site, the
// JSON API under /api/v1/, /healthz, /readyz, /metrics and the console at
// /console/ (DESIGN §9). Every route is in one table (routes.go) with who
// may call it. The server reads NATS, the read model and the site store
// through the small interfaces of Deps, which cmd/syndicator wires up; it
// holds no package-level state, and New does no I/O.
package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
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
	"github.com/gyeco/syndicator/crawler"
	"github.com/gyeco/syndicator/sinks/blob"
	"github.com/gyeco/syndicator/sinks/site/render"
	"github.com/gyeco/syndicator/syndicator/audit/report"
	"github.com/gyeco/syndicator/syndicator/readmodel"
	"github.com/rs/zerolog"
)

// contentSecurityPolicy forbids every script: republished pages are
// static, so an injected script has nothing legitimate to hide among.
const contentSecurityPolicy = "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Docroot is what serving needs of the site store.
type Docroot interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

// Deps are what a Server is built from. Only Config and Site are
// required. The NATS side (States through Actions, and Index) is nil
// when serve runs without NATS: the site and health checks work, the API
// answers 503 and the console says what is missing. Each of its parts is
// read through whatever connection is current (cmd/syndicator's busRef),
// so the server outlives a NATS connection dialled again.
type Deps struct {
	// Config is the configuration the process started with: http.listen,
	// http.max_conns_per_client, sla and calendar (the audit reports) and
	// webhook.url (which consumers /metrics expects) are read from it for
	// good; its sources, tokens and columns until UseConfig replaces them.
	Config *config.Config
	// Site is the committee site's docroot.
	Site Docroot

	Lister    Lister           // KV: source states and poll times, the review queue
	Stats     StatsReader      // JetStream counts for /metrics and the console
	JetStream JetStreamChecker // /readyz's JetStream probe
	Connected func() bool      // /readyz: whether NATS is connected
	Reviews   Reviewer         // review decisions and documents (the decider)
	Streams   StreamHeads      // where the streams end, for the read model's freshness
	KV        console.KV       // the console's reads and writes of KV (source controls)
	Actions   console.Bus      // the console's operator events and dead-letter retries
	// Index is serve's read model; it is used only with Streams.
	Index *readmodel.Store
	// Archive is the archive store, read for the console's evidence
	// downloads (originals, WARC, attachments); nil: no downloads.
	Archive Docroot

	// ReportNames are the names of columns and sources the audit
	// reports show in place of ids.
	ReportNames report.Names
	// Now is the clock audit reports are judged by; nil means time.Now.
	Now func() time.Time
	// DryRun builds the crawler of a source that reads but writes nothing
	// (the console's 立即测试, `source test`); nil: the console offers none.
	DryRun func(src config.Source) (*crawler.Crawler, error)
	// VerifyLedger checks the live audit ledger against its anchors (the
	// console's 同时校验账本): what it found, and whether it passed.
	VerifyLedger func(ctx context.Context) (text string, ok bool)
	// ExportLedger writes the ledger entries of [from, to) as JSON lines
	// (the console's ledger download).
	ExportLedger func(ctx context.Context, w io.Writer, from, to time.Time) error
	// Metrics are the process's registry and instruments; nil: each
	// scrape makes a set of its own.
	Metrics *Instruments
	// Limits bound what one client can hold; zero: DefaultLimits, with
	// PerClient from http.max_conns_per_client.
	Limits Limits
	Log    zerolog.Logger
}

// Server serves the committee site, the API and health endpoints; its
// routes are all in routes.go.
type Server struct {
	listen    string
	site      Docroot
	archive   Docroot // nil: no evidence downloads
	sources   []config.Source
	tokens    []config.Token
	stats     StatsReader      // nil when no NATS is configured for serve
	heads     StreamHeads      // nil when no NATS is configured for serve
	jetstream JetStreamChecker // nil when no NATS is configured for serve
	connected func() bool      // nil when no NATS is configured for serve
	reviews   Reviewer         // nil when no NATS is configured for serve
	lister    Lister           // nil when no NATS is configured for serve
	kv        console.KV       // nil when no NATS is configured for serve
	actions   console.Bus      // nil when no NATS is configured for serve
	index     *readmodel.Store // nil when no NATS is configured for serve
	console   *console.Console // built by Handler when not set
	streams   streamEnds       // nil when no NATS is configured for serve
	started   *config.Config   // the audit policy and calendar, the webhook
	reports   *report.Renderer // the HTML audit report, parsed once per server
	names     report.Names     // column and source names in reports
	now       func() time.Time // nil: time.Now
	dryRun    func(config.Source) (*crawler.Crawler, error)
	verify    func(ctx context.Context) (string, bool)
	export    func(ctx context.Context, w io.Writer, from, to time.Time) error
	instr     *Instruments // nil: a set of its own for each scrape
	columns   []string
	colDefs   []config.Column
	// cfgMu guards sources, tokens, columns and cfg, which a
	// configuration reload replaces while requests read them (UseConfig).
	cfgMu sync.RWMutex
	cfg   *config.Config // the configuration in force (console 配置)
	// reloader reloads the configuration file of this process and says
	// what changed (console 配置 → 重新加载); nil when the process cannot.
	reloader func(ctx context.Context, actor string) (summary string, err error)
	limits   Limits
	ready    readyLog // /readyz failures, logged at a bounded rate (api.go)
	log      zerolog.Logger
}

// Limits bound what one client can hold of the server: slow or stalled
// requests are cut, idle keep-alives closed, connections capped.
type Limits struct {
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

// DefaultLimits are the bounds of README's "API": 10 s for a header, 30 s
// for a request, 2 min for a response, 60 s idle, 1,024 connections, 64
// per client, 64 KiB of header.
func DefaultLimits() Limits {
	return Limits{
		ReadHeader: 10 * time.Second, Read: 30 * time.Second,
		Write: 2 * time.Minute, Idle: 60 * time.Second,
		MaxConns: 1024, PerClient: 64, MaxHeaderBytes: 64 << 10,
	}
}

// New builds the server from d. It does no I/O: the listener is opened
// by Listen (or Run), the console built by the first Handler.
func New(d Deps) (*Server, error) {
	cfg := d.Config
	if cfg == nil {
		return nil, errors.New("httpapi: no configuration")
	}
	if d.Site == nil {
		return nil, errors.New("httpapi: no site store")
	}
	reports, err := report.NewRenderer()
	if err != nil {
		return nil, err
	}
	s := &Server{
		listen: cfg.HTTP.Listen, site: d.Site, started: cfg, reports: reports, names: d.ReportNames, now: d.Now,
		dryRun: d.DryRun, verify: d.VerifyLedger, export: d.ExportLedger, instr: d.Metrics, limits: d.Limits, log: d.Log,
		stats: d.Stats, heads: d.Streams, jetstream: d.JetStream, connected: d.Connected,
		reviews: d.Reviews, lister: d.Lister, kv: d.KV, actions: d.Actions, archive: d.Archive,
	}
	if s.limits == (Limits{}) {
		s.limits = DefaultLimits()
		s.limits.PerClient = max(cfg.HTTP.MaxConnsPerClient, 0) // -1: no cap
	}
	if d.Index != nil && d.Streams != nil {
		s.index, s.streams = d.Index, d.Streams
	}
	s.UseConfig(cfg)
	return s, nil
}

// SetReloader gives the console's 重新加载 button what reloads this
// process's configuration file; without one (the built-in configuration)
// the console offers none. Call it before Serve.
func (s *Server) SetReloader(reload func(ctx context.Context, actor string) (summary string, err error)) {
	s.reloader = reload
}

// UseConfig makes a reloaded configuration's sources, tokens and columns
// the server's: the next request sees them.
func (s *Server) UseConfig(c *config.Config) {
	cols := make([]string, 0, len(c.Site.Columns))
	for _, col := range c.Site.Columns {
		cols = append(cols, col.ID)
	}
	s.cfgMu.Lock()
	defer s.cfgMu.Unlock()
	s.sources, s.tokens, s.columns, s.colDefs, s.cfg = c.Sources, tokensOf(c), cols, c.Site.Columns, c
}

// live returns the sources, tokens and columns in force.
func (s *Server) live() (sources []config.Source, tokens []config.Token, columns []string) {
	s.cfgMu.RLock()
	defer s.cfgMu.RUnlock()
	return s.sources, s.tokens, s.columns
}

// clock is the time on the server's clock.
func (s *Server) clock() time.Time {
	if s.now == nil {
		return time.Now()
	}
	return s.now()
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
	if s.limits == (Limits{}) {
		s.limits = DefaultLimits()
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
