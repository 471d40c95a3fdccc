// Package sinktest is the contract every sink passes (DESIGN §5): the bus
// delivers at least once, so a sink must apply each event's effect exactly
// once however often and in whatever order it is handed the event, and
// must tell a failure worth retrying from one that is not.
//
// A sink's tests supply a Harness, which builds events and looks at the
// sink's downstream (a store, a docroot, a CMS), and call Run.
package sinktest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
)

// Failure is a kind of downstream failure a Harness can inject.
type Failure int

const (
	// Transient is a failure a retry can fix: a timeout, a 5xx, a full disk.
	Transient Failure = iota + 1
	// Permanent is one it cannot: a refusal, a 4xx, a conflicting object.
	Permanent
)

func (f Failure) String() string {
	switch f {
	case Transient:
		return "transient"
	case Permanent:
		return "permanent"
	}
	return "unknown"
}

// Partial is what Harness.Effects reports for an effect only partly
// visible downstream (some objects of a revision, a record without its
// announcement).
const Partial = -1

// Harness adapts one sink to the contract.
type Harness interface {
	// Event returns an event the sink acts on, for revision rev of item id
	// (the same content each time it is asked for the same id and rev).
	Event(t *testing.T, id string, rev int) *syndicator.Event
	// Handle is the sink's Handle.
	Handle(ctx context.Context, ev *syndicator.Event, attempt int) error
	// Effects counts how many times the effect of revision rev of item id
	// is visible downstream: 0 none, 1 once, more when repeated, or
	// Partial.
	Effects(t *testing.T, id string, rev int) int
	// Current is the revision of id the downstream presents now (0 none).
	Current(t *testing.T, id string) int
	// Fail makes the sink's next downstream call fail with f. A harness
	// may make it fail after part of the effect (halfway through the
	// writes, or after the CMS applied it but before it answered).
	Fail(t *testing.T, f Failure)
}

// timeout bounds one Handle call of the suite.
const timeout = 30 * time.Second

// newID names a test's item after the test, so every subtest of every Run
// (each under its own parent test) has its own.
func newID(t *testing.T) string {
	return syndicator.ItemID("https://sinktest.example.gov.cn/" + t.Name())
}

// Run runs the contract against h.
func Run(t *testing.T, h Harness) {
	t.Run("idempotency", func(t *testing.T) { idempotency(t, h) })
	t.Run("redelivery", func(t *testing.T) { redelivery(t, h) })
	t.Run("failure classification", func(t *testing.T) { classification(t, h) })
	t.Run("revision order", func(t *testing.T) { revisionOrder(t, h) })
}

func handle(t *testing.T, h Harness, ev *syndicator.Event, attempt int) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return h.Handle(ctx, ev, attempt)
}

func wantEffects(t *testing.T, h Harness, id string, rev, want int, when string) {
	t.Helper()
	if got := h.Effects(t, id, rev); got != want {
		t.Errorf("%s: effects of r%d = %d, want %d", when, rev, got, want)
	}
}

// idempotency: the same event handled twice (a redelivery after a lost
// ack) has one effect.
func idempotency(t *testing.T, h Harness) {
	id := newID(t)
	ev := h.Event(t, id, 1)
	if err := handle(t, h, ev, 1); err != nil {
		t.Fatalf("Handle: %v", err)
	}
	wantEffects(t, h, id, 1, 1, "after the first delivery")
	if err := handle(t, h, h.Event(t, id, 1), 2); err != nil {
		t.Fatalf("Handle again: %v", err)
	}
	wantEffects(t, h, id, 1, 1, "after the second delivery")
	if got := h.Current(t, id); got != 1 {
		t.Errorf("current revision %d, want 1", got)
	}
}

// redelivery: a transient failure is reported as retryable and leaves the
// effect absent or whole; the redelivery completes it exactly once.
func redelivery(t *testing.T, h Harness) {
	id := newID(t)
	ev := h.Event(t, id, 1)
	h.Fail(t, Transient)
	err := handle(t, h, ev, 1)
	if err == nil {
		t.Fatal("Handle with a failing downstream returned nil, want an error")
	}
	if syndicator.IsPermanent(err) {
		t.Fatalf("Handle = %v, a permanent error for a transient failure", err)
	}
	if got := h.Effects(t, id, 1); got != 0 && got != 1 {
		t.Errorf("after the failure: effects %d, want 0 (absent) or 1 (complete)", got)
	}
	if err := handle(t, h, h.Event(t, id, 1), 2); err != nil {
		t.Fatalf("redelivery: %v", err)
	}
	wantEffects(t, h, id, 1, 1, "after the redelivery")
	if err := handle(t, h, h.Event(t, id, 1), 3); err != nil {
		t.Fatalf("second redelivery: %v", err)
	}
	wantEffects(t, h, id, 1, 1, "after a second redelivery")
}

// classification: a permanent failure is reported as permanent, so the
// consumer dead-letters it instead of retrying for hours, and leaves no
// effect.
func classification(t *testing.T, h Harness) {
	id := newID(t)
	h.Fail(t, Permanent)
	err := handle(t, h, h.Event(t, id, 1), 1)
	if !syndicator.IsPermanent(err) {
		t.Fatalf("Handle = %v, want a permanent error", err)
	}
	wantEffects(t, h, id, 1, 0, "after a permanent failure")
	if got := h.Current(t, id); got != 0 {
		t.Errorf("current revision %d after a permanent failure, want 0", got)
	}
}

// revisionOrder: an older revision delivered after a newer one (a
// redelivery, or two workers) does not take its place.
func revisionOrder(t *testing.T, h Harness) {
	id := newID(t)
	if err := handle(t, h, h.Event(t, id, 2), 1); err != nil {
		t.Fatalf("Handle r2: %v", err)
	}
	wantEffects(t, h, id, 2, 1, "after r2")
	if err := handle(t, h, h.Event(t, id, 1), 1); err != nil {
		t.Fatalf("Handle r1 after r2: %v", err)
	}
	if got := h.Current(t, id); got != 2 {
		t.Errorf("current revision %d after r1 came late, want 2", got)
	}
	wantEffects(t, h, id, 2, 1, "after r1 came late")
}

// Fault is a one-shot failure for a harness's downstream wrapper: armed
// with an error, it lets skip calls through and fails the next one, so a
// failure can strike halfway through an effect. Safe for concurrent use.
type Fault struct {
	mu   sync.Mutex
	skip int
	err  error
}

// Arm makes the call after the next skip calls fail with err, once.
func (f *Fault) Arm(skip int, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.skip, f.err = skip, err
}

// Next is called by the wrapper before each downstream call; a non-nil
// error is the injected failure.
func (f *Fault) Next() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err == nil {
		return nil
	}
	if f.skip > 0 {
		f.skip--
		return nil
	}
	err := f.err
	f.err = nil
	return err
}
