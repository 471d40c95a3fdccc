package main

import (
	"context"
	"sync"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/crawler"
)

// crawlerSet is the crawl role's crawlers: one supervised goroutine per
// configured source, each with its own cancel, so that a configuration
// reload (reload.go) stops the crawler of a removed source, starts an added
// one and restarts a changed one without touching the others. It runs as
// one component per NATS connection, since its crawlers publish on that
// connection.
type crawlerSet struct {
	deps crawler.Deps
	sup  supervisor
	// sources are the sources in force; read at every reconcile, so the
	// set follows the live configuration (App.current).
	sources func() []config.Source
	// register makes the set the one a reload reconciles while it runs;
	// the returned func undoes it.
	register func(*crawlerSet) (unregister func())

	// mu serializes reconciles and the end of Run: the set's goroutines
	// change only under it.
	mu      sync.Mutex
	ctx     context.Context // Run's; nil while the set is not running
	running map[string]*crawlerRun
}

// crawlerRun is one source's crawler goroutine.
type crawlerRun struct {
	src    config.Source
	cancel context.CancelFunc
	done   chan struct{} // closed when the goroutine has returned
}

// Run runs a crawler per source in force until ctx ends, then stops them
// all and returns once every one has.
func (s *crawlerSet) Run(ctx context.Context) error {
	s.mu.Lock()
	s.ctx = ctx
	s.mu.Unlock()
	// Registered before the first reconcile: a reload that stores a new
	// configuration either sees the set and reconciles it, or comes before
	// the reconcile below, which then reads the new configuration.
	unregister := func() {}
	if s.register != nil {
		unregister = s.register(s)
	}
	defer unregister()
	s.reconcile()
	<-ctx.Done()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ctx = nil
	for id, r := range s.running {
		r.cancel()
		<-r.done
		delete(s.running, id)
	}
	return nil
}

// reconcile makes the running crawlers match the sources in force: a
// source gone is stopped, a new one started, a changed one stopped and
// started again with its new configuration. It returns once the stopped
// crawlers have returned, so no crawler of a removed source polls after a
// reload has answered. Outside Run it does nothing (the next Run starts
// from the sources in force).
func (s *crawlerSet) reconcile() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx == nil || s.ctx.Err() != nil {
		return
	}
	want := s.sources()
	keep := make(map[string]bool, len(want))
	for _, src := range want {
		keep[src.ID] = true
	}
	// Stop before start: a changed source's old crawler must have let go
	// of its lease and its list state before the new one polls.
	for id, r := range s.running {
		if keep[id] {
			continue
		}
		r.cancel()
		<-r.done
		delete(s.running, id)
	}
	for _, src := range want {
		if r, ok := s.running[src.ID]; ok {
			if config.SameSource(r.src, src) {
				continue
			}
			r.cancel()
			<-r.done
		}
		s.start(src)
	}
}

// start runs src's crawler under the supervisor; s.mu is held.
func (s *crawlerSet) start(src config.Source) {
	if s.running == nil {
		s.running = map[string]*crawlerRun{}
	}
	ctx, cancel := context.WithCancel(s.ctx)
	r := &crawlerRun{src: src, cancel: cancel, done: make(chan struct{})}
	s.running[src.ID] = r
	c := crawler.New(src, s.deps)
	go func() {
		defer close(r.done)
		s.sup.run(ctx, component{"crawl " + src.ID, c.Run})
	}()
}
