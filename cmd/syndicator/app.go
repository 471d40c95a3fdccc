package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/crawler"
	"github.com/gyeco/syndicator/crawler/extract"
	"github.com/gyeco/syndicator/crawler/fetch"
	"github.com/gyeco/syndicator/sinks/blob"
	"github.com/gyeco/syndicator/sinks/site/render"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/backoff"
	"github.com/gyeco/syndicator/syndicator/decide"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/readmodel"
	"github.com/rs/zerolog"
	"golang.org/x/sync/errgroup"
)

// Role is one part of the pipeline a process runs.
type Role string

const (
	RoleCrawl   Role = "crawl"
	RoleArchive Role = "archive"
	RoleSite    Role = "site"
	RoleServe   Role = "serve"
	RoleWebhook Role = "webhook"
)

// App wires configuration into running roles. Everything is built here, in
// main's package: the packages themselves hold no registries.
type App struct {
	Config *config.Config
	Log    zerolog.Logger
	// Embedded lets Run start an in-process NATS server when nats.url is
	// empty. Only `run` sets it: separate role processes must share one
	// server, and each would otherwise start its own.
	Embedded bool
	// RestartDelay is the first delay before a failed component restarts
	// (it doubles up to a minute) and before NATS is dialled again.
	// Default 1s; tests shorten it.
	RestartDelay time.Duration
	// RetryCap is the longest wait between two tries to reach NATS or an
	// unreachable object store: how soon after an outage ends the roles
	// notice. Default 30s; tests shorten it.
	RetryCap time.Duration
	// SweepEvery is how often the archive role deletes the claims every
	// reader of the events is done with. Default 1 min; tests shorten it.
	SweepEvery time.Duration
	// Now is the clock the roles stamp their events with and audit reports
	// are judged by; nil means time.Now. Tests advance it instead of
	// sleeping through service levels.
	Now func() time.Time

	// live is the configuration in force once a reload has replaced
	// Config (reload.go); nil until then. Config stays the one the process
	// started with, which what Run built once keeps using.
	live atomic.Pointer[config.Config]
	// dec is the decider in force on the current NATS connection: built
	// by runBus, replaced by a reload (rules, sources' levels, identity).
	dec atomic.Pointer[decide.Decider]
	// reloadMu lets one reload run at a time.
	reloadMu sync.Mutex
	// running holds what a reload changes in the running roles.
	running runState
	// metrics are this process's Prometheus registry and the instruments
	// the crawlers feed (metrics.go), made on first use.
	metrics appMetrics
}

// runState is what Run and runBus publish for a reload: the roles, the
// server, the current connection and its crawlers.
type runState struct {
	mu    sync.Mutex
	roles []Role       // nil until Run starts
	srv   *Server      // nil without the serve role
	ref   *busRef      // nil when the process uses no NATS
	bus   *natsbus.Bus // the current connection; nil between connections
	crawl *crawlerSet  // nil without the crawl role or while not running
}

// readModelPath is serve's read model: a cache under data_dir that
// `syndicator index rebuild` (or deleting it) rebuilds from the streams.
func (a *App) readModelPath() string {
	return filepath.Join(a.Config.DataDir, "readmodel.db")
}

// retryCap is a.RetryCap or its default.
// busOptions are the topology settings every connection of this process
// provisions with: each one creates or updates the streams and buckets,
// so all of them must ask for the same replica count (one process with the
// default would scale a cluster's streams back down to one replica).
func (a *App) busOptions() natsbus.Options {
	return natsbus.Options{Replicas: a.Config.NATS.Replicas}
}

func (a *App) retryCap() time.Duration {
	if a.RetryCap <= 0 {
		return 30 * time.Second
	}
	return a.RetryCap
}

// now is the time on a.Now.
func (a *App) now() time.Time {
	if a.Now == nil {
		return time.Now()
	}
	return a.Now()
}

// Run starts the roles and blocks until ctx ends. Nothing that happens on
// the way stops it but a configuration error at start: NATS is waited for,
// a connection closed for good is dialled again, and a component that
// fails is restarted (supervisor).
func (a *App) Run(ctx context.Context, roles ...Role) error {
	parts, err := a.prepare(roles)
	if err != nil {
		return err
	}
	// The embedded server comes first: it takes the lock of data_dir, so a
	// second `run` on the same data is refused naming the first before it
	// touches anything, the HTTP port included.
	natsURL, stopEmbedded, err := a.natsFor(ctx, roles)
	if err != nil {
		return err
	}
	defer stopEmbedded()
	var ref *busRef
	if natsURL != "" {
		ref = &busRef{}
	}
	a.running.mu.Lock()
	a.running.roles, a.running.ref = slices.Clip(roles), ref
	a.running.mu.Unlock()
	g, gctx := errgroup.WithContext(ctx)
	if slices.Contains(roles, RoleServe) {
		srv, ln, closeIndex, err := a.startServe(ctx, parts, ref)
		if err != nil {
			return err
		}
		defer closeIndex()
		g.Go(func() error { return srv.Serve(gctx, ln) })
	}
	if natsURL != "" {
		g.Go(func() error { return a.runBus(gctx, natsURL, parts, ref) })
	}
	a.Log.Info().Interface("roles", roles).Int("sources", len(a.current().Sources)).Msg("syndicator running")
	return g.Wait()
}

// natsFor is the NATS server the roles use: nats.url, else (for `run`)
// an embedded one started here, which stop shuts down; "" when the roles
// need none (serve alone without nats.url: the site and health checks
// work, the API answers 503).
func (a *App) natsFor(ctx context.Context, roles []Role) (url string, stop func(), err error) {
	stop = func() {}
	needBus := a.Config.NATS.URL.IsSet() || slices.ContainsFunc(roles, func(r Role) bool { return r != RoleServe })
	if !needBus {
		return "", stop, nil
	}
	if url = a.Config.NATS.URL.Value(); url != "" {
		return url, stop, nil
	}
	if !a.Embedded {
		return "", stop, fmt.Errorf("nats.url is empty: separate roles need a shared NATS server (set nats.url, or use `syndicator run`, which embeds one)")
	}
	return a.startEmbedded(ctx)
}

// startServe builds the serve role's server on its read model (when
// there is NATS to project) and opens its port, so that a taken port
// fails the start; closeIndex closes the read model after the server.
func (a *App) startServe(ctx context.Context, parts *roleParts, ref *busRef) (srv *Server, ln net.Listener, closeIndex func(), err error) {
	closeIndex = func() {}
	if ref != nil {
		if parts.index, err = readmodel.Open(ctx, a.readModelPath()); err != nil {
			return nil, nil, closeIndex, err
		}
		closeIndex = func() { parts.index.Close() }
	}
	fail := func(err error) (*Server, net.Listener, func(), error) {
		closeIndex()
		return nil, nil, func() {}, err
	}
	if srv, err = a.server(ref, parts.index); err != nil {
		return fail(err)
	}
	// The console's 重新加载 button; with the built-in configuration
	// there is no file to read again.
	if a.Config.File != "" {
		srv.SetReloader(a.Reload)
	}
	a.running.mu.Lock()
	a.running.srv = srv
	a.running.mu.Unlock()
	if ln, err = srv.Listen(); err != nil {
		return fail(err)
	}
	return srv, ln, closeIndex, nil
}

// runBus keeps a connection to NATS and the roles' components running on
// it until ctx ends. When the connection is closed for good, the
// components stop, a new connection is dialled and they start again.
func (a *App) runBus(ctx context.Context, natsURL string, parts *roleParts, ref *busRef) error {
	sup := a.supervisor()
	for ctx.Err() == nil {
		bus, err := a.dial(ctx, natsURL)
		if err != nil {
			return nil // ctx ended while waiting
		}
		comps, _, err := parts.components(bus)
		if err != nil {
			bus.Close()
			return err
		}
		if err := a.useBus(bus); err != nil {
			bus.Close()
			return err
		}
		gctx, cancel := context.WithCancel(ctx)
		go func() {
			select {
			case <-bus.Closed():
				cancel()
			case <-gctx.Done():
			}
		}()
		var wg sync.WaitGroup
		for _, c := range comps {
			wg.Go(func() { sup.run(gctx, c) })
		}
		<-gctx.Done()
		wg.Wait()
		cancel()
		a.dropBus()
		bus.Close()
		if ctx.Err() == nil {
			a.Log.Warn().Msg("nats connection was closed for good; dialling again and restarting the roles on it")
		}
	}
	return nil
}

// dial connects to NATS, waiting for it with backoff while it is not
// there, so roles may start in any order. It fails only when ctx ends.
func (a *App) dial(ctx context.Context, natsURL string) (*natsbus.Bus, error) {
	wait := backoff.New(max(a.RestartDelay, 500*time.Millisecond), a.retryCap())
	for {
		bus, err := natsbus.Connect(ctx, natsURL, "syndicator", a.busOptions(), a.Log)
		if err == nil {
			return bus, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		a.Log.Warn().Err(err).Stringer("retry_in", wait.Next()).Msg("waiting for NATS")
		if !wait.Wait(ctx) {
			return nil, ctx.Err()
		}
	}
}

// roleParts are the parts of the roles that need no NATS connection:
// built once, so a configuration error shows at start.
type roleParts struct {
	app     *App
	roles   []Role
	fetcher *fetch.Fetcher
	archive struct {
		store blobStore
		ready func(context.Context) error
	}
	site struct {
		store blobStore
		ready func(context.Context) error
		rend  *render.Renderer
		names map[string]string
	}
	// index is serve's read model (nil without NATS).
	index *readmodel.Store
}

// openArchive builds the archive store once, for the roles that use it.
func (p *roleParts) openArchive() error {
	if p.archive.store != nil {
		return nil
	}
	cfg := p.app.Config
	var err error
	p.archive.store, p.archive.ready, err = p.app.store("archive", cfg.Archive.Backend, cfg.Archive.Dir, cfg.Archive.S3)
	return err
}

func (a *App) prepare(roles []Role) (*roleParts, error) {
	cfg := a.Config
	p := &roleParts{app: a, roles: roles}
	var err error
	for _, r := range roles {
		switch r {
		case RoleCrawl:
			if p.fetcher, err = a.fetcher(); err != nil {
				return nil, err
			}
		case RoleArchive:
			if err := p.openArchive(); err != nil {
				return nil, err
			}
		case RoleSite:
			if p.site.store, p.site.ready, err = a.store("site", cfg.Site.Backend, cfg.Site.Dir, cfg.Site.S3); err != nil {
				return nil, err
			}
			// The site reads the archive (attachments, item.json); its
			// readiness is the archive role's concern: a failed read is
			// retried.
			if err := p.openArchive(); err != nil {
				return nil, err
			}
			if p.site.rend, err = a.renderer(); err != nil {
				return nil, err
			}
			p.site.names = map[string]string{}
			for _, s := range cfg.Sources {
				p.site.names[s.ID] = s.Name
			}
		}
	}
	// The decider's rules are checked here too, for the same reason.
	if _, err := a.decider(nil); err != nil {
		return nil, err
	}
	return p, nil
}

// components builds the roles' components on bus, and the decider the
// API records review decisions with (roles.go has each role's).
func (p *roleParts) components(bus *natsbus.Bus) ([]component, *decide.Decider, error) {
	dec, err := p.app.decider(bus)
	if err != nil {
		return nil, nil, err
	}
	var out []component
	for _, r := range p.roles {
		out = append(out, p.role(r, bus, dec)...)
	}
	return out, dec, nil
}

// crawlers are the crawl role's components on bus: the operators' source
// controls (one per process) and the set of per-source crawlers, which
// follows the sources in force (crawlset.go). The crawler settings are
// start-only: the fetcher is built once (prepare).
func (a *App) crawlers(bus *natsbus.Bus, f *fetch.Fetcher) []component {
	cfg := a.Config
	ctl := crawler.NewControls(bus, a.Log)
	deps := crawler.Deps{
		Fetch: f, Extract: extract.New(nil), Pub: bus, State: bus, Leases: bus, Controls: ctl,
		Owner: a.instanceID(), MissingShare: cfg.Crawler.MissingShare,
		MaxAttachmentBytes: cfg.Crawler.MaxAttachmentBytes, Recheck: cfg.Crawler.Recheck, Log: a.Log, Now: a.now,
		Observer: a.instruments(),
	}
	set := &crawlerSet{
		deps: deps, sup: a.supervisor(),
		sources:  func() []config.Source { return a.current().Sources },
		register: a.registerCrawlers,
	}
	return []component{{"source-controls", ctl.Run}, {"crawlers", set.Run}}
}

// supervisor is how the roles' components are kept running.
func (a *App) supervisor() supervisor {
	return supervisor{log: a.Log, First: a.RestartDelay}
}

func (a *App) fetcher() (*fetch.Fetcher, error) {
	c := a.Config.Crawler
	return fetch.New(fetch.Options{
		UserAgent: c.UserAgent, MaxBodyBytes: c.MaxBodyBytes, Timeout: c.Timeout,
		AllowPrivate: c.AllowPrivate, PerHostRPS: c.PerHostRPS,
	})
}

// instanceID names this crawler instance in synd_leases. It is kept in
// data_dir, so a crawler restarted after a crash takes its sources back at
// once instead of waiting for its old leases to expire.
func (a *App) instanceID() string {
	host, _ := os.Hostname()
	path := filepath.Join(a.Config.DataDir, "instance-id")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) > 0 {
		return host + ":" + strings.TrimSpace(string(b))
	}
	id := fmt.Sprintf("%016x", rand.Uint64())
	if err := os.MkdirAll(a.Config.DataDir, 0o755); err == nil {
		if err := os.WriteFile(path, []byte(id+"\n"), 0o644); err != nil {
			a.Log.Warn().Err(err).Msg("instance id not saved; after a crash this crawler waits for its leases to expire")
		}
	}
	return host + ":" + id
}

// store opens an object store: a directory, or an S3 bucket. The returned
// ready blocks until the bucket exists (creating it if missing), retrying
// while the server is unreachable, so a role waits for MinIO instead of
// taking the other roles down with it; its events wait in JetStream.
func (a *App) store(what, backend, dir string, s3 config.S3) (st blobStore, ready func(context.Context) error, err error) {
	if backend == "fs" {
		return blob.NewFS(dir), func(context.Context) error { return nil }, nil
	}
	b, err := blob.NewS3(blob.S3Config{
		Endpoint: s3.Endpoint, Bucket: s3.Bucket, Region: s3.Region,
		AccessKey: s3.AccessKey.Value(), SecretKey: s3.SecretKey.Value(),
		Secure: s3.Secure, ObjectLockDays: s3.ObjectLockDays,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("%s store: %w", what, err)
	}
	ready = func(ctx context.Context) error {
		wait := backoff.New(min(time.Second, a.retryCap()), a.retryCap())
		for {
			err := b.Ensure(ctx)
			if err == nil {
				return nil
			}
			if syndicator.IsPermanent(err) {
				return fmt.Errorf("%s store: %w (check %s.s3 in the configuration)", what, err, what)
			}
			a.Log.Warn().Err(err).Str("sink", what).Stringer("retry_in", wait.Next()).Msg("object store unreachable; waiting for it")
			if !wait.Wait(ctx) {
				return nil
			}
		}
	}
	return b, ready, nil
}

// blobStore is what every role needs of a store.
type blobStore interface {
	PutNew(ctx context.Context, key string, data []byte, contentType string) (bool, error)
	Put(ctx context.Context, key string, data []byte, contentType string) error
	Get(ctx context.Context, key string) ([]byte, error)
}

func (a *App) renderer() (*render.Renderer, error) {
	cfg := a.Config
	cols := make([]render.Column, len(cfg.Site.Columns))
	for i, c := range cfg.Site.Columns {
		cols[i] = render.Column{ID: c.ID, Name: c.Name}
	}
	base := cfg.Site.BaseURL
	if base != "" {
		if _, err := url.Parse(base); err != nil {
			return nil, fmt.Errorf("site.base_url: %w", err)
		}
	}
	ch := cfg.Site.Chrome
	return render.New(render.Site{Name: cfg.Site.Name, BaseURL: base, Columns: cols, PageSize: cfg.Site.PageSize,
		Chrome: render.Chrome{
			SiteCode: ch.SiteCode, ICP: ch.ICP, PoliceRecord: ch.PoliceRecord, Sponsor: ch.Sponsor, Organizer: ch.Organizer,
			ConacURL: ch.ConacURL, ContactURL: ch.ContactURL, AccessibilityURL: ch.AccessibilityURL,
		}})
}
