package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gyeco/syndicator/syndicator"
)

func TestGuardRefusesLoopbackUnlessAllowed(t *testing.T) {
	var hits atomic.Int32
	canary := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte("ok"))
	}))
	defer canary.Close()
	host := strings.TrimPrefix(canary.URL, "http://")

	f, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Get(context.Background(), canary.URL+"/x")
	if !errors.Is(err, ErrPrivateAddress) || !syndicator.IsPermanent(err) {
		t.Fatalf("loopback fetch error = %v, want permanent ErrPrivateAddress", err)
	}
	if !strings.Contains(err.Error(), host) {
		t.Errorf("error %q should name the refused address %s", err, host)
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("canary received %d connections, want 0", n)
	}

	allowed, err := New(Options{AllowPrivate: []string{host}})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := allowed.Get(context.Background(), canary.URL+"/x")
	if err != nil || string(resp.Body) != "ok" {
		t.Fatalf("allowed fetch: %v", err)
	}
}

func TestGuardChecksRedirectTargets(t *testing.T) {
	var hits atomic.Int32
	canary := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer canary.Close()
	front := httptest.NewServer(http.RedirectHandler(canary.URL+"/secret", http.StatusFound))
	defer front.Close()

	f, _ := New(Options{AllowPrivate: []string{strings.TrimPrefix(front.URL, "http://")}})
	if _, err := f.Get(context.Background(), front.URL); !errors.Is(err, ErrPrivateAddress) {
		t.Fatalf("redirect to loopback: err = %v, want ErrPrivateAddress", err)
	}
	if hits.Load() != 0 {
		t.Fatal("canary reached through a redirect")
	}
}

func TestPublic(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1": false, "::1": false, "10.1.2.3": false, "172.16.0.1": false, "192.168.1.1": false,
		"169.254.169.254": false, "100.64.0.1": false, "fd00::1": false, "fe80::1": false,
		"::ffff:127.0.0.1": false, "224.0.0.1": false, "0.0.0.0": false,
		"8.8.8.8": true, "2001:4860:4860::8888": true, "117.187.129.1": true,
	} {
		if got := Public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Public(%s) = %v, want %v", addr, got, want)
		}
	}
}

func TestBodyCapAppliesAfterDecompression(t *testing.T) {
	t.Parallel()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(bytes.Repeat([]byte("a"), 8<<20)) // 8 MiB expanded, a few KB on the wire
	zw.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(gz.Bytes())
	}))
	defer srv.Close()
	f, _ := New(Options{MaxBodyBytes: 1 << 20, AllowPrivate: []string{strings.TrimPrefix(srv.URL, "http://")}})
	_, err := f.Get(context.Background(), srv.URL)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
}

func TestStatusErrorsAreClassified(t *testing.T) {
	_, srv := newSite(t, "", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/gone":
			w.WriteHeader(http.StatusNotFound)
		default:
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	f := newTestFetcher(t, Options{}, nil, srv)
	_, err := f.Get(context.Background(), srv.URL+"/gone")
	var se *StatusError
	if !errors.As(err, &se) || se.Status != 404 || !syndicator.IsPermanent(err) {
		t.Errorf("404: %v", err)
	}
	_, err = f.Get(context.Background(), srv.URL+"/busy")
	if !errors.As(err, &se) || se.Status != 503 || syndicator.IsPermanent(err) {
		t.Errorf("503: %v", err)
	}
}
