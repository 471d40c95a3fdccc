package crawler_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/crawler"
	"github.com/gyeco/syndicator/crawler/extract"
	"github.com/gyeco/syndicator/crawler/fetch"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
)

// countingState counts the writes of source states.
type countingState struct {
	crawler.StateStore
	mu    sync.Mutex
	puts  int
	marks int // poll marks in synd_polls, held in memory
}

func (s *countingState) PutState(ctx context.Context, bucket, key string, v any) error {
	s.mu.Lock()
	switch bucket {
	case syndicator.BucketSources:
		s.puts++
	case syndicator.BucketPolls:
		s.marks++
	}
	s.mu.Unlock()
	return s.StateStore.PutState(ctx, bucket, key, v)
}

func (s *countingState) markCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.marks
}

func (s *countingState) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.puts
}

// pollCount is an Observer counting polls.
type pollCount struct {
	mu sync.Mutex
	n  int
}

func (p *pollCount) Poll(string, time.Duration, error) {
	p.mu.Lock()
	p.n++
	p.mu.Unlock()
}

func (p *pollCount) ItemFailed(string, error) {}

func (p *pollCount) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}

// instance is one crawl process's crawler of a source: its own connection
// to NATS, owner, state counter and poll counter.
type instance struct {
	bus    *natsbus.Bus
	state  *countingState
	polls  *pollCount
	leases *mortalLeases
	c      *crawler.Crawler
}

// mortalLeases are the bus's leases, but once dead they are never released:
// what a killed process leaves behind.
type mortalLeases struct {
	*natsbus.Bus
	dead atomic.Bool
}

func (l *mortalLeases) Release(key, owner string) {
	if !l.dead.Load() {
		l.Bus.Release(key, owner)
	}
}

func (h *harness) instance(t *testing.T, src config.Source, owner string) *instance {
	t.Helper()
	bus := connectBus(t, h.natsURL)
	f, err := fetch.New(fetch.Options{AllowPrivate: []string{h.host}, Timeout: 10 * time.Second, BackoffBase: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	in := &instance{bus: bus, state: &countingState{StateStore: bus}, polls: &pollCount{}, leases: &mortalLeases{Bus: bus}}
	in.c = crawler.New(src, crawler.Deps{
		Fetch: f, Extract: extract.New(nil), Pub: bus, State: in.state, Leases: in.leases,
		Owner: owner, Observer: in.polls, Log: zerolog.Nop(),
	})
	return in
}

// leaseRecords is how many records were ever written to synd_leases.
func leaseRecords(t *testing.T, url string) uint64 {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	s, err := js.Stream(context.Background(), "KV_"+syndicator.BucketLeases)
	if err != nil {
		t.Fatal(err)
	}
	return s.CachedInfo().State.LastSeq
}

// TestUnchangedPollsWriteNothing: a crawler keeps its source's lease
// across polls and records its state only when it changes: once its
// first polls are recorded, polls of an unchanged list (304) write neither
// the state nor a lease, a second instance on another connection never
// polls the held source, and a poll that finds a new release is recorded.
func TestUnchangedPollsWriteNothing(t *testing.T) {
	t.Parallel()
	h := newHarness(t, sim.Options{Seed: 5, Items: 4, LargeEvery: -1})
	src := source(t, govcnSource, "gov", h.srv.URL) // every 200ms
	a := h.instance(t, src, "host-a:1:aaaa")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	doneA := runCrawler(ctx, a.c)
	waitFor(t, 15*time.Second, "three polls", func() bool { return a.polls.count() >= 3 })
	puts, leases, polls, marks := a.state.count(), leaseRecords(t, h.natsURL), a.polls.count(), a.state.markCount()
	if puts == 0 {
		t.Fatal("the first poll was not recorded")
	}

	b := h.instance(t, src, "host-b:2:bbbb")
	doneB := runCrawler(ctx, b.c)
	waitFor(t, 15*time.Second, "five more polls", func() bool { return a.polls.count() >= polls+5 })
	if got := a.state.count(); got != puts {
		t.Errorf("%d state writes in 5 polls of an unchanged list, want 0", got-puts)
	}
	if got := leaseRecords(t, h.natsURL); got != leases {
		t.Errorf("%d lease records written in 5 polls, want 0", got-leases)
	}
	// Each unchanged poll is still visible, in the bucket held in memory.
	if got := a.state.markCount() - marks; got < 5 {
		t.Errorf("%d poll marks in synd_polls for 5 unchanged polls, want one each", got)
	}
	var mark crawler.PollMark
	if found, err := h.bus.GetState(ctx, syndicator.BucketPolls, "gov", &mark); err != nil || !found || time.Since(mark.LastPoll) > 5*time.Second {
		t.Errorf("synd_polls has %+v (found %v, %v), want the last poll", mark, found, err)
	}
	if n := b.polls.count(); n != 0 {
		t.Errorf("the second instance polled %d times while the first held the source", n)
	}

	before := len(discovered(t, h.bus, "gov"))
	for r := h.sim.Publish(); r.Site != sim.GovCN; r = h.sim.Publish() {
	}
	waitFor(t, 15*time.Second, "the poll that finds the new release to be recorded", func() bool {
		return a.state.count() > puts
	})
	if got := len(discovered(t, h.bus, "gov")); got != before+1 {
		t.Errorf("%d discovered events after a release, want %d", got, before+1)
	}
	if n := b.polls.count(); n != 0 {
		t.Errorf("the second instance polled %d times while the first held the source", n)
	}
	cancel()
	waitReturn(t, doneA, 3*time.Second)
	waitReturn(t, doneB, 3*time.Second)
}

// TestLeaseMovesWhenTheHolderDies: the instance holding a source dies
// without releasing it (its connection is gone); another instance takes
// the source over once the holder's heartbeat has expired (30 s), and the
// holder's polls stop.
func TestLeaseMovesWhenTheHolderDies(t *testing.T) {
	t.Parallel()
	h := newHarness(t, sim.Options{Seed: 6, Items: 2, LargeEvery: -1})
	src := source(t, govcnSource, "gov", h.srv.URL)
	a := h.instance(t, src, "host-a:1:aaaa")
	b := h.instance(t, src, "host-b:2:bbbb")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ctxA, cancelA := context.WithCancel(ctx)
	defer cancelA()
	doneA := runCrawler(ctxA, a.c)
	waitFor(t, 15*time.Second, "the first instance to poll", func() bool { return a.polls.count() >= 2 })
	doneB := runCrawler(ctx, b.c)

	// The process dies: its crawler stops without releasing the lease, and
	// its connection, which renewed the lease's heartbeat, is gone.
	a.leases.dead.Store(true)
	cancelA()
	waitReturn(t, doneA, 3*time.Second)
	a.bus.Close()
	died := time.Now()
	if n := b.polls.count(); n != 0 {
		t.Fatalf("the second instance polled %d times before the holder died", n)
	}
	waitFor(t, 50*time.Second, "the second instance to take the source over", func() bool { return b.polls.count() >= 1 })
	// The heartbeat expires 30 s after its last renewal; the second
	// instance asks again every 10 s at most.
	if took := time.Since(died); took > 41*time.Second {
		t.Errorf("took over %s after the holder died, want within 30 s + one retry", took)
	}
	cancel()
	waitReturn(t, doneB, 3*time.Second)
}
