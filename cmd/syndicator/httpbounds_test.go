package main

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
	"testing"
	"time"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/sinks/blob"
	"github.com/gyeco/syndicator/syndicator/decide"
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

// boundedServer runs a Server with short limits on a loopback port.
func boundedServer(t *testing.T, limits serverLimits) string {
	t.Helper()
	cfg, err := config.Parse("bounds.yml", []byte(`http:
  tokens:
    - {name: 信息中心, role: operator, token: `+operatorToken+`}
`))
	if err != nil {
		t.Fatal(err)
	}
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
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return ln.Addr().String()
}

func testLimits() serverLimits {
	return serverLimits{
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

	// An idle keep-alive connection.
	k, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	fmt.Fprint(k, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(k), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("healthz: %d", resp.StatusCode)
	}
	closedWithin(t, k, 10*time.Second, "idle keep-alive")
}

func TestServerLimitsConnectionsPerClient(t *testing.T) {
	lim := testLimits()
	lim.Idle = time.Minute
	addr := boundedServer(t, lim)
	var kept []net.Conn
	for range lim.PerClient {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		kept = append(kept, c)
	}
	// The server counts a connection when it accepts it: a request on
	// each proves all of them are in.
	for i, c := range kept {
		fmt.Fprint(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("connection %d within the limit: %v", i, err)
		}
		resp.Body.Close()
	}
	extra, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	closedWithin(t, extra, 5*time.Second, "a connection over the per-client limit")

	// Closing one frees its place.
	kept[0].Close()
	var lastErr error
	waitFor(t, 10*time.Second, "a connection after one was freed", func() (bool, string) {
		resp, err := (&http.Client{Timeout: 2 * time.Second}).Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			return resp.StatusCode == 200, resp.Status
		}
		lastErr = err
		return false, fmt.Sprint(lastErr)
	})
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
