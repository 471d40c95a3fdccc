package crawler_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/crawler"
	"github.com/gyeco/syndicator/crawler/extract"
	"github.com/gyeco/syndicator/crawler/fetch"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/rs/zerolog"
)

// watchOp is one thing the fake watcher delivers: a value or, with
// initial set, the end of the current values.
type watchOp struct {
	key     string
	value   []byte
	deleted bool
	initial bool
	done    chan struct{}
}

// fakeWatcher delivers what the test pushes, one op at a time.
type fakeWatcher struct {
	ops     chan watchOp
	started chan [2]string // bucket and pattern of each WatchState
}

func newFakeWatcher() *fakeWatcher {
	return &fakeWatcher{ops: make(chan watchOp), started: make(chan [2]string, 4)}
}

func (w *fakeWatcher) WatchState(ctx context.Context, bucket, pattern string, fn func(string, []byte, bool), initialDone func()) error {
	w.started <- [2]string{bucket, pattern}
	for {
		select {
		case <-ctx.Done():
			return nil
		case op := <-w.ops:
			if op.initial {
				initialDone()
			} else {
				fn(op.key, op.value, op.deleted)
			}
			close(op.done)
		}
	}
}

// push delivers op and returns once the Controls have taken it.
func (w *fakeWatcher) push(t *testing.T, op watchOp) {
	t.Helper()
	op.done = make(chan struct{})
	select {
	case w.ops <- op:
	case <-time.After(10 * time.Second):
		t.Fatal("the watcher is not running")
	}
	<-op.done
}

func (w *fakeWatcher) put(t *testing.T, key string, sc syndicator.SourceControl) {
	t.Helper()
	data, err := json.Marshal(sc)
	if err != nil {
		t.Fatal(err)
	}
	w.push(t, watchOp{key: key, value: data})
}

// runControls starts c.Run on w and stops it when the test ends.
func runControls(t *testing.T, w *fakeWatcher) *crawler.Controls {
	t.Helper()
	c := crawler.NewControls(w, zerolog.Nop())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run returned %v", err)
		}
	})
	if got := <-w.started; got != [2]string{syndicator.BucketControl, ">"} {
		t.Fatalf("watching %v, want synd_control >", got)
	}
	return c
}

func woken(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func TestControlsPaused(t *testing.T) {
	w := newFakeWatcher()
	c := runControls(t, w)
	at := time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC)
	if c.Paused("gov") {
		t.Fatal("paused before anything was said")
	}
	w.put(t, "gov", syndicator.SourceControl{Paused: true, PausedBy: "值班员", PausedAt: at})
	if !c.Paused("gov") || c.Paused("guizhou") {
		t.Fatalf("paused: gov %v guizhou %v, want true false", c.Paused("gov"), c.Paused("guizhou"))
	}
	w.push(t, watchOp{initial: true})
	w.push(t, watchOp{key: "gov", value: []byte("{not json")})
	if !c.Paused("gov") {
		t.Error("an unreadable value changed the state")
	}
	w.put(t, "gov", syndicator.SourceControl{Paused: false})
	if c.Paused("gov") {
		t.Error("still paused after a resume")
	}
	w.put(t, "gov", syndicator.SourceControl{Paused: true})
	w.push(t, watchOp{key: "gov", deleted: true})
	if c.Paused("gov") {
		t.Error("still paused after the key was deleted")
	}
}

func TestControlsWake(t *testing.T) {
	w := newFakeWatcher()
	c := runControls(t, w)
	at := time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC)
	gov := c.Wake("gov")
	if gov == nil || c.Wake("gov") != gov {
		t.Fatal("Wake must return one channel per source")
	}

	// The current values are history: they wake nobody.
	w.put(t, "gov", syndicator.SourceControl{PollAt: at})
	w.put(t, "gov", syndicator.SourceControl{Paused: true, PollAt: at})
	w.put(t, "gov", syndicator.SourceControl{Paused: false, PollAt: at.Add(time.Minute)})
	w.put(t, "guizhou", syndicator.SourceControl{PollAt: at})
	if woken(gov) || woken(c.Wake("guizhou")) {
		t.Fatal("a value delivered before initialDone woke the crawler")
	}
	w.push(t, watchOp{initial: true})
	if woken(gov) {
		t.Fatal("initialDone itself woke the crawler")
	}

	steps := []struct {
		name string
		sc   syndicator.SourceControl
		wake bool
	}{
		{"same poll time again", syndicator.SourceControl{PollAt: at.Add(time.Minute)}, false},
		{"older poll time", syndicator.SourceControl{PollAt: at}, false},
		{"newer poll time", syndicator.SourceControl{PollAt: at.Add(2 * time.Minute), PollBy: "值班员"}, true},
		{"pause", syndicator.SourceControl{Paused: true, PollAt: at.Add(2 * time.Minute)}, false},
		{"paused again", syndicator.SourceControl{Paused: true, Reason: "改版", PollAt: at.Add(2 * time.Minute)}, false},
		{"poll while paused", syndicator.SourceControl{Paused: true, PollAt: at.Add(3 * time.Minute)}, true},
		{"resume", syndicator.SourceControl{Paused: false, PollAt: at.Add(3 * time.Minute)}, true},
		{"still running", syndicator.SourceControl{Paused: false, PollAt: at.Add(3 * time.Minute)}, false},
	}
	for _, st := range steps {
		w.put(t, "gov", st.sc)
		if got := woken(gov); got != st.wake {
			t.Errorf("%s: woken %v, want %v", st.name, got, st.wake)
		}
	}
	if woken(c.Wake("guizhou")) {
		t.Error("another source's requests woke guizhou")
	}

	// Repeated pokes without a reader do not block and leave one wake-up.
	for i := range 5 {
		w.put(t, "gov", syndicator.SourceControl{PollAt: at.Add(time.Duration(10+i) * time.Minute)})
	}
	if !woken(gov) || woken(gov) {
		t.Error("five pokes: want exactly one pending wake-up")
	}

	// Deleting a paused source's controls resumes it.
	w.put(t, "gov", syndicator.SourceControl{Paused: true, PollAt: at})
	if woken(gov) {
		t.Error("a pause with an older poll time woke the crawler")
	}
	w.push(t, watchOp{key: "gov", deleted: true})
	if !woken(gov) {
		t.Error("deleting a pause did not wake the crawler")
	}

	// A source first heard of after the sync wakes on its channel made later.
	w.put(t, "new", syndicator.SourceControl{PollAt: at})
	if !woken(c.Wake("new")) {
		t.Error("a poll of a source without an earlier value did not wake it")
	}
}

func TestNilControls(t *testing.T) {
	var c *crawler.Controls
	if c.Paused("gov") {
		t.Error("nil Controls paused")
	}
	if c.Wake("gov") != nil {
		t.Error("nil Controls wake")
	}
}

// listCounter counts the requests of one path in front of govsim.
type listCounter struct {
	next http.Handler
	path string

	mu sync.Mutex
	n  int
}

func (l *listCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == l.path {
		l.mu.Lock()
		l.n++
		l.mu.Unlock()
	}
	l.next.ServeHTTP(w, r)
}

func (l *listCounter) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}

// TestRunPausedAndPollNow runs a crawler with the controls of a real
// synd_control bucket: paused, the timer polls nothing; a poll asked for
// runs at once; a resume polls again.
func TestRunPausedAndPollNow(t *testing.T) {
	t.Parallel()
	h := newHarness(t, sim.Options{Seed: 3, Items: 2, LargeEvery: -1, Sites: []string{sim.GovCN}})
	lists := &listCounter{next: h.sim, path: "/govcn/zhengce/zuixin/ZUIXINZHENGCE.json"}
	h.faults.setNext(lists)
	src := source(t, govcnSource, "gov", h.srv.URL) // interval 200ms
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	put := func(sc syndicator.SourceControl) {
		t.Helper()
		if err := h.bus.PutState(ctx, syndicator.BucketControl, "gov", sc); err != nil {
			t.Fatal(err)
		}
	}
	put(syndicator.SourceControl{Paused: true, PausedBy: "值班员", PausedAt: time.Now()})

	ctl := crawler.NewControls(h.bus, zerolog.Nop())
	ctlDone := make(chan error, 1)
	go func() { ctlDone <- ctl.Run(ctx) }()
	waitFor(t, 10*time.Second, "the pause to be read", func() bool { return ctl.Paused("gov") })

	logs := &natstest.LogBuffer{}
	f, err := fetch.New(fetch.Options{AllowPrivate: []string{h.host}, Timeout: 10 * time.Second, BackoffBase: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	c := crawler.New(src, crawler.Deps{
		Fetch: f, Extract: extract.New(nil), Pub: h.bus, State: h.bus, Leases: h.bus,
		Owner: "owner-1", Controls: ctl, Log: zerolog.New(logs),
	})
	done := runCrawler(ctx, c)
	skipped := func() int { return logs.Count("debug", "poll skipped: source paused by an operator") }
	waitFor(t, 10*time.Second, "two timer ticks skipped", func() bool { return skipped() >= 2 })
	if n := lists.count(); n != 0 {
		t.Fatalf("paused source: the list was read %d times", n)
	}

	// Poll now, still paused: one poll at once, then the timer skips again.
	put(syndicator.SourceControl{Paused: true, PollAt: time.Now(), PollBy: "值班员"})
	waitFor(t, 10*time.Second, "the poll asked for", func() bool { return lists.count() >= 1 })
	waitFor(t, 10*time.Second, "the poll to finish", func() bool {
		return logs.Count("info", "poll finished")+logs.Count("warn", "poll finished") >= 1
	})
	before := skipped()
	waitFor(t, 10*time.Second, "two more timer ticks skipped", func() bool { return skipped() >= before+2 })
	if n := lists.count(); n != 1 {
		t.Errorf("after one poll asked for, the list was read %d times, want 1", n)
	}

	// Resumed: polled again by the timer.
	put(syndicator.SourceControl{Paused: false})
	waitFor(t, 10*time.Second, "polls after the resume", func() bool { return lists.count() >= 3 })
	if events := discovered(t, h.bus, "gov"); len(events) != len(releasesOf(h.sim, sim.GovCN)) {
		t.Errorf("%d discovered events, want every release once", len(events))
	}

	cancel()
	waitReturn(t, done, 3*time.Second)
	if err := <-ctlDone; err != nil {
		t.Errorf("Controls.Run returned %v", err)
	}
}
