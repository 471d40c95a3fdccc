package natsbus_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/rs/zerolog"
)

// TestRetryAfterLostAnswer: a write reaches the server and is stored, but
// its answer is lost with the connection (the proxy holds it back, then
// the connection is cut). The bus retries, the retry meets the first
// attempt's effect, and each call reports what happened once: a publish
// is not a duplicate, a create created, an update is applied once, a
// ledger entry is appended (not a conflict), a lease is taken.
func TestRetryAfterLostAnswer(t *testing.T) {
	t.Parallel()
	// lose runs call with the first answer that carries marker lost, and
	// fails the test when call fails.
	lose := func(t *testing.T, p *natstest.Proxy, marker string, call func(ctx context.Context) error) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		frozen := p.FreezeOn(marker)
		errc := make(chan error, 1)
		go func() { errc <- call(ctx) }()
		select {
		case <-frozen:
		case err := <-errc:
			t.Fatalf("returned %v before its answer was held back", err)
		case <-ctx.Done():
			t.Fatalf("no answer with %s", marker)
		}
		p.Cut()
		if err := <-errc; err != nil {
			t.Fatalf("after the lost answer: %v", err)
		}
	}
	setup := func(t *testing.T) (*natsbus.Bus, *natstest.Proxy) {
		t.Parallel()
		srv := natstest.Embedded(t)
		p := natstest.NewProxy(t, srv)
		return connect(t, p.URL()), p
	}
	ctx := context.Background()

	t.Run("Publish", func(t *testing.T) {
		b, p := setup(t)
		ev := event("lost1", "正文")
		var dup bool
		lose(t, p, `"stream":"SYND_EVENTS"`, func(ctx context.Context) (err error) {
			dup, err = b.Publish(ctx, ev)
			return err
		})
		if dup {
			t.Error("a publish whose first ack was lost reports a duplicate of itself")
		}
		if dup, err := b.Publish(ctx, ev); err != nil || !dup {
			t.Errorf("the same event again: duplicate %v, err %v; want a duplicate", dup, err)
		}
		if evs := natstest.Events(t, b, syndicator.SubjectItems); len(evs) != 1 {
			t.Errorf("%d events stored, want 1", len(evs))
		}
	})

	t.Run("CreateState", func(t *testing.T) {
		b, p := setup(t)
		var created bool
		lose(t, p, `"stream":"KV_synd_docs"`, func(ctx context.Context) (err error) {
			created, err = b.CreateState(ctx, syndicator.BucketDocs, "d1", map[string]int{"n": 1})
			return err
		})
		if !created {
			t.Error("a create whose first answer was lost reports the key existed")
		}
		if created, err := b.CreateState(ctx, syndicator.BucketDocs, "d1", map[string]int{"n": 1}); err != nil || created {
			t.Errorf("the same create again: created %v, err %v; want false", created, err)
		}
	})

	t.Run("UpdateState", func(t *testing.T) {
		b, p := setup(t)
		if err := b.PutState(ctx, syndicator.BucketDocs, "n", map[string]int{"n": 0}); err != nil {
			t.Fatal(err)
		}
		calls := 0
		lose(t, p, `"stream":"KV_synd_docs"`, func(ctx context.Context) error {
			var v map[string]int
			return b.UpdateState(ctx, syndicator.BucketDocs, "n", &v, func(bool) (bool, error) {
				calls++
				v["n"]++
				return true, nil
			})
		})
		var v map[string]int
		if _, err := b.GetState(ctx, syndicator.BucketDocs, "n", &v); err != nil || v["n"] != 1 || calls != 1 {
			t.Errorf("after one update: %v (err %v), change called %d times; want n 1, once", v, err, calls)
		}
	})

	t.Run("AppendEntry", func(t *testing.T) {
		b, p := setup(t)
		entry := []byte(`{"seq":1}`)
		var seq uint64
		lose(t, p, `"stream":"SYND_AUDIT"`, func(ctx context.Context) (err error) {
			seq, err = b.AppendEntry(ctx, entry, 0)
			return err
		})
		data, last, err := b.LastEntry(ctx)
		if err != nil || last != seq || !bytes.Equal(data, entry) {
			t.Errorf("last entry %s at %d (err %v); want %s at %d", data, last, err, entry, seq)
		}
	})

	t.Run("PublishHealth", func(t *testing.T) {
		b, p := setup(t)
		lose(t, p, `"stream":"SYND_EVENTS"`, func(ctx context.Context) error {
			return b.PublishHealth(ctx, &syndicator.HealthEvent{Source: "src", State: "failing", At: time.Now()})
		})
		n := 0
		if err := b.ReadAll(ctx, natsbus.StreamEvents, syndicator.SubjectHealth("src"), func(_ string, data []byte) error {
			var h syndicator.HealthEvent
			n++
			return json.Unmarshal(data, &h)
		}); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("%d health events stored, want 1", n)
		}
	})

	t.Run("Acquire", func(t *testing.T) {
		b, p := setup(t)
		// The heartbeat runs already: the answer lost is the claim's.
		acquire(t, b, "source.warm", "a")
		var lost <-chan struct{}
		lose(t, p, `"stream":"KV_synd_leases"`, func(ctx context.Context) (err error) {
			lost, err = b.Acquire(ctx, "source.gov", "a")
			return err
		})
		if lost == nil || isClosed(lost) {
			t.Fatalf("an Acquire whose answer was lost did not take the lease (lost %v)", lost)
		}
		if who := claimOwner(t, leases(t, p.URL()), "source.gov"); who != "a" {
			t.Errorf("the lease names %q, want a", who)
		}
		b2 := connect(t, p.URL())
		if lost2, err := b2.Acquire(ctx, "source.gov", "b"); err != nil || lost2 != nil {
			t.Errorf("another owner took the lease held by a: %v, %v", lost2, err)
		}
	})
}

// TestConsumeWaitsForItsConsumer: a consumer that cannot be created (no
// answer from the server, as while the meta leader is lost) is tried
// again inside Consume, with a warning, instead of failing the component;
// once the server answers, the consumer is created and delivers.
func TestConsumeWaitsForItsConsumer(t *testing.T) {
	t.Parallel()
	srv := natstest.Embedded(t)
	p := natstest.NewProxy(t, srv)
	var logs natstest.LogBuffer
	cctx, ccancel := context.WithTimeout(context.Background(), 20*time.Second)
	b, err := natsbus.Connect(cctx, p.URL(), "test", natsbus.Options{}, zerolog.New(&logs))
	ccancel()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)

	sent := p.Sent("$JS.API.CONSUMER.CREATE." + natsbus.StreamEvents)
	p.Freeze()
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	got := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- b.Consume(ctx, natsbus.ConsumerSpec{Durable: "waits", Subjects: []string{"synd.item.discovered.>"}, Workers: 1},
			func(_ context.Context, ev *syndicator.Event, _ int) error {
				got <- ev.ID
				return nil
			})
	}()
	<-sent
	natstest.WaitEvery(t, 100*time.Millisecond, 15*time.Second, "a warning that the consumer cannot be created yet", func() (bool, string) {
		for _, rec := range logs.Records("warn") {
			if rec["op"] == "consumer waits" {
				return true, ""
			}
		}
		return false, logs.String()
	})
	select {
	case err := <-done:
		t.Fatalf("Consume returned %v while the server did not answer", err)
	default:
	}

	p.Cut()
	if _, err := connect(t, srv).Publish(ctx, event("late", "正文")); err != nil {
		t.Fatal(err)
	}
	select {
	case id := <-got:
		if id != "late" {
			t.Errorf("delivered %s, want late", id)
		}
	case err := <-done:
		t.Fatalf("Consume returned %v", err)
	case <-ctx.Done():
		t.Fatal("the event was never delivered once the server answered again")
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Consume returned %v at the end", err)
	}
}
