package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// readBody reads resp's body, at most limit bytes after decompression:
// more is ErrTooLarge, or with truncate (robots.txt) the first limit bytes
// cut back to the last full line. No more than limit+1 decompressed bytes
// are ever held, so a gzip bomb costs at most that much memory.
//
// The transport decompresses gzip transparently (it asks for it itself).
// If a gzip body arrives undecoded anyway, it is decoded here under the
// same cap, and the headers are fixed as the transport would.
func readBody(resp *http.Response, limit int64, truncate bool, meter io.Reader, bufs *scratch) ([]byte, error) {
	if !truncate && resp.ContentLength > limit {
		return nil, fmt.Errorf("%w: Content-Length %d, limit %d bytes", ErrTooLarge, resp.ContentLength, limit)
	}
	r := meter
	if ce := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))); !resp.Uncompressed && (ce == "gzip" || ce == "x-gzip") {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("read gzip body: %w", err)
		}
		defer zr.Close()
		r = zr
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.ContentLength = -1
		resp.Uncompressed = true
	}
	var body []byte
	if resp.ContentLength > 0 && resp.ContentLength <= limit {
		// room to see the EOF without growing
		b, err := readCapped(r, limit+1, make([]byte, 0, resp.ContentLength+1))
		if err != nil {
			return nil, err
		}
		body = b
	} else {
		// Of unknown size (chunked, or decompressed by the transport):
		// read into a lent buffer, then copied once into one of the
		// body's size, instead of growing a new buffer by doubling
		// (three allocations and two copies for a 60 KB page).
		b := bufs.get()
		b, err := readCapped(r, limit+1, b)
		if err == nil {
			body = bytes.Clone(b)
		}
		bufs.put(b)
		if err != nil {
			return nil, err
		}
	}
	if int64(len(body)) > limit {
		if !truncate {
			return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
		}
		body = body[:limit]
		if i := bytes.LastIndexAny(body, "\r\n"); i >= 0 {
			body = body[:i+1]
		}
	}
	return body, nil
}

// dripGuard ends an attempt whose body arrives more slowly than a minimum
// rate: every window it checks that at least min bytes came in the last
// window, and otherwise cancels the attempt with ErrTooSlow as the cause.
// This ends a server that sends one byte a second long before the overall
// timeout. It counts the bytes as the transport hands them over.
type dripGuard struct {
	r      io.Reader
	n      atomic.Int64
	min    int64
	window time.Duration
	cancel context.CancelCauseFunc

	mu      sync.Mutex // guards timer, seen and stopped
	timer   *time.Timer
	seen    int64
	stopped bool
}

// startDripGuard wraps r; rate is in bytes per second, window how often
// it is checked. rate <= 0 or window <= 0 turns the guard off.
func startDripGuard(r io.Reader, rate int64, window time.Duration, cancel context.CancelCauseFunc) *dripGuard {
	g := &dripGuard{r: r, window: window, cancel: cancel}
	if rate <= 0 || window <= 0 {
		g.stopped = true
		return g
	}
	g.min = max(int64(float64(rate)*window.Seconds()), 1)
	g.mu.Lock() // check must not run before timer is set
	g.timer = time.AfterFunc(window, g.check)
	g.mu.Unlock()
	return g
}

func (g *dripGuard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	g.n.Add(int64(n))
	return n, err
}

func (g *dripGuard) check() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.stopped {
		return
	}
	n := g.n.Load()
	if got := n - g.seen; got < g.min {
		g.stopped = true
		g.cancel(fmt.Errorf("%w: %d bytes in %s, want at least %d (%d bytes read in all)",
			ErrTooSlow, got, g.window, g.min, n))
		return
	}
	g.seen = n
	g.timer.Reset(g.window)
}

// stop ends the checks; the attempt is over.
func (g *dripGuard) stop() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.stopped = true
	if g.timer != nil {
		g.timer.Stop()
	}
}

// readCapped appends r to buf[:0] until EOF or n bytes. The buffer
// doubles when full, but never beyond n, so reading holds at most 1.5 n
// bytes at once, during the last copy.
func readCapped(r io.Reader, n int64, buf []byte) ([]byte, error) {
	buf = buf[:0]
	if int64(cap(buf)) > n {
		buf = buf[:0:n]
	}
	if cap(buf) == 0 {
		buf = make([]byte, 0, min(scratchSize, n))
	}
	for int64(len(buf)) < n {
		if len(buf) == cap(buf) {
			bigger := make([]byte, len(buf), min(2*int64(cap(buf)), n))
			copy(bigger, buf)
			buf = bigger
		}
		m, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// scratchSize is the size of a new scratch buffer, and of the first
// buffer of a body read without one.
const scratchSize = 32 << 10

// maxScratch is the largest buffer kept for reuse: a rare large body
// is not held for the life of the fetcher.
const maxScratch = 1 << 20

// scratch lends the buffers bodies of unknown size are read into. The
// zero value is ready; it is safe for concurrent use.
type scratch struct {
	pool sync.Pool // of *[]byte
}

func (s *scratch) get() []byte {
	if p, ok := s.pool.Get().(*[]byte); ok {
		return (*p)[:0]
	}
	return make([]byte, 0, scratchSize)
}

// put returns b for reuse; nothing of it may be referenced afterwards.
func (s *scratch) put(b []byte) {
	if cap(b) > maxScratch {
		return
	}
	b = b[:0]
	s.pool.Put(&b)
}
