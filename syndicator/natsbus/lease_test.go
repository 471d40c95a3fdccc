package natsbus_test

import (
	"context"
	"errors"
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
