package fetch

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// newTestFetcher builds a Fetcher whose allowlist holds the given test
// servers, with quick retries unless opts says otherwise. It never touches
// the network beyond loopback: names resolve only through names (others
// are "not found" without a DNS query), and a dial to any non-loopback
// address fails the test instead of sending a packet.
func newTestFetcher(t *testing.T, opts Options, names map[string][]netip.Addr, srvs ...*httptest.Server) *Fetcher {
	t.Helper()
	for _, s := range srvs {
		opts.AllowPrivate = append(opts.AllowPrivate, hostOf(s))
	}
	if opts.BackoffBase == 0 {
		opts.BackoffBase = time.Millisecond
	}
	if opts.BackoffMax == 0 {
		opts.BackoffMax = 10 * time.Millisecond
	}
	if opts.lookupNetIP == nil {
		opts.lookupNetIP = tableResolver(names)
	}
	if opts.dial == nil {
		opts.dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
			if ap, err := netip.ParseAddrPort(addr); err != nil || !ap.Addr().IsLoopback() {
				t.Errorf("test dialled %s: tests must never connect to a non-loopback address", addr)
				return nil, &net.OpError{Op: "dial", Net: network, Err: net.UnknownNetworkError("refused by the test")}
			}
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		}
	}
	f, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// tableResolver answers from names only; anything else is "not found",
// as a DNS server would say, without asking one.
func tableResolver(names map[string][]netip.Addr) func(ctx context.Context, network, host string) ([]netip.Addr, error) {
	return func(ctx context.Context, network, host string) ([]netip.Addr, error) {
		if ips, ok := names[strings.ToLower(host)]; ok {
			return ips, nil
		}
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
}

func hostOf(s *httptest.Server) string { return s.Listener.Addr().String() }

// site is a test server with a robots.txt and counters per path.
type site struct {
	mu       sync.Mutex
	robots   string // body of /robots.txt
	robotsSt int    // its status; 0 = 200 if robots != "", else 404
	hits     map[string]int
	starts   []time.Time // when each non-robots request arrived
	handler  http.HandlerFunc
}

func newSite(t *testing.T, robots string, h http.HandlerFunc) (*site, *httptest.Server) {
	s := &site{robots: robots, hits: map[string]int{}, handler: h}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

func (s *site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.Path]++
	robots, status := s.robots, s.robotsSt
	if r.URL.Path != "/robots.txt" {
		s.starts = append(s.starts, time.Now())
	}
	s.mu.Unlock()
	if r.URL.Path == "/robots.txt" {
		switch {
		case status != 0:
			w.WriteHeader(status)
			w.Write([]byte(robots))
		case robots == "":
			http.NotFound(w, r)
		default:
			w.Write([]byte(robots))
		}
		return
	}
	if s.handler != nil {
		s.handler(w, r)
		return
	}
	w.Write([]byte("page " + r.URL.Path))
}

func (s *site) hit(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func (s *site) set(robots string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.robots, s.robotsSt = robots, status
}

// countingListener counts the bytes the server writes.
type countingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return countingConn{c, l.n}, nil
}

type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// within fails the test if fn has not returned after d; the bound is
// generous, to catch hangs, never to time things.
func within(t *testing.T, d time.Duration, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("did not end within %s", d)
	}
}

// waitFor fails the test unless ch is closed (or sent on) within 10s: it
// orders a test after an event, with a bound only against hangs.
func waitFor(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// waitHeld polls until f holds host after a Retry-After (hostLimits.hold
// has run) and returns the time the hold lasts until; it fails the test
// after 10s.
func waitHeld(t *testing.T, f *Fetcher, host string) time.Time {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var until time.Time
		f.limits.mu.Lock()
		if s := f.limits.hosts[strings.ToLower(host)]; s != nil {
			until = s.notBefore
		}
		f.limits.mu.Unlock()
		if !until.IsZero() {
			return until
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not held after a Retry-After within 10s", host)
		}
		time.Sleep(time.Millisecond)
	}
}

// doneWatcher is a context that closes waiting the first time its Done is
// called, i.e. once its holder is about to block on it.
type doneWatcher struct {
	context.Context
	once    sync.Once
	waiting chan struct{}
}

func watchDone(ctx context.Context) *doneWatcher {
	return &doneWatcher{Context: ctx, waiting: make(chan struct{})}
}

func (c *doneWatcher) Done() <-chan struct{} {
	c.once.Do(func() { close(c.waiting) })
	return c.Context.Done()
}

// manualClock is a clock only the test moves: a TTL runs out when the test
// advances past it, never while a slow machine stalls between two calls.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func newManualClock() *manualClock {
	return &manualClock{t: time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)}
}

func (c *manualClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *manualClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
