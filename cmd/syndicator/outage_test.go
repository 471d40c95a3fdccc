package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/rs/zerolog"
)

// switchProxy forwards TCP to target while up; while down it drops every
// connection at once, like a MinIO that is not running.
type switchProxy struct {
	ln     net.Listener
	target string
	up     atomic.Bool
	wg     sync.WaitGroup

	mu    sync.Mutex
	conns map[net.Conn]bool // open client and upstream connections
}

func newSwitchProxy(t testing.TB, target string) *switchProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &switchProxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	p.wg.Go(p.serve)
	// Idle keep-alive connections would hold the copies open until the
	// server's idle timeout (30 s): close them with the proxy.
	t.Cleanup(func() {
		ln.Close()
		p.mu.Lock()
		for c := range p.conns {
			c.Close()
		}
		p.mu.Unlock()
		p.wg.Wait()
	})
	return p
}

func (p *switchProxy) addr() string { return p.ln.Addr().String() }

// track records c as open until the returned func is called.
func (p *switchProxy) track(c net.Conn) func() {
	p.mu.Lock()
	p.conns[c] = true
	p.mu.Unlock()
	return func() {
		p.mu.Lock()
		delete(p.conns, c)
		p.mu.Unlock()
		c.Close()
	}
}

func (p *switchProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		if !p.up.Load() {
			c.Close()
			continue
		}
		p.wg.Go(func() {
			defer p.track(c)()
			u, err := net.Dial("tcp", p.target)
			if err != nil {
				return
			}
			defer p.track(u)()
			done := make(chan struct{}, 2)
			go func() { io.Copy(u, c); done <- struct{}{} }()
			go func() { io.Copy(c, u); done <- struct{}{} }()
			<-done
		})
	}
}

// TestArchiveOutageLosesNothing starts the pipeline while the archive's
// MinIO is unreachable: the crawler keeps discovering, nothing is archived
// or published, and once MinIO is back every item flows through exactly
// once.
func TestArchiveOutageLosesNothing(t *testing.T) {
	t.Parallel() // own govsim, NATS, ports and data dirs: shares nothing
	port := natstest.FreePort(t)
	p := newPipeline(t, sim.Options{Seed: 13, Items: 6}, "", port, "s3")
	real := strings.Split(strings.SplitN(p.yaml, "archive: {backend: s3, s3: {endpoint: \"", 2)[1], "\"")[0]
	proxy := newSwitchProxy(t, real)
	p.yaml = strings.Replace(p.yaml, "archive: {backend: s3, s3: {endpoint: \""+real, "archive: {backend: s3, s3: {endpoint: \""+proxy.addr(), 1)
	cfg := p.config(t)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	// The archive tries MinIO again at least every 2 s (30 s by default),
	// so the wait below is for the flow, not for a long backoff.
	app := &App{Config: cfg, Embedded: true, Log: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.ErrorLevel),
		RetryCap: 2 * time.Second}
	go func() { done <- app.Run(ctx, RoleCrawl, RoleArchive, RoleSite, RoleServe) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run returned %v", err)
		}
	}()
	natsURL := fmt.Sprintf("nats://127.0.0.1:%d", port)
	waitFor(t, 20*time.Second, "embedded nats", func() (bool, string) { return dialable(natsURL), "" })
	bus := connectBus(t, natsURL)

	total := len(p.sim.Releases())
	waitFor(t, 30*time.Second, "discovery during the outage", func() (bool, string) {
		r := readRecord(t, bus)
		return len(r.discovered) == total, fmt.Sprintf("%d of %d discovered", len(r.discovered), total)
	})
	time.Sleep(2 * time.Second) // give a broken archive the chance to misbehave
	if r := readRecord(t, bus); len(r.archived) != 0 || len(r.published) != 0 {
		t.Fatalf("with MinIO down: %d archived, %d published; want 0", len(r.archived), len(r.published))
	}

	proxy.up.Store(true)
	waitFor(t, 90*time.Second, "every release on the site after MinIO returns", func() (bool, string) {
		n := len(siteListing(t, p.site))
		return n == total, fmt.Sprintf("%d of %d listed", n, total)
	})
	p.verify(t, bus)
}
