package fetch

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestPerHostConcurrency(t *testing.T) {
	for _, tt := range []struct{ limit, want int }{{0, 1}, {3, 3}} {
		var inFlight, peak atomic.Int32
		_, srv := newSite(t, "", func(w http.ResponseWriter, r *http.Request) {
			n := inFlight.Add(1)
			defer inFlight.Add(-1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			time.Sleep(30 * time.Millisecond)
			w.Write([]byte("ok"))
		})
		f := newTestFetcher(t, Options{PerHostConcurrency: tt.limit}, nil, srv)
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				if _, err := f.Get(context.Background(), srv.URL+"/page"); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if got := int(peak.Load()); got > tt.want || got < 1 {
			t.Errorf("PerHostConcurrency %d: %d requests in flight at once, want at most %d", tt.limit, got, tt.want)
		}
	}
}

func TestPerHostRate(t *testing.T) {
	t.Parallel() // waits on the clock
	s, srv := newSite(t, "", nil)
	// 2 per second: requests leave 500 ms apart. The server sees them
	// arrive with the scheduling delays of a busy (-race, parallel) test
	// run, which have been 60 ms: 100 ms of slack.
	f := newTestFetcher(t, Options{PerHostRPS: 2, PerHostConcurrency: -1}, nil, srv)
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() { f.Get(context.Background(), srv.URL+"/page") })
	}
	wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 1; i < len(s.starts); i++ {
		if gap := s.starts[i].Sub(s.starts[i-1]); gap < 400*time.Millisecond {
			t.Errorf("requests %s apart at 2 per second", gap)
		}
	}
}

// A Crawl-delay counts from the end of the previous response too: a slow
// answer does not let the next request start sooner after it than the
// delay. The rate interval alone still spaces starts only.
func TestCrawlDelayCountsFromTheResponseEnd(t *testing.T) {
	t.Parallel()
	const delay = 150 * time.Millisecond
	h := newHostLimits(1000, 0)
	release, err := h.acquire(context.Background(), "slow.test", delay, true)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the response takes longer than the delay
	release()
	ended := time.Now()
	if _, err := h.acquire(context.Background(), "slow.test", delay, true); err != nil {
		t.Fatal(err)
	}
	if gap := time.Since(ended); gap < delay {
		t.Errorf("next request %s after the slow response ended; Crawl-delay is %s", gap, delay)
	}

	// Without a Crawl-delay, a response longer than the rate interval is
	// followed at once.
	h = newHostLimits(5, 0)
	release, _ = h.acquire(context.Background(), "fast.test", 0, true)
	time.Sleep(250 * time.Millisecond)
	release()
	start := time.Now()
	if _, err := h.acquire(context.Background(), "fast.test", 0, true); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited > 100*time.Millisecond {
		t.Errorf("waited %s after a response longer than the 200 ms rate interval", waited)
	}
}

func TestAcquireStopsWhenCtxEnds(t *testing.T) {
	h := newHostLimits(0, 1)
	release, err := h.acquire(context.Background(), "example.test", 0, true)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := h.acquire(ctx, "EXAMPLE.test", 0, true); err == nil {
		t.Fatal("second acquire got the host's only slot")
	}
	release()
	if _, err := h.acquire(context.Background(), "example.test", 0, true); err != nil {
		t.Fatal(err)
	}
	// A long spacing is cut short by ctx, and given back.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	if _, err := h.acquire(ctx2, "spaced.test", 0, false); err != nil {
		t.Fatal(err)
	}
	if _, err := h.acquire(ctx2, "spaced.test", time.Hour, false); err == nil {
		t.Fatal("acquire waited out an hour")
	}
}
