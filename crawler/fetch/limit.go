package fetch

import (
	"context"
	"strings"
	"sync"
	"time"
)

// hostLimits paces requests per host, shared by every source that fetches
// from that host, so two columns of one site never double its load. A host
// is its lower-cased name: http and https, and any port, count together.
type hostLimits struct {
	interval time.Duration // from Options.PerHostRPS; 0 = none
	slots    int           // Options.PerHostConcurrency; 0 = unlimited

	mu    sync.Mutex
	hosts map[string]*hostState
}

type hostState struct {
	slots     chan struct{} // one token per request in flight; nil = unlimited
	last      time.Time     // start of the latest request (reserved, maybe in the future), or end of its response under a Crawl-delay
	notBefore time.Time     // set from a Retry-After
}

func newHostLimits(rps float64, concurrency int) *hostLimits {
	h := &hostLimits{slots: max(concurrency, 0), hosts: map[string]*hostState{}}
	if rps > 0 {
		h.interval = time.Duration(float64(time.Second) / rps)
	}
	return h
}

func (h *hostLimits) state(host string) *hostState {
	host = strings.ToLower(host)
	h.mu.Lock()
	defer h.mu.Unlock()
	s, ok := h.hosts[host]
	if !ok {
		s = &hostState{}
		if h.slots > 0 {
			s.slots = make(chan struct{}, h.slots)
		}
		h.hosts[host] = s
	}
	return s
}

// acquire blocks until a request to host may start: a concurrency slot is
// free (when slot is set) and the start is at least gap — the larger of
// the rate interval and the host's Crawl-delay — after the previous start
// on that host, and not before a Retry-After the host gave. The caller
// calls release when its response is read. It returns early when ctx ends.
//
// A Crawl-delay longer than the rate interval also counts from the end of
// the previous response: the host asked for that pause between requests,
// and only then does it see one, however long its answer or the way there
// took (a start-to-start spacing lets a slow first request arrive less
// than the delay before the next one).
func (h *hostLimits) acquire(ctx context.Context, host string, gap time.Duration, slot bool) (release func(), err error) {
	s := h.state(host)
	free, err := h.reserve(ctx, s, gap, slot)
	if err != nil || gap <= h.interval {
		return free, err
	}
	return func() {
		h.mu.Lock()
		if now := time.Now(); now.After(s.last) {
			s.last = now
		}
		h.mu.Unlock()
		free()
	}, nil
}

// reserve is acquire's wait for a slot and a start time.
func (h *hostLimits) reserve(ctx context.Context, s *hostState, gap time.Duration, slot bool) (release func(), err error) {
	release = func() {}
	if slot && s.slots != nil {
		select {
		case s.slots <- struct{}{}:
			release = func() { <-s.slots }
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	gap = max(gap, h.interval)
	for {
		h.mu.Lock()
		now := time.Now()
		if now.Before(s.notBefore) {
			wait := s.notBefore.Sub(now)
			h.mu.Unlock()
			if err := sleep(ctx, wait); err != nil {
				release()
				return nil, err
			}
			continue
		}
		// Reserve the start, so that concurrent callers are spaced too.
		at := now
		if !s.last.IsZero() && s.last.Add(gap).After(at) {
			at = s.last.Add(gap)
		}
		prev := s.last
		s.last = at
		h.mu.Unlock()
		if err := sleep(ctx, at.Sub(now)); err != nil {
			h.mu.Lock()
			if s.last.Equal(at) { // nobody reserved after us: give the start back
				s.last = prev
			}
			h.mu.Unlock()
			release()
			return nil, err
		}
		return release, nil
	}
}

// hold keeps new requests to host from starting before until (a
// Retry-After), for every caller.
func (h *hostLimits) hold(host string, until time.Time) {
	s := h.state(host)
	h.mu.Lock()
	if until.After(s.notBefore) {
		s.notBefore = until
	}
	h.mu.Unlock()
}

// sleep waits for d or until ctx ends, whichever is first.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
