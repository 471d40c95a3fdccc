package httpapi

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gyeco/syndicator/sinks/blob"
	"github.com/gyeco/syndicator/syndicator/decide"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/rs/zerolog"
)

// stubReviewer accepts every decision without NATS, so the review route
// reads its body.
type stubReviewer struct{}

func (stubReviewer) Review(_ context.Context, key string, in decide.Input) (*decide.Review, error) {
	return &decide.Review{Key: key, State: in.Outcome}, nil
}

func (stubReviewer) Document(context.Context, string) (*decide.Doc, bool, error) {
	return nil, false, nil
}

// boundedServer runs a Server with limits on a loopback port until the
// test ends.
func boundedServer(t *testing.T, limits Limits) string {
	t.Helper()
	addr, stop := startBounded(t, limits)
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return addr
}

// startBounded runs a Server with limits; stop ends it and returns what
// Serve returned, failing the test if that takes over 10 s.
func startBounded(t *testing.T, limits Limits) (addr string, stop func() error) {
	t.Helper()
	cfg := parseConfig(t, `http:
  tokens:
    - {name: 信息中心, role: operator, token: `+operatorToken+`}
`)
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/index.html", []byte("<p>首页</p>"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := &Server{site: blob.NewFS(dir), tokens: tokensOf(cfg), reviews: stubReviewer{}, limits: limits, log: zerolog.Nop()}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	var once sync.Once
	var serveErr error
	return ln.Addr().String(), func() error {
		once.Do(func() {
			cancel()
			select {
			case serveErr = <-done:
			case <-time.After(10 * time.Second):
				t.Errorf("serve still running 10s after it was told to stop")
				serveErr = <-done
			}
		})
		return serveErr
	}
}

// keepAlive opens a connection and completes one request on it, so the
// server holds it as an idle keep-alive.
func keepAlive(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprint(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("request on a fresh connection: %v", err)
	}
	resp.Body.Close()
	_ = c.SetReadDeadline(time.Time{})
	return c
}

func testLimits() Limits {
	return Limits{
		ReadHeader: time.Second, Read: time.Second, Write: 5 * time.Second, Idle: time.Second,
		MaxConns: 16, PerClient: 4, MaxHeaderBytes: 8 << 10,
	}
}

// closedWithin reads c until the server closes it, and fails if that
// takes longer than d.
func closedWithin(t *testing.T, c net.Conn, d time.Duration, what string) {
	t.Helper()
	start := time.Now()
	_ = c.SetReadDeadline(start.Add(d))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Errorf("%s: connection still open after %s", what, d)
	}
}

func TestServerCutsStalledRequests(t *testing.T) {
	t.Parallel() // own servers; it waits out their timeouts
	addr := boundedServer(t, testLimits())

	// A body announced but never sent.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /api/v1/review/%s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"outcome\":", strings.Repeat("a", 32), operatorToken)
	closedWithin(t, c, 10*time.Second, "stalled body")

	// A header never finished.
	h, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	fmt.Fprint(h, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
	closedWithin(t, h, 10*time.Second, "stalled header")

	// An idle keep-alive connection, on a server whose read timeout is
	// long: only the idle timeout can close it (net/http falls back to
	// the read timeout when there is none).
	lim := testLimits()
	lim.Read = time.Minute
	k := keepAlive(t, boundedServer(t, lim))
	closedWithin(t, k, 10*time.Second, "idle keep-alive")
}

func TestServerLimitsConnectionsPerClient(t *testing.T) {
	lim := testLimits()
	// Long enough that only the per-client cap can close a connection.
	lim.ReadHeader, lim.Read, lim.Idle = time.Minute, time.Minute, time.Minute
	addr := boundedServer(t, lim)
	var kept []net.Conn
	for range lim.PerClient {
		kept = append(kept, keepAlive(t, addr))
	}
	extra, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	fmt.Fprint(extra, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	_ = extra.SetReadDeadline(time.Now().Add(10 * time.Second))
	if n, err := extra.Read(make([]byte, 512)); n > 0 || err == nil || isTimeout(err) {
		t.Errorf("a connection over the per-client limit: read %d bytes, %v; want it closed unanswered", n, err)
	}

	// Closing one frees its place.
	kept[0].Close()
	natstest.WaitFor(t, 10*time.Second, "a connection after one was freed", func() (bool, string) {
		resp, err := (&http.Client{Timeout: 2 * time.Second}).Get("http://" + addr + "/healthz")
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		return resp.StatusCode == 200, resp.Status
	})
}

// TestFullServerShutsDown: with every connection slot taken, Accept waits
// for one; shutdown must not wait with it (http.Server.Shutdown waits for
// Serve to return before it closes idle connections).
func TestFullServerShutsDown(t *testing.T) {
	lim := testLimits()
	lim.MaxConns, lim.PerClient = 2, 0
	lim.ReadHeader, lim.Read, lim.Idle = time.Minute, time.Minute, time.Minute
	addr, stop := startBounded(t, lim)
	keepAlive(t, addr)
	keepAlive(t, addr)
	waiting, err := net.Dial("tcp", addr) // accepted by the kernel, waits for a slot
	if err != nil {
		t.Fatal(err)
	}
	defer waiting.Close()
	start := time.Now()
	if err := stop(); err != nil {
		t.Errorf("serve: %v", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("shutdown with every slot taken took %s", took)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func TestAPIResponseHeaders(t *testing.T) {
	addr := boundedServer(t, testLimits())
	for _, path := range []string{"/healthz", "/readyz", "/api/v1/sources", "/api/v1/nope", "/api/v1/audit/report?format=html"} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		h := resp.Header
		if h.Get("Cache-Control") != "no-store" || h.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Errorf("%s: Cache-Control %q, X-Content-Type-Options %q, CSP %q", path, h.Get("Cache-Control"), h.Get("X-Content-Type-Options"), h.Get("Content-Security-Policy"))
		}
	}
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'none'") || resp.Header.Get("Cache-Control") == "no-store" {
		t.Errorf("site page: %d, CSP %q, Cache-Control %q", resp.StatusCode, resp.Header.Get("Content-Security-Policy"), resp.Header.Get("Cache-Control"))
	}
}

// TestBearerSchemeIgnoresCase: RFC 7235 §2.1 makes the scheme
// case-insensitive.
func TestBearerSchemeIgnoresCase(t *testing.T) {
	addr := boundedServer(t, testLimits())
	for auth, want := range map[string]int{
		"Bearer " + operatorToken:     http.StatusOK,
		"bearer " + operatorToken:     http.StatusOK,
		"BEARER  " + operatorToken:    http.StatusOK,
		"Basic " + operatorToken:      http.StatusUnauthorized,
		"Bearer":                      http.StatusUnauthorized,
		"Bearer" + operatorToken:      http.StatusUnauthorized,
		"Bearer x" + operatorToken:    http.StatusUnauthorized,
		"Bearer " + operatorToken[1:]: http.StatusUnauthorized,
	} {
		req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/review/"+strings.Repeat("a", 32), strings.NewReader(`{"outcome":"approved"}`))
		req.Header.Set("Authorization", auth)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Authorization %q: %d, want %d", auth, resp.StatusCode, want)
		}
	}
}
