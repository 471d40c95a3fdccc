package natsbus_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// leases opens synd_leases directly, to look at and plant lease records
// the way another process would leave them.
func leases(t *testing.T, url string) jetstream.KeyValue {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	kv, err := js.KeyValue(ctx, syndicator.BucketLeases)
	if err != nil {
		t.Fatal(err)
	}
	return kv
}

// owner returns who holds key now, "" when nobody does.
func owner(t *testing.T, kv jetstream.KeyValue, key string) string {
	t.Helper()
	e, err := kv.Get(context.Background(), key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return ""
	}
	if err != nil {
		t.Fatalf("read lease %s: %v", key, err)
	}
	return string(e.Value())
}

// hold runs Hold and reports whether fn ran.
func hold(t *testing.T, b *natsbus.Bus, key, who string, fn func(context.Context) error) (held, ran bool, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	held, err = b.Hold(ctx, key, who, func(ctx context.Context) error {
		ran = true
		return fn(ctx)
	})
	return held, ran, err
}

func nothing(context.Context) error { return nil }

func TestHoldRunsFnUnderTheLeaseAndReleasesIt(t *testing.T) {
	url := natstest.Embedded(t)
	b, kv := connect(t, url), leases(t, url)

	var during string
	held, ran, err := hold(t, b, "source.gov", "a", func(ctx context.Context) error {
		if ctx.Err() != nil {
			t.Errorf("fn got a done context: %v", ctx.Err())
		}
		during = owner(t, kv, "source.gov")
		return nil
	})
	if !held || !ran || err != nil {
		t.Fatalf("Hold = held %v, ran %v, err %v; want held, ran, nil", held, ran, err)
	}
	if during != "a" {
		t.Errorf("lease owner while fn ran = %q, want %q", during, "a")
	}
	if got := owner(t, kv, "source.gov"); got != "" {
		t.Errorf("lease owner after Hold returned = %q, want released", got)
	}
	if held, ran, err := hold(t, b, "source.gov", "b", nothing); !held || !ran || err != nil {
		t.Errorf("another owner after release: held %v, ran %v, err %v; want held and ran", held, ran, err)
	}
}

func TestHoldExcludesOtherOwners(t *testing.T) {
	url := natstest.Embedded(t)
	a, b := connect(t, url), connect(t, url) // two processes

	started, release := make(chan struct{}), make(chan struct{})
	var releaseOnce sync.Once
	unblock := func() { releaseOnce.Do(func() { close(release) }) }
	defer unblock()
	done := make(chan error, 1)
	go func() {
		held, err := a.Hold(context.Background(), "source.gov", "a", func(context.Context) error {
			close(started)
			<-release
			return nil
		})
		if err == nil && !held {
			err = errors.New("first owner did not get the lease")
		}
		done <- err
	}()
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("first owner's fn never ran")
	}

	held, ran, err := hold(t, b, "source.gov", "b", nothing)
	if held || ran || err != nil {
		t.Errorf("second owner while the first holds: held %v, ran %v, err %v; want not held, fn not run, nil", held, ran, err)
	}
	// Another key is independent.
	if held, ran, err := hold(t, b, "source.other", "b", nothing); !held || !ran || err != nil {
		t.Errorf("second owner on another key: held %v, ran %v, err %v; want held", held, ran, err)
	}

	unblock()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if held, ran, err := hold(t, b, "source.gov", "b", nothing); !held || !ran || err != nil {
		t.Errorf("second owner after release: held %v, ran %v, err %v; want held and ran", held, ran, err)
	}
}

// TestHoldTakesOverItsOwnStaleLease: an instance restarted with the same
// owner id finds the lease its earlier run left behind (it died before
// releasing) and takes it over instead of waiting for the TTL; any other
// owner still waits.
func TestHoldTakesOverItsOwnStaleLease(t *testing.T) {
	url := natstest.Embedded(t)
	b, kv := connect(t, url), leases(t, url)
	if _, err := kv.Create(context.Background(), "source.gov", []byte("host:1:aaaa")); err != nil {
		t.Fatal(err)
	}

	if held, ran, err := hold(t, b, "source.gov", "host:2:bbbb", nothing); held || ran || err != nil {
		t.Errorf("other owner on a stale lease: held %v, ran %v, err %v; want not held", held, ran, err)
	}
	var during string
	held, ran, err := hold(t, b, "source.gov", "host:1:aaaa", func(context.Context) error {
		during = owner(t, kv, "source.gov")
		return nil
	})
	if !held || !ran || err != nil {
		t.Fatalf("same owner on its stale lease: held %v, ran %v, err %v; want held and ran", held, ran, err)
	}
	if during != "host:1:aaaa" {
		t.Errorf("lease owner during the takeover = %q, want host:1:aaaa", during)
	}
	if got := owner(t, kv, "source.gov"); got != "" {
		t.Errorf("lease owner after the takeover returned = %q, want released", got)
	}
}

func TestHoldReturnsFnError(t *testing.T) {
	url := natstest.Embedded(t)
	b, kv := connect(t, url), leases(t, url)
	boom := errors.New("poll failed")

	held, ran, err := hold(t, b, "source.gov", "a", func(context.Context) error { return boom })
	if !held || !ran || !errors.Is(err, boom) {
		t.Errorf("Hold = held %v, ran %v, err %v; want held, ran, %v", held, ran, err, boom)
	}
	if got := owner(t, kv, "source.gov"); got != "" {
		t.Errorf("lease owner after fn failed = %q, want released", got)
	}
}

func TestHoldWithDoneContext(t *testing.T) {
	b := connect(t, natstest.Embedded(t))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	held, err := b.Hold(ctx, "source.gov", "a", func(context.Context) error { ran = true; return nil })
	if held || ran || err == nil {
		t.Errorf("Hold with a cancelled context: held %v, ran %v, err %v; want an error and fn not run", held, ran, err)
	}
}

// acquire runs Acquire with a bounded context.
func acquire(t *testing.T, b *natsbus.Bus, key, who string) <-chan struct{} {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	lost, err := b.Acquire(ctx, key, who)
	if err != nil {
		t.Fatalf("Acquire(%s, %s): %v", key, who, err)
	}
	return lost
}

// leaseWrites is how many records were ever written to synd_leases.
func leaseWrites(t *testing.T, kv jetstream.KeyValue) uint64 {
	t.Helper()
	st, err := kv.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st.(*jetstream.KeyValueBucketStatus).StreamInfo().State.LastSeq
}

// claimOwner is the owner named by a lease taken with Acquire, "" when
// there is none.
func claimOwner(t *testing.T, kv jetstream.KeyValue, key string) string {
	t.Helper()
	who, _, _ := strings.Cut(owner(t, kv, key), " ")
	return who
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// TestAcquireKeepsTheLeaseWithoutWrites: a lease taken with Acquire is
// held until released with no write per use (the connection's heartbeat
// is renewed every TTL/3, not per lease), excludes every other owner
// meanwhile, and is free at once when released.
func TestAcquireKeepsTheLeaseWithoutWrites(t *testing.T) {
	t.Parallel()
	url := natstest.Embedded(t)
	a, b, kv := connect(t, url), connect(t, url), leases(t, url)

	lost := acquire(t, a, "source.gov", "a")
	if lost == nil {
		t.Fatal("first owner did not get a free lease")
	}
	if got := claimOwner(t, kv, "source.gov"); got != "a" {
		t.Errorf("lease owner = %q, want a", got)
	}
	before := leaseWrites(t, kv)
	if again := acquire(t, a, "source.gov", "a"); again != lost {
		t.Error("the holder's second Acquire did not share its lease")
	}
	for _, who := range []string{"b", "c"} {
		if got := acquire(t, b, "source.gov", who); got != nil {
			t.Errorf("owner %s on another connection got a held lease", who)
		}
	}
	if got := acquire(t, a, "source.gov", "d"); got != nil {
		t.Error("another owner on the holder's connection got its lease")
	}
	time.Sleep(2 * time.Second) // uses of the lease; less than a heartbeat period
	if after := leaseWrites(t, kv); after != before {
		t.Errorf("%d records written to synd_leases while the lease was held, want 0", after-before)
	}
	if isClosed(lost) {
		t.Error("lease reported lost while held")
	}

	a.Release("source.gov", "a")
	if got := claimOwner(t, kv, "source.gov"); got != "a" {
		t.Errorf("lease owner after one of two Releases = %q, want a still", got)
	}
	a.Release("source.gov", "a")
	if got := claimOwner(t, kv, "source.gov"); got != "" {
		t.Errorf("lease owner after Release = %q, want none", got)
	}
	if got := acquire(t, b, "source.gov", "b"); got == nil {
		t.Error("another owner could not take a released lease")
	}
}

// TestAcquireTakesOverFromADeadHolder: a lease is held past the bucket's
// TTL (30 s) by the renewed heartbeat alone; then the holder's process
// dies (its connection is gone and nothing renews its heartbeat or
// releases its lease), and another owner gets the lease once the
// heartbeat expires, within the TTL and not before.
func TestAcquireTakesOverFromADeadHolder(t *testing.T) {
	t.Parallel()
	url := natstest.Embedded(t)
	a, b, kv := connect(t, url), connect(t, url), leases(t, url)
	lost := acquire(t, a, "source.gov", "a")
	if lost == nil {
		t.Fatal("first owner did not get a free lease")
	}
	time.Sleep(35 * time.Second) // past the TTL: renewals keep it
	if acquire(t, b, "source.gov", "b") != nil || isClosed(lost) {
		t.Fatal("the lease was not kept past the TTL by its heartbeat")
	}
	a.Close()
	died := time.Now()
	if acquire(t, b, "source.gov", "b") != nil {
		t.Fatal("another owner took the lease right after the holder died, before its heartbeat expired")
	}
	var took time.Duration
	natstest.WaitEvery(t, 500*time.Millisecond, 45*time.Second, "the other owner to take the lease over", func() (bool, string) {
		if acquire(t, b, "source.gov", "b") == nil {
			return false, "held by " + claimOwner(t, kv, "source.gov")
		}
		took = time.Since(died)
		return true, ""
	})
	if took > 31*time.Second {
		t.Errorf("took over %s after the holder died, want within the 30s TTL", took)
	}
	if got := claimOwner(t, kv, "source.gov"); got != "b" {
		t.Errorf("lease owner after the takeover = %q, want b", got)
	}
}

// TestAcquireTakesOverItsOwnStaleLease: an instance restarted with the
// same owner id finds the lease its earlier run left (alive heartbeat and
// all) and takes it over at once; any other owner waits.
func TestAcquireTakesOverItsOwnStaleLease(t *testing.T) {
	t.Parallel()
	url := natstest.Embedded(t)
	b, kv := connect(t, url), leases(t, url)
	ctx := context.Background()
	if _, err := kv.Put(ctx, "live.0123456789abcdef", []byte("live")); err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Put(ctx, "source.gov", []byte("host:1:aaaa 0123456789abcdef")); err != nil {
		t.Fatal(err)
	}
	if acquire(t, b, "source.gov", "host:2:bbbb") != nil {
		t.Error("another owner took a lease whose holder's heartbeat is alive")
	}
	if acquire(t, b, "source.gov", "host:1:aaaa") == nil {
		t.Error("the same owner did not take over its earlier run's lease")
	}
	if got := claimOwner(t, kv, "source.gov"); got != "host:1:aaaa" {
		t.Errorf("lease owner = %q, want host:1:aaaa", got)
	}
}

// TestAcquireReportsALostLease: when the heartbeat cannot be renewed
// (here someone removed it, as its expiry during a network partition
// would), every lease of the connection is reported lost at the next
// renewal, and can be taken again.
func TestAcquireReportsALostLease(t *testing.T) {
	t.Parallel()
	url := natstest.Embedded(t)
	a, kv := connect(t, url), leases(t, url)
	lost := acquire(t, a, "source.gov", "a")
	if lost == nil {
		t.Fatal("first owner did not get a free lease")
	}
	_, token, _ := strings.Cut(owner(t, kv, "source.gov"), " ")
	if err := kv.Delete(context.Background(), "live."+token); err != nil {
		t.Fatal(err)
	}
	select {
	case <-lost:
	case <-time.After(15 * time.Second):
		t.Fatal("lease not reported lost 15s after its heartbeat was removed")
	}
	again := acquire(t, a, "source.gov", "a")
	if again == nil || isClosed(again) {
		t.Error("the lease could not be taken again after it was lost")
	}
}

// TestAcquireOneOwnerAtATimeOnOneConnection: two owners on one connection
// asking for a free key at the same moment. Exactly one gets it, and its
// lease is not cut short by the other's attempt (which would read the
// winner's record as one its own connection left behind).
func TestAcquireOneOwnerAtATimeOnOneConnection(t *testing.T) {
	t.Parallel()
	url := natstest.Embedded(t)
	a := connect(t, url)
	for i := range 20 {
		key := fmt.Sprintf("source.s%d", i)
		got := make(chan (<-chan struct{}), 2)
		for _, owner := range []string{"x", "y"} {
			go func() {
				lost, err := a.Acquire(context.Background(), key, owner)
				if err != nil {
					t.Error(err)
				}
				got <- lost
			}()
		}
		var held []<-chan struct{}
		for range 2 {
			if lost := <-got; lost != nil {
				held = append(held, lost)
			}
		}
		if len(held) != 1 {
			t.Fatalf("%s: %d owners got the lease, want 1", key, len(held))
		}
		if isClosed(held[0]) {
			t.Fatalf("%s: the winner's lease was lost at once", key)
		}
	}
}
