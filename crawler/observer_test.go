package crawler_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/crawler"
	"github.com/gyeco/syndicator/crawler/extract"
	"github.com/gyeco/syndicator/crawler/fetch"
	"github.com/rs/zerolog"
)

// recorder is an Observer that keeps what it is told.
type recorder struct {
	mu     sync.Mutex
	polls  []error
	tooks  []time.Duration
	failed []error
}

func (r *recorder) Poll(source string, took time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.polls, r.tooks = append(r.polls, err), append(r.tooks, took)
}

func (r *recorder) ItemFailed(source string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = append(r.failed, err)
}

// TestObserver: every poll is reported with its duration and list error,
// and every item that failed with an error whose fetch kind can be read.
func TestObserver(t *testing.T) {
	t.Parallel()
	h := newHarness(t, sim.Options{Seed: 5, Items: 3, LargeEvery: -1, Sites: []string{sim.GovCN}})
	src := source(t, govcnSource, "gov", h.srv.URL)
	f, err := fetch.New(fetch.Options{AllowPrivate: []string{h.host}, Timeout: 10 * time.Second, BackoffBase: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	c := crawler.New(src, crawler.Deps{
		Fetch: f, Extract: extract.New(nil), Pub: h.bus, State: h.bus, Leases: h.bus,
		Owner: "owner-1", Log: zerolog.Nop(), Observer: rec,
	})

	if res := poll(t, c); res.Err != nil || res.New == 0 {
		t.Fatalf("first poll = %+v", res)
	}
	fresh := publishOn(h, sim.GovCN)
	h.faults.set(fresh.Path, http.StatusNotFound)
	if res := poll(t, c); res.Failed != 1 {
		t.Fatalf("poll with a detail page gone = %+v, want 1 failed", res)
	}
	list := src.Resolved.ListURLs[0]
	h.faults.set(list.Path, http.StatusBadGateway)
	if res := poll(t, c); res.Err == nil {
		t.Fatalf("poll with the list down = %+v, want an error", res)
	}

	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.polls) != 3 || rec.polls[0] != nil || rec.polls[1] != nil || rec.polls[2] == nil {
		t.Fatalf("polls reported: %v", rec.polls)
	}
	for i, d := range rec.tooks {
		if d <= 0 {
			t.Errorf("poll %d took %s", i, d)
		}
	}
	if k, ok := fetch.KindOf(rec.polls[2]); !ok || k != fetch.KindHTTP5xx {
		t.Errorf("list error kind = %q, %v (%v)", k, ok, rec.polls[2])
	}
	// The item that failed is retried by the next poll, list or no list.
	if len(rec.failed) != 2 {
		t.Fatalf("items reported failed: %v", rec.failed)
	}
	for _, err := range rec.failed {
		if k, ok := fetch.KindOf(err); !ok || k != fetch.KindHTTP4xx {
			t.Errorf("item error kind = %q, %v (%v)", k, ok, err)
		}
	}
}
