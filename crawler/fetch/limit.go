package fetch

import (
	"context"
	"sync"

	"golang.org/x/time/rate"
)

// hostLimits paces requests per host, shared by every source that fetches
// from that host, so two columns of one site never double its load.
type hostLimits struct {
	rps   float64
	mu    sync.Mutex
	hosts map[string]*rate.Limiter
}

func newHostLimits(rps float64) *hostLimits {
	return &hostLimits{rps: rps, hosts: map[string]*rate.Limiter{}}
}

// wait blocks until host may be asked again or ctx ends.
func (h *hostLimits) wait(ctx context.Context, host string) error {
	if h.rps <= 0 {
		return nil
	}
	h.mu.Lock()
	l, ok := h.hosts[host]
	if !ok {
		l = rate.NewLimiter(rate.Limit(h.rps), 1)
		h.hosts[host] = l
	}
	h.mu.Unlock()
	return l.Wait(ctx)
}
