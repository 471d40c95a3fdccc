package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/crawler"
	"github.com/gyeco/syndicator/crawler/extract"
	"github.com/gyeco/syndicator/crawler/fetch"
	"github.com/gyeco/syndicator/sinks/archive"
	"github.com/gyeco/syndicator/sinks/blob"
	"github.com/gyeco/syndicator/sinks/site"
	"github.com/gyeco/syndicator/sinks/site/render"
	"github.com/gyeco/syndicator/sinks/webhook"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/decide"
	"github.com/gyeco/syndicator/syndicator/natsbus"
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
}

// Run starts the roles and blocks until ctx ends or one of them fails.
func (a *App) Run(ctx context.Context, roles ...Role) error {
	cfg := a.Config
	// serve alone uses NATS only for the API, and only when configured.
	needBus := cfg.NATS.URL.IsSet()
	for _, r := range roles {
		if r != RoleServe {
			needBus = true
		}
	}
	g, ctx := errgroup.WithContext(ctx)

	var bus *natsbus.Bus
	if needBus {
		natsURL := cfg.NATS.URL.Value()
		if natsURL == "" {
			if !a.Embedded {
				return fmt.Errorf("nats.url is empty: separate roles need a shared NATS server (set nats.url, or use `syndicator run`, which embeds one)")
			}
			url, stopEmbedded, err := a.startEmbedded(ctx)
			if err != nil {
				return err
			}
			defer stopEmbedded()
			natsURL = url
		}
		var err error
		bus, err = natsbus.Connect(ctx, natsURL, "syndicator", natsbus.Options{}, a.Log)
		if err != nil {
			return err
		}
		defer bus.Close()
	}

	for _, r := range roles {
		switch r {
		case RoleCrawl:
			if err := a.startCrawlers(ctx, g, bus); err != nil {
				return err
			}
		case RoleArchive:
			store, ready, err := a.store("archive", cfg.Archive.Backend, cfg.Archive.Dir, cfg.Archive.S3)
			if err != nil {
				return err
			}
			sink := archive.New(store, bus, a.Log)
			// The audit ledger is recorded beside the archive, where its
			// chain head is anchored.
			a.startLedger(ctx, g, bus, store, ready)
			g.Go(func() error {
				if err := ready(ctx); err != nil {
					return err
				}
				return bus.Consume(ctx, natsbus.ConsumerSpec{Durable: archive.Name, Subjects: archive.Subjects()}, sink.Handle)
			})
		case RoleSite:
			docroot, ready, err := a.store("site", cfg.Site.Backend, cfg.Site.Dir, cfg.Site.S3)
			if err != nil {
				return err
			}
			rend, err := a.renderer()
			if err != nil {
				return err
			}
			names := map[string]string{}
			for _, s := range cfg.Sources {
				names[s.ID] = s.Name
			}
			sink := site.New(docroot, bus, bus, bus, rend, names, a.Log)
			idx := site.NewIndexer(docroot, bus, rend, a.Log)
			g.Go(func() error {
				if err := ready(ctx); err != nil {
					return err
				}
				g.Go(func() error { return idx.Run(ctx) })
				return bus.Consume(ctx, natsbus.ConsumerSpec{Durable: site.Name, Subjects: site.Subjects()}, sink.Handle)
			})
		case RoleWebhook:
			sink := a.webhook(bus)
			g.Go(func() error {
				return bus.Consume(ctx, natsbus.ConsumerSpec{Durable: webhook.Name, Subjects: webhook.Subjects()}, sink.Handle)
			})
		case RoleServe:
			srv, err := a.server(bus)
			if err != nil {
				return err
			}
			g.Go(func() error { return srv.Run(ctx) })
		}
	}
	a.Log.Info().Interface("roles", roles).Int("sources", len(cfg.Sources)).Msg("syndicator running")
	return g.Wait()
}

func (a *App) startCrawlers(ctx context.Context, g *errgroup.Group, bus *natsbus.Bus) error {
	cfg := a.Config
	f, err := a.fetcher()
	if err != nil {
		return err
	}
	deps := crawler.Deps{
		Fetch: f, Extract: extract.New(nil), Pub: bus, State: bus, Leases: bus,
		Owner: a.instanceID(), MissingShare: cfg.Crawler.MissingShare,
		MaxAttachmentBytes: cfg.Crawler.MaxAttachmentBytes, Recheck: cfg.Crawler.Recheck, Log: a.Log,
	}
	for _, src := range cfg.Sources {
		c := crawler.New(src, deps)
		g.Go(func() error { return c.Run(ctx) })
	}
	// Classifying is the crawl role's last step (DESIGN §1), after the
	// archive has kept the original.
	d, err := a.decider(bus)
	if err != nil {
		return err
	}
	g.Go(func() error {
		return bus.Consume(ctx, natsbus.ConsumerSpec{Durable: decide.Name, Subjects: decide.Subjects()}, d.Handle)
	})
	return nil
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
		delay := time.Second
		for {
			err := b.Ensure(ctx)
			if err == nil {
				return nil
			}
			if syndicator.IsPermanent(err) {
				return fmt.Errorf("%s store: %w (check %s.s3 in the configuration)", what, err, what)
			}
			a.Log.Warn().Err(err).Str("sink", what).Dur("retry_in", delay).Msg("object store unreachable; waiting for it")
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(delay):
			}
			delay = min(2*delay, 30*time.Second)
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
	return render.New(render.Site{Name: cfg.Site.Name, BaseURL: base, Columns: cols, PageSize: cfg.Site.PageSize})
}
