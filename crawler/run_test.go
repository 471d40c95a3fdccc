package crawler_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/crawler"
	"github.com/gyeco/syndicator/crawler/fetch"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
)

// waitFor is natstest.WaitFor for a condition with nothing to report.
func waitFor(t *testing.T, total time.Duration, what string, cond func() bool) {
	t.Helper()
	natstest.WaitFor(t, total, what, func() (bool, string) { return cond(), "not yet" })
}

// runCrawler starts c.Run and returns a channel that receives its result.
func runCrawler(ctx context.Context, c *crawler.Crawler) <-chan error {
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	return done
}

func waitReturn(t *testing.T, done <-chan error, within time.Duration) {
	t.Helper()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run returned %v, want nil", err)
		}
	case <-time.After(within):
		t.Fatalf("Run still running %s after its context was cancelled", within)
	}
}

func TestRunStopsWhenCancelled(t *testing.T) {
	t.Run("between polls", func(t *testing.T) {
		h := newHarness(t, sim.Options{Seed: 1, Items: 2, LargeEvery: -1})
		src := source(t, govcnSource, "gov", h.srv.URL)
		src.Interval = time.Hour
		c := h.crawler(t, src, "owner-1")
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := runCrawler(ctx, c)
		waitFor(t, 10*time.Second, "the first poll to be recorded", func() bool {
			var st crawler.SourceState
			found, _ := h.bus.GetState(ctx, "synd_sources", "gov", &st)
			return found && st.State == crawler.HealthOK
		})
		cancel()
		waitReturn(t, done, 2*time.Second)
	})

	t.Run("during a poll", func(t *testing.T) {
		h := newHarness(t, sim.Options{Seed: 1, Items: 2, LargeEvery: -1})
		entered := make(chan struct{}, 1)
		// The list never answers until the client gives up.
		h.faults.setNext(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case entered <- struct{}{}:
			default:
			}
			<-r.Context().Done()
		}))
		c := h.crawler(t, source(t, govcnSource, "gov", h.srv.URL), "owner-1")
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := runCrawler(ctx, c)
		select {
		case <-entered:
		case <-time.After(10 * time.Second):
			t.Fatal("the crawler never requested the list")
		}
		cancel()
		waitReturn(t, done, 2*time.Second)
	})
}

// inflight records, per instance (User-Agent), the requests in progress,
// and notes any moment when two instances had requests in progress at once.
type inflight struct {
	next  http.Handler
	delay time.Duration // added to every list request, to widen each poll

	mu      sync.Mutex
	now     map[string]int
	lists   map[string]int // list requests per instance
	overlap int            // requests that began while another instance was active
}

func (f *inflight) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ua := r.UserAgent()
	isList := r.URL.Path == "/govcn/zhengce/zuixin/ZUIXINZHENGCE.json"
	f.mu.Lock()
	for other, n := range f.now {
		if other != ua && n > 0 {
			f.overlap++
		}
	}
	f.now[ua]++
	if isList {
		f.lists[ua]++
	}
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.now[ua]--
		f.mu.Unlock()
	}()
	if isList {
		// Server latency, not an assertion. A request its client gave
		// up (an instance stopped mid-poll) ends with it, as it would
		// on a real server noticing the closed connection.
		select {
		case <-time.After(f.delay):
		case <-r.Context().Done():
			return
		}
	}
	f.next.ServeHTTP(w, r)
}

func (f *inflight) counts() (lists map[string]int, overlap int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	lists = map[string]int{}
	for k, v := range f.lists {
		lists[k] = v
	}
	return lists, f.overlap
}

// TestTwoOwnersNeverPollTogether runs two instances of the same source on
// one bus: the one that takes the lease keeps it across its polls and the
// other does not poll at all; when the holder stops, it releases the lease
// and the other takes over at once. No request of one ever overlaps the
// other's.
func TestTwoOwnersNeverPollTogether(t *testing.T) {
	t.Parallel()
	h := newHarness(t, sim.Options{Seed: 9, Items: 6, LargeEvery: -1})
	rec := &inflight{next: h.sim, delay: 60 * time.Millisecond, now: map[string]int{}, lists: map[string]int{}}
	h.faults.setNext(rec)
	src := source(t, govcnSource, "gov", h.srv.URL) // interval 200ms, jitter 10ms

	owners := []string{"host-a:1:aaaa", "host-b:2:bbbb"}
	cancels := map[string]context.CancelFunc{}
	runs := map[string]<-chan error{}
	for _, owner := range owners {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		c := newCrawler(t, h.bus, src, owner, fetch.Options{AllowPrivate: []string{h.host}, UserAgent: owner})
		cancels[owner], runs[owner] = cancel, runCrawler(ctx, c)
	}
	var holder, other string
	waitFor(t, 15*time.Second, "one instance to poll three times", func() bool {
		lists, _ := rec.counts()
		for _, o := range owners {
			if lists[o] >= 3 {
				holder = o
			}
		}
		return holder != ""
	})
	for _, o := range owners {
		if o != holder {
			other = o
		}
	}
	if lists, _ := rec.counts(); lists[other] != 0 {
		t.Errorf("list requests %v: the instance without the lease polled", lists)
	}
	cancels[holder]()
	waitReturn(t, runs[holder], 3*time.Second)
	waitFor(t, 15*time.Second, "the other instance to take over and poll twice", func() bool {
		lists, _ := rec.counts()
		return lists[other] >= 2
	})
	cancels[other]()
	waitReturn(t, runs[other], 3*time.Second)
	lists, overlap := rec.counts()
	if overlap != 0 {
		t.Errorf("%d requests of one instance began while the other was polling (list requests %v), want 0", overlap, lists)
	}
	if got, want := len(discovered(t, h.bus, "gov")), len(releasesOf(h.sim, sim.GovCN)); got != want {
		t.Errorf("%d discovered events, want %d (each release once)", got, want)
	}
}
