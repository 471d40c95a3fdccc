package crawler_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/crawler"
	"github.com/gyeco/syndicator/crawler/extract"
	"github.com/gyeco/syndicator/crawler/fetch"
	"github.com/rs/zerolog"
)

// baselines maps the URL of every discovered item of source to its
// baseline mark.
func baselines(t *testing.T, h *harness, source string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, ev := range discovered(t, h.bus, source) {
		it, err := h.bus.Item(context.Background(), &ev)
		if err != nil {
			t.Fatalf("item of %s: %v", ev.ID, err)
		}
		if it.Backfilled {
			t.Errorf("%s: a polled item marked backfilled", it.URL)
		}
		out[it.URL] = it.Baseline
	}
	return out
}

// publishOn publishes govsim releases until site has a new one.
func publishOn(h *harness, site string) sim.Release {
	var fresh sim.Release
	for fresh.Site != site {
		fresh = h.sim.Publish()
	}
	return fresh
}

func wantBaseline(t *testing.T, st crawler.SourceState, pending bool, note string) {
	t.Helper()
	b := st.Baseline
	switch {
	case b == nil:
		t.Errorf("state records no baseline: %+v", st)
	case b.Pending != pending || b.Note != note || b.TakenAt.IsZero() != (pending || note == crawler.BaselineInherited):
		t.Errorf("baseline %+v, want pending %v, note %q", *b, pending, note)
	}
}

// TestFirstPollIsTheBaseline: what is on a new source's lists at its first
// poll is history, marked baseline; a release published afterwards is not.
func TestFirstPollIsTheBaseline(t *testing.T) {
	t.Parallel()
	for _, tt := range sources {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, sim.Options{Seed: 3, Items: 4, LargeEvery: -1})
			c := h.crawler(t, source(t, tt.tmpl, "src", h.srv.URL), "owner-1")
			history := releasesOf(h.sim, tt.site)
			res := poll(t, c)
			if res.Err != nil || res.New != len(history) || res.Baseline != len(history) || !res.BaselineTaken {
				t.Fatalf("first poll = %+v, want %d new, all baseline, baseline taken", res, len(history))
			}
			wantBaseline(t, sourceState(t, h.bus, "src"), false, "")

			fresh := publishOn(h, tt.site)
			if res := poll(t, c); res.New != 1 || res.Baseline != 0 || res.BaselineTaken {
				t.Fatalf("poll after publishing = %+v, want 1 new, not baseline", res)
			}
			marks := baselines(t, h, "src")
			for _, r := range history {
				if !marks[h.canonical(t, r)] {
					t.Errorf("%s was on the list at the first poll but is not marked baseline", r.Path)
				}
			}
			if got, ok := marks[h.canonical(t, fresh)]; !ok || got {
				t.Errorf("the release published after the first poll: announced %v, baseline %v; want announced, not baseline", ok, got)
			}
		})
	}
}

// TestBaselineOff: baseline: false announces the first poll's items as
// new releases, and records that the first poll is over, so turning the
// key on later does not make the next poll a baseline.
func TestBaselineOff(t *testing.T) {
	t.Parallel()
	h := newHarness(t, sim.Options{Seed: 3, Items: 4, LargeEvery: -1})
	src := source(t, govcnSource+"    baseline: false\n", "src", h.srv.URL)
	if src.TakesBaseline() {
		t.Fatal("baseline: false not read")
	}
	res := poll(t, h.crawler(t, src, "owner-1"))
	if res.New == 0 || res.Baseline != 0 {
		t.Fatalf("first poll = %+v, want items, none baseline", res)
	}
	for u, b := range baselines(t, h, "src") {
		if b {
			t.Errorf("%s marked baseline although the source says baseline: false", u)
		}
	}
	wantBaseline(t, sourceState(t, h.bus, "src"), false, crawler.BaselineDisabled)

	on := true
	src.Baseline = &on
	fresh := publishOn(h, sim.GovCN)
	if res := poll(t, h.crawler(t, src, "owner-1")); res.New != 1 || res.Baseline != 0 {
		t.Fatalf("poll after turning baseline on = %+v, want the new release, not baseline", res)
	}
	if baselines(t, h, "src")[h.canonical(t, fresh)] {
		t.Error("a release published after the first poll is marked baseline")
	}
}

// TestBaselineWaitsForAReadableList: a first poll that cannot read the
// list takes no baseline; the first poll that can takes it. With two
// lists, one unreadable, the baseline waits for both.
func TestBaselineWaitsForAReadableList(t *testing.T) {
	t.Parallel()
	h := newHarness(t, sim.Options{Seed: 11, Items: 8, LargeEvery: -1})
	src := source(t, guizhouSource, "gz", h.srv.URL)
	c := h.crawler(t, src, "owner-1")
	qff, qfbf := src.Resolved.ListURLs[0], src.Resolved.ListURLs[1]

	h.faults.set(qff.Path, http.StatusInternalServerError)
	h.faults.set(qfbf.Path, http.StatusInternalServerError)
	if res := poll(t, c); res.Err == nil || res.New != 0 || res.BaselineTaken {
		t.Fatalf("poll with the lists down = %+v, want an error, nothing new, no baseline", res)
	}
	st := sourceState(t, h.bus, "gz")
	if st.State != crawler.HealthFailing {
		t.Errorf("state %q, want failing", st.State)
	}
	wantBaseline(t, st, true, "")

	// One list comes back: its items are baseline, the baseline still waits.
	h.faults.set(qfbf.Path, 0)
	res := poll(t, c)
	if res.Err == nil || res.New == 0 || res.Baseline != res.New || res.BaselineTaken {
		t.Fatalf("poll with one list down = %+v, want its items baseline, baseline not taken", res)
	}
	wantBaseline(t, sourceState(t, h.bus, "gz"), true, "")

	h.faults.set(qff.Path, 0)
	res = poll(t, c)
	if res.Err != nil || res.New == 0 || res.Baseline != res.New || !res.BaselineTaken {
		t.Fatalf("first poll reading every list = %+v, want its items baseline and the baseline taken", res)
	}
	wantBaseline(t, sourceState(t, h.bus, "gz"), false, "")
	history := releasesOf(h.sim, sim.Guizhou)

	fresh := publishOn(h, sim.Guizhou)
	if res := poll(t, c); res.New != 1 || res.Baseline != 0 {
		t.Fatalf("poll after publishing = %+v, want 1 new, not baseline", res)
	}
	marks := baselines(t, h, "gz")
	if len(marks) != len(history)+1 {
		t.Errorf("%d items announced, want %d", len(marks), len(history)+1)
	}
	for _, r := range history {
		if !marks[h.canonical(t, r)] {
			t.Errorf("%s (listed before the first successful poll ended) not marked baseline", r.Path)
		}
	}
	if marks[h.canonical(t, fresh)] {
		t.Errorf("%s, published after the baseline, marked baseline", fresh.Path)
	}
}

// TestFailedBaselineItemStaysBaseline: an item of the first poll whose page
// could not be read is announced as baseline when a later poll reads it,
// while a release published meanwhile is not.
func TestFailedBaselineItemStaysBaseline(t *testing.T) {
	t.Parallel()
	h := newHarness(t, sim.Options{Seed: 5, Items: 6, LargeEvery: -1})
	c := h.crawler(t, source(t, govcnSource, "src", h.srv.URL), "owner-1")
	all := releasesOf(h.sim, sim.GovCN)
	broken := all[len(all)/2]
	h.faults.set(broken.Path, http.StatusInternalServerError)
	if res := poll(t, c); res.Failed != 1 || res.New != len(all)-1 || !res.BaselineTaken {
		t.Fatalf("first poll = %+v, want one failed, the rest new, baseline taken", res)
	}
	if st := sourceState(t, h.bus, "src"); len(st.Retry) != 1 || !st.Retry[0].Baseline {
		t.Errorf("retry list %+v, want the broken item marked baseline", st.Retry)
	}
	h.faults.set(broken.Path, 0)
	fresh := publishOn(h, sim.GovCN)
	if res := poll(t, c); res.New != 2 || res.Baseline != 1 {
		t.Fatalf("poll after the fix = %+v, want 2 new, 1 of them baseline", res)
	}
	marks := baselines(t, h, "src")
	if !marks[h.canonical(t, broken)] || marks[h.canonical(t, fresh)] {
		t.Errorf("retried baseline item baseline %v (want true), new release %v (want false)",
			marks[h.canonical(t, broken)], marks[h.canonical(t, fresh)])
	}
}

// crashingState is the bus as state store, except that it loses the
// source's crawl state while crash is set: the process died after
// announcing the poll's items and before recording the poll.
type crashingState struct {
	crawler.StateStore
	mu    sync.Mutex
	crash bool
}

func (s *crashingState) PutState(ctx context.Context, bucket, key string, v any) error {
	s.mu.Lock()
	crash := s.crash
	s.mu.Unlock()
	if crash && bucket == "synd_sources" {
		return context.Canceled
	}
	return s.StateStore.PutState(ctx, bucket, key, v)
}

// TestCrashDuringTheBaselineRedoesIt: a first poll that dies before it is
// recorded is done again as baseline; the item it had not reached is
// marked baseline too.
func TestCrashDuringTheBaselineRedoesIt(t *testing.T) {
	t.Parallel()
	h := newHarness(t, sim.Options{Seed: 5, Items: 6, LargeEvery: -1})
	state := &crashingState{StateStore: h.bus, crash: true}
	f, err := fetch.New(fetch.Options{AllowPrivate: []string{h.host}, BackoffBase: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	c := crawler.New(source(t, govcnSource, "src", h.srv.URL), crawler.Deps{
		Fetch: f, Extract: extract.New(nil), Pub: h.bus, State: state, Leases: h.bus, Owner: "o", Log: zerolog.Nop(),
	})
	all := releasesOf(h.sim, sim.GovCN)
	unreached := all[len(all)-1]
	h.faults.set(unreached.Path, http.StatusInternalServerError)
	if res := poll(t, c); res.New != len(all)-1 {
		t.Fatalf("crashed first poll = %+v", res)
	}
	if found, _ := h.bus.GetState(context.Background(), "synd_sources", "src", &crawler.SourceState{}); found {
		t.Fatal("the crashed poll recorded the source state")
	}
	state.mu.Lock()
	state.crash = false
	state.mu.Unlock()
	h.faults.set(unreached.Path, 0)
	if res := poll(t, c); res.New != 1 || res.Baseline != 1 || !res.BaselineTaken {
		t.Fatalf("poll after the crash = %+v, want the unreached item, as baseline, and the baseline taken", res)
	}
	for u, b := range baselines(t, h, "src") {
		if !b {
			t.Errorf("%s not marked baseline", u)
		}
	}
}

// TestUpgradeKeepsAnExistingSourceNormal: a source crawled before
// baselines existed (its state has listed items but no baseline) is not
// given one: its next poll's new release is a normal one. A source whose
// old state never listed anything still takes its baseline.
func TestUpgradeKeepsAnExistingSourceNormal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// legacy rewrites the state as a version without baselines wrote it.
	legacy := func(t *testing.T, h *harness, id string) {
		t.Helper()
		st := sourceState(t, h.bus, id)
		st.Baseline = nil
		for i := range st.Retry {
			st.Retry[i].Baseline = false
		}
		if err := h.bus.PutState(ctx, "synd_sources", id, &st); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("crawled before", func(t *testing.T) {
		h := newHarness(t, sim.Options{Seed: 3, Items: 4, LargeEvery: -1})
		src := source(t, govcnSource, "src", h.srv.URL)
		off := false
		src.Baseline = &off // as the old version did: nothing marked
		if res := poll(t, h.crawler(t, src, "o")); res.New == 0 {
			t.Fatalf("first poll = %+v", res)
		}
		legacy(t, h, "src")

		fresh := publishOn(h, sim.GovCN)
		if res := poll(t, h.crawler(t, source(t, govcnSource, "src", h.srv.URL), "o")); res.New != 1 || res.Baseline != 0 || res.BaselineTaken {
			t.Fatalf("first poll after the upgrade = %+v, want 1 new, not baseline", res)
		}
		if baselines(t, h, "src")[h.canonical(t, fresh)] {
			t.Error("a new release after the upgrade is marked baseline")
		}
		wantBaseline(t, sourceState(t, h.bus, "src"), false, crawler.BaselineInherited)
	})
	t.Run("never listed", func(t *testing.T) {
		h := newHarness(t, sim.Options{Seed: 3, Items: 4, LargeEvery: -1})
		src := source(t, govcnSource, "src", h.srv.URL)
		list := src.Resolved.ListURLs[0]
		h.faults.set(list.Path, http.StatusServiceUnavailable)
		poll(t, h.crawler(t, src, "o"))
		legacy(t, h, "src")
		h.faults.set(list.Path, 0)
		res := poll(t, h.crawler(t, src, "o"))
		if res.New == 0 || res.Baseline != res.New || !res.BaselineTaken {
			t.Fatalf("first readable poll after the upgrade = %+v, want every item baseline", res)
		}
	})
}

// TestCorruptStateTakesNoBaseline: a source whose state cannot be decoded
// was crawled before; its items are not turned into a baseline.
func TestCorruptStateTakesNoBaseline(t *testing.T) {
	t.Parallel()
	h := newHarness(t, sim.Options{Seed: 3, Items: 3, LargeEvery: -1})
	if err := h.bus.PutState(context.Background(), "synd_sources", "src", map[string]any{"listed": "many"}); err != nil {
		t.Fatal(err)
	}
	res := poll(t, h.crawler(t, source(t, govcnSource, "src", h.srv.URL), "o"))
	if res.New == 0 || res.Baseline != 0 {
		t.Fatalf("poll over an undecodable state = %+v, want items, none baseline", res)
	}
	wantBaseline(t, sourceState(t, h.bus, "src"), false, crawler.BaselineInherited)
}

// unreadableState fails every read, as a NATS outage does.
type unreadableState struct{ crawler.StateStore }

func (unreadableState) GetState(context.Context, string, string, any) (bool, error) {
	return false, context.DeadlineExceeded
}

// TestUnreadableStatePollsNothing: without its state a known source would
// look new (and its items baseline), so the poll does nothing.
func TestUnreadableStatePollsNothing(t *testing.T) {
	h := newHarness(t, sim.Options{Seed: 3, Items: 3, LargeEvery: -1})
	f, err := fetch.New(fetch.Options{AllowPrivate: []string{h.host}})
	if err != nil {
		t.Fatal(err)
	}
	src := source(t, govcnSource, "src", h.srv.URL)
	c := crawler.New(src, crawler.Deps{Fetch: f, Extract: extract.New(nil), Pub: h.bus,
		State: unreadableState{h.bus}, Leases: h.bus, Owner: "o", Log: zerolog.Nop()})
	res := poll(t, c)
	if res.Err == nil || !strings.Contains(res.Err.Error(), "state") || res.Listed != 0 || res.New != 0 {
		t.Fatalf("poll = %+v, want an error naming the state and nothing done", res)
	}
	if n := len(discovered(t, h.bus, "src")); n != 0 {
		t.Errorf("%d items announced", n)
	}
}
