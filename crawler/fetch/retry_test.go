package fetch

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
)

// failing answers the first n requests to /page with status (and the
// headers given), then 200.
func failing(n int, status int, header map[string]string) (http.HandlerFunc, *atomic.Int32) {
	var calls atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		if int(calls.Add(1)) <= n {
			for k, v := range header {
				w.Header().Set(k, v)
			}
			w.WriteHeader(status)
			return
		}
		w.Write([]byte("ok"))
	}, &calls
}

func TestRetryAfterIsHonoured(t *testing.T) {
	t.Parallel() // waits on the clock
	h, calls := failing(1, http.StatusTooManyRequests, map[string]string{"Retry-After": "1"})
	_, srv := newSite(t, "", h)
	f := newTestFetcher(t, Options{BackoffBase: time.Millisecond}, nil, srv)
	start := time.Now()
	var resp *Response
	var err error
	within(t, 20*time.Second, func() { resp, err = f.Get(context.Background(), srv.URL+"/page") })
	if err != nil || string(resp.Body) != "ok" {
		t.Fatalf("err = %v, want the page after one retry", err)
	}
	if n := calls.Load(); n != 2 || resp.Attempts != 2 {
		t.Errorf("%d requests, Attempts %d; want exactly one retry", n, resp.Attempts)
	}
	if waited := time.Since(start); waited < 900*time.Millisecond {
		t.Errorf("retried after %s, want the 1s Retry-After honoured", waited)
	}
}

func TestRetryAfterHTTPDate(t *testing.T) {
	now := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"0": 0, "7": 7 * time.Second, " 120 ": 2 * time.Minute,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
		now.Add(-time.Hour).Format(http.TimeFormat):       0,
		"99999999999999999999999":                         365 * 24 * time.Hour,
	} {
		if got, ok := retryAfter(v, now); !ok || got != want {
			t.Errorf("retryAfter(%q) = %s, %v; want %s", v, got, ok, want)
		}
	}
	for _, v := range []string{"", "-1", "soon", "1.5"} {
		if _, ok := retryAfter(v, now); ok {
			t.Errorf("retryAfter(%q) accepted", v)
		}
	}
}

func TestServerErrorsAreRetriedWithBackoff(t *testing.T) {
	h, calls := failing(3, http.StatusServiceUnavailable, nil)
	_, srv := newSite(t, "", h)
	f := newTestFetcher(t, Options{}, nil, srv) // 1ms backoff base
	resp, err := f.Get(context.Background(), srv.URL+"/page")
	if err != nil || string(resp.Body) != "ok" || resp.Attempts != 4 {
		t.Fatalf("resp %+v, err %v; want the page on the 4th attempt", resp, err)
	}
	if n := calls.Load(); n != 4 {
		t.Errorf("%d requests, want 4", n)
	}
}

func TestRetriesExhausted(t *testing.T) {
	for _, status := range []int{http.StatusBadGateway, http.StatusRequestTimeout, http.StatusTooManyRequests} {
		h, calls := failing(100, status, nil)
		_, srv := newSite(t, "", h)
		f := newTestFetcher(t, Options{Retries: 2}, nil, srv)
		resp, err := f.Get(context.Background(), srv.URL+"/page")
		var se *StatusError
		if !errors.As(err, &se) || se.Status != status || syndicator.IsPermanent(err) || resp == nil {
			t.Fatalf("%d: err = %v, want a transient StatusError with the response", status, err)
		}
		if n := calls.Load(); n != 3 || se.Attempts != 3 || !strings.Contains(err.Error(), "3 attempts") {
			t.Errorf("%d: %d requests, error %q; want 3 attempts, said", status, n, err)
		}
	}
}

func TestClientErrorsAreNotRetried(t *testing.T) {
	for _, status := range []int{http.StatusNotFound, http.StatusForbidden, http.StatusGone, http.StatusBadRequest} {
		h, calls := failing(100, status, nil)
		_, srv := newSite(t, "", h)
		f := newTestFetcher(t, Options{}, nil, srv)
		_, err := f.Get(context.Background(), srv.URL+"/page")
		if !syndicator.IsPermanent(err) || calls.Load() != 1 {
			t.Errorf("%d: err = %v after %d requests, want permanent after 1", status, err, calls.Load())
		}
	}
}

func TestRetryAfterTooFarGivesUp(t *testing.T) {
	h, calls := failing(100, http.StatusServiceUnavailable, map[string]string{"Retry-After": "7200"})
	_, srv := newSite(t, "", h)
	f := newTestFetcher(t, Options{MaxRetryAfter: time.Minute}, nil, srv)
	start := time.Now()
	_, err := f.Get(context.Background(), srv.URL+"/page")
	var se *StatusError
	if !errors.As(err, &se) || syndicator.IsPermanent(err) || calls.Load() != 1 {
		t.Fatalf("err = %v after %d requests, want a transient StatusError after 1", err, calls.Load())
	}
	if d := se.RetryAt.Sub(start); d < 119*time.Minute || d > 121*time.Minute {
		t.Errorf("RetryAt in %s, want 2h", d)
	}
	if !strings.Contains(err.Error(), "retry after "+se.RetryAt.UTC().Format(time.RFC3339)) {
		t.Errorf("error %q should say when to retry", err)
	}
}

func TestCancelStopsTheWait(t *testing.T) {
	h, _ := failing(100, http.StatusServiceUnavailable, map[string]string{"Retry-After": "30"})
	served := make(chan struct{})
	var once sync.Once
	_, srv := newSite(t, "", func(w http.ResponseWriter, r *http.Request) {
		h(w, r)
		once.Do(func() { close(served) })
	})
	f := newTestFetcher(t, Options{}, nil, srv)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	var err error
	go func() { defer close(done); _, err = f.Get(ctx, srv.URL+"/page") }()
	// Cancel only once the first 503 has been served and the fetcher has
	// read it and entered its 30s wait (it holds the host just before).
	waitFor(t, served, "the first 503")
	waitHeld(t, f, "127.0.0.1")
	cancel()
	waitFor(t, done, "Get to return after cancel")
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "HTTP 503") {
		t.Fatalf("err = %v, want context.Canceled naming the last failure", err)
	}
}

func TestRetryAfterHoldsTheHost(t *testing.T) {
	t.Parallel() // waits on the clock
	h, _ := failing(1, http.StatusTooManyRequests, map[string]string{"Retry-After": "1"})
	served := make(chan struct{})
	var once sync.Once
	var mu sync.Mutex
	var otherAt time.Time // when /other reached the server
	s, srv := newSite(t, "", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/page" {
			h(w, r)
			once.Do(func() { close(served) }) // the first is the 429
			return
		}
		mu.Lock()
		otherAt = time.Now()
		mu.Unlock()
		w.Write([]byte("other"))
	})
	f := newTestFetcher(t, Options{PerHostConcurrency: -1}, nil, srv)
	var wg sync.WaitGroup
	wg.Go(func() { f.Get(context.Background(), srv.URL+"/page") })
	waitFor(t, served, "the 429")
	until := waitHeld(t, f, "127.0.0.1") // the fetcher has read the 429
	// The hold was set to "now + 1s" when the 429 was read: measure from
	// then, so that a stall of this goroutine cannot shorten the wait seen.
	start := until.Add(-time.Second)
	var err error
	within(t, 10*time.Second, func() { _, err = f.Get(context.Background(), srv.URL+"/other") })
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 500*time.Millisecond {
		t.Errorf("another request to the host went out %s after a 1s Retry-After", d)
	}
	mu.Lock()
	if otherAt.Before(until) {
		t.Errorf("/other reached the server %s before the Retry-After hold ended", until.Sub(otherAt))
	}
	mu.Unlock()
	within(t, 10*time.Second, wg.Wait)
	if n := s.hit("/page"); n != 2 {
		t.Errorf("/page requested %d times, want 2", n)
	}
}

func TestNetworkErrorsAreRetried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var accepted atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			c.(*net.TCPConn).SetLinger(0)
			c.Close() // reset before any response
		}
	}()
	f := newTestFetcher(t, Options{Retries: 2, AllowPrivate: []string{ln.Addr().String()}}, nil)
	_, err = f.Do(context.Background(), Request{URL: "http://" + ln.Addr().String() + "/page", IgnoreRobots: "test"})
	if err == nil || syndicator.IsPermanent(err) {
		t.Fatalf("err = %v, want a transient network error", err)
	}
	if n := accepted.Load(); n != 3 {
		t.Errorf("%d connections, want 3 (two retries)", n)
	}
	t.Log(err)
}

func TestConnectionRefusedIsExplained(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	f := newTestFetcher(t, Options{Retries: -1, AllowPrivate: []string{addr}}, nil)
	_, err := f.Do(context.Background(), Request{URL: "http://" + addr + "/", IgnoreRobots: "test"})
	if err == nil || !strings.Contains(err.Error(), "connection refused (is the site up") {
		t.Fatalf("err = %v, want it explained", err)
	}
}

func TestUnknownHostIsNotRetried(t *testing.T) {
	f := newTestFetcher(t, Options{}, nil)
	_, err := f.Do(context.Background(), Request{URL: "http://nowhere.test/", IgnoreRobots: "test"})
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) || !strings.Contains(err.Error(), "host nowhere.test not found") || strings.Contains(err.Error(), "attempts") {
		t.Fatalf("err = %v, want host not found after one attempt", err)
	}
}

func TestUntrustedCertificateIsNotRetried(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.Config.ConnState = func(c net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	f := newTestFetcher(t, Options{}, nil, srv)
	_, err := f.Do(context.Background(), Request{URL: srv.URL + "/", IgnoreRobots: "test"})
	if err == nil || !strings.Contains(err.Error(), "TLS certificate is not accepted") {
		t.Fatalf("err = %v, want the certificate named", err)
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections, want 1 (no retry)", n)
	}
}

func TestInvalidURLs(t *testing.T) {
	f := newTestFetcher(t, Options{}, nil)
	for _, u := range []string{"ftp://example.test/", "file:///etc/passwd", "/relative", "http://", "http://[::1"} {
		_, err := f.Get(context.Background(), u)
		if !errors.Is(err, ErrInvalidURL) || !syndicator.IsPermanent(err) {
			t.Errorf("%q: err = %v, want a permanent ErrInvalidURL", u, err)
		}
	}
}

func TestBackoffIsBoundedFullJitter(t *testing.T) {
	f := newTestFetcher(t, Options{BackoffBase: time.Second, BackoffMax: 60 * time.Second}, nil)
	for attempt, ceiling := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 4: 8 * time.Second, 7: 60 * time.Second, 500: 60 * time.Second} {
		for range 50 {
			d, asked := f.backoff(attempt, errors.New("x"))
			if asked || d < 0 || d > ceiling {
				t.Fatalf("backoff(%d) = %s, want within [0, %s]", attempt, d, ceiling)
			}
		}
	}
}
