package fetch

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
)

// gzipZeros returns a gzip stream that inflates to mib MiB of zeros. It
// compresses one MiB twice and repeats the second, byte-aligned (flushed)
// piece: its back-references only reach the zeros before it, so it
// inflates to a MiB of zeros wherever it stands. About 1 KiB per MiB, built
// in milliseconds instead of compressing a gigabyte.
func gzipZeros(t testing.TB, mib int) []byte {
	t.Helper()
	zero := make([]byte, 1<<20)
	var first, piece, tail bytes.Buffer
	sw := &switchWriter{w: &first}
	fw, err := flate.NewWriter(sw, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(zero)
	fw.Flush()
	sw.w = &piece
	fw.Write(zero)
	fw.Flush()
	sw.w = &tail
	fw.Close()

	crc := crc32.NewIEEE()
	for range mib {
		crc.Write(zero)
	}
	var out bytes.Buffer
	out.Write([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}) // gzip header, deflate
	out.Write(first.Bytes())
	for range mib - 1 {
		out.Write(piece.Bytes())
	}
	out.Write(tail.Bytes())
	binary.Write(&out, binary.LittleEndian, crc.Sum32())
	binary.Write(&out, binary.LittleEndian, uint32(mib<<20)) // size mod 2^32
	return out.Bytes()
}

type switchWriter struct{ w io.Writer }

func (s *switchWriter) Write(p []byte) (int, error) { return s.w.Write(p) }

func TestGzipZerosIsAValidStream(t *testing.T) {
	t.Parallel()
	zr, err := gzip.NewReader(bytes.NewReader(gzipZeros(t, 3)))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil || len(got) != 3<<20 || bytes.Count(got, []byte{0}) != len(got) {
		t.Fatalf("inflated %d bytes (%v), want %d zeros", len(got), err, 3<<20)
	}
}

func TestGzipBombStopsAtTheCapWithBoundedMemory(t *testing.T) {
	bomb := sync.OnceValue(func() []byte { return gzipZeros(t, 1024) }) // 1 GiB inflated
	_, srv := newSite(t, "", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb())
	})
	bomb()
	if n := len(bomb()); n > 2<<20 {
		t.Fatalf("bomb is %d bytes on the wire, want about 1 MiB", n)
	}
	const limit = 16 << 20
	f := newTestFetcher(t, Options{MaxBodyBytes: limit}, nil, srv)

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	var err error
	within(t, 60*time.Second, func() { _, err = f.Get(context.Background(), srv.URL+"/bomb") })
	close(stop)
	<-sampled
	if !errors.Is(err, ErrTooLarge) || !syndicator.IsPermanent(err) {
		t.Fatalf("err = %v, want a permanent ErrTooLarge", err)
	}
	grew := int64(peak.Load()) - int64(base)
	t.Logf("heap grew by at most %d MiB for a %d MiB cap", grew>>20, limit>>20)
	if grew > limit+64<<20 {
		t.Errorf("heap grew by %d MiB, want under cap + 64 MiB", grew>>20)
	}
}

func TestEndlessBodyIsCut(t *testing.T) {
	_, srv := newSite(t, "", func(w http.ResponseWriter, r *http.Request) {
		chunk := bytes.Repeat([]byte("x"), 32<<10)
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	f := newTestFetcher(t, Options{MaxBodyBytes: 4 << 20}, nil, srv)
	var err error
	within(t, 30*time.Second, func() { _, err = f.Get(context.Background(), srv.URL+"/endless") })
	if !errors.Is(err, ErrTooLarge) || !syndicator.IsPermanent(err) {
		t.Fatalf("err = %v, want a permanent ErrTooLarge", err)
	}
}

func TestContentLengthOverTheCapIsNotRead(t *testing.T) {
	_, srv := newSite(t, "", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "999999999")
		w.Write([]byte("short"))
	})
	f := newTestFetcher(t, Options{MaxBodyBytes: 1 << 20}, nil, srv)
	_, err := f.Get(context.Background(), srv.URL+"/big")
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "Content-Length 999999999") {
		t.Fatalf("err = %v, want ErrTooLarge naming the Content-Length", err)
	}
}

func TestGzipIsCappedWithoutTransparentDecompression(t *testing.T) {
	t.Parallel()
	var big, small bytes.Buffer
	zw := gzip.NewWriter(&big)
	zw.Write(bytes.Repeat([]byte("a"), 8<<20))
	zw.Close()
	zw = gzip.NewWriter(&small)
	zw.Write([]byte("<p>政策</p>"))
	zw.Close()
	_, srv := newSite(t, "", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip") // whether asked for or not
		if r.URL.Path == "/big" {
			w.Write(big.Bytes())
			return
		}
		w.Write(small.Bytes())
	})
	f := newTestFetcher(t, Options{MaxBodyBytes: 1 << 20}, nil, srv)
	f.transport.DisableCompression = true

	resp, err := f.Get(context.Background(), srv.URL+"/small")
	if err != nil || string(resp.Body) != "<p>政策</p>" || resp.Header.Get("Content-Encoding") != "" {
		t.Fatalf("small: body %q, Content-Encoding %q, err %v; want it decoded", resp.Body, resp.Header.Get("Content-Encoding"), err)
	}
	if _, err := f.Get(context.Background(), srv.URL+"/big"); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("big: err = %v, want ErrTooLarge", err)
	}
}

func TestSlowDripEndsWithinTheWindow(t *testing.T) {
	t.Parallel() // waits on the clock
	_, srv := newSite(t, "", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		for range 600 { // 2 minutes at most
			if _, err := w.Write([]byte("x")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
	})
	f := newTestFetcher(t, Options{MinRate: 100, MinRateWindow: time.Second, Timeout: time.Minute, Retries: -1}, nil, srv)
	start := time.Now()
	var err error
	within(t, 30*time.Second, func() { _, err = f.Get(context.Background(), srv.URL+"/drip") })
	if !errors.Is(err, ErrTooSlow) || syndicator.IsPermanent(err) {
		t.Fatalf("err = %v, want a transient ErrTooSlow", err)
	}
	if !strings.Contains(err.Error(), "too slowly") || !strings.Contains(err.Error(), "want at least 100") {
		t.Errorf("error %q should say the body is too slow and the minimum", err)
	}
	t.Logf("ended after %s: %v", time.Since(start).Round(time.Millisecond), err)
}

func TestTimeoutBoundsAnAttempt(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	_, srv := newSite(t, "", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.Write(bytes.Repeat([]byte("x"), 100))
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	f := newTestFetcher(t, Options{Timeout: 300 * time.Millisecond, MinRate: -1, Retries: -1}, nil, srv)
	var err error
	within(t, 30*time.Second, func() { _, err = f.Get(context.Background(), srv.URL+"/stall") })
	if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "within 300ms") {
		t.Fatalf("err = %v, want ErrTimeout naming the limit", err)
	}
}

func TestResponseHeaderTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	_, srv := newSite(t, "", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	f := newTestFetcher(t, Options{ResponseHeaderTimeout: 200 * time.Millisecond, Retries: -1}, nil, srv)
	var err error
	within(t, 30*time.Second, func() { _, err = f.Get(context.Background(), srv.URL+"/silent") })
	if err == nil || !strings.Contains(err.Error(), "no response headers within 200ms") {
		t.Fatalf("err = %v, want one naming the header timeout", err)
	}
}

func TestRedirectLoopIsNamed(t *testing.T) {
	_, srv := newSite(t, "", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/a":
			http.Redirect(w, r, "/b", http.StatusFound)
		case "/b":
			http.Redirect(w, r, "/a", http.StatusFound)
		}
	})
	f := newTestFetcher(t, Options{}, nil, srv)
	var err error
	within(t, 30*time.Second, func() { _, err = f.Get(context.Background(), srv.URL+"/a") })
	if !errors.Is(err, ErrRedirectLoop) || !syndicator.IsPermanent(err) {
		t.Fatalf("err = %v, want a permanent ErrRedirectLoop", err)
	}
	if !strings.Contains(err.Error(), srv.URL+"/a → "+srv.URL+"/b → ") {
		t.Errorf("error %q should name the loop", err)
	}
}

func TestRedirectToSameURLWithCookieIsFollowed(t *testing.T) {
	// Some government WAFs set a cookie and redirect to the same URL.
	_, srv := newSite(t, "", func(w http.ResponseWriter, r *http.Request) {
		if _, err := r.Cookie("waf"); err != nil {
			http.SetCookie(w, &http.Cookie{Name: "waf", Value: "1", Path: "/"})
			http.Redirect(w, r, r.URL.Path, http.StatusFound)
			return
		}
		w.Write([]byte("ok"))
	})
	f := newTestFetcher(t, Options{}, nil, srv)
	resp, err := f.Get(context.Background(), srv.URL+"/page")
	if err != nil || string(resp.Body) != "ok" {
		t.Fatalf("got %v, want the page after the cookie redirect", err)
	}
}

func TestTooManyRedirects(t *testing.T) {
	_, srv := newSite(t, "", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Path+"x", http.StatusFound)
	})
	f := newTestFetcher(t, Options{MaxRedirects: 3}, nil, srv)
	_, err := f.Get(context.Background(), srv.URL+"/x")
	if !errors.Is(err, ErrTooManyRedirects) || !syndicator.IsPermanent(err) {
		t.Fatalf("err = %v, want a permanent ErrTooManyRedirects", err)
	}
}

func TestConditionalGet(t *testing.T) {
	page := bytes.Repeat([]byte("政策原文 "), 4000)
	const etag = `"v1"`
	lastMod := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC).Format(http.TimeFormat)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lastMod)
		if r.Header.Get("If-None-Match") == etag || r.Header.Get("If-Modified-Since") == lastMod {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write(page)
	})
	var served atomic.Int64
	srv := httptest.NewUnstartedServer(h)
	srv.Listener = countingListener{srv.Listener, &served}
	srv.Start()
	defer srv.Close()
	f := newTestFetcher(t, Options{}, nil, srv)

	first, err := f.Get(context.Background(), srv.URL+"/list.json")
	if err != nil || first.Status != 200 || first.NotModified || !bytes.Equal(first.Body, page) {
		t.Fatalf("first fetch: %v", err)
	}
	if first.ETag != etag || first.LastModified != lastMod {
		t.Errorf("validators %q %q, want %q %q", first.ETag, first.LastModified, etag, lastMod)
	}
	before := served.Load()
	for _, req := range []Request{
		{URL: srv.URL + "/list.json", ETag: first.ETag},
		{URL: srv.URL + "/list.json", LastModified: first.LastModified},
		{URL: srv.URL + "/list.json", ETag: first.ETag, LastModified: first.LastModified},
	} {
		resp, err := f.Do(context.Background(), req)
		if err != nil || resp.Status != http.StatusNotModified || !resp.NotModified || resp.Body != nil {
			t.Fatalf("conditional fetch %+v: resp %+v, err %v; want a 304 with NotModified and no body", req, resp, err)
		}
		if resp.ETag != etag {
			t.Errorf("304 ETag %q, want %q", resp.ETag, etag)
		}
		if n := served.Load() - before; n > 400 {
			t.Errorf("the 304 took %d bytes on the wire, want a few hundred at most", n)
		}
		before = served.Load()
	}
}

func TestNotModifiedWithoutValidatorsIsAnError(t *testing.T) {
	_, srv := newSite(t, "", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotModified) })
	f := newTestFetcher(t, Options{}, nil, srv)
	resp, err := f.Get(context.Background(), srv.URL+"/x")
	var se *StatusError
	if !errors.As(err, &se) || se.Status != 304 || resp == nil || resp.NotModified {
		t.Fatalf("resp %+v, err %v; want a StatusError 304 when no validators were sent", resp, err)
	}
}
