package natsbus_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
)

// cutByShutdown runs spec's consumer until its one handler has started,
// ends it, and returns once Consume has: the handler waits on its own
// context, so the shutdown grace cuts it.
func cutByShutdown(t *testing.T, b *natsbus.Bus, spec natsbus.ConsumerSpec) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started := make(chan struct{}, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- b.Consume(ctx, spec, func(hctx context.Context, _ *syndicator.Event, _ int) error {
			started <- struct{}{}
			<-hctx.Done()
			return hctx.Err()
		})
	}()
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("handler did not start")
	}
	cancel()
	select {
	case <-errc:
	case <-time.After(20 * time.Second):
		t.Fatal("consume did not return after shutdown")
	}
}

// TestShutdownHandsBackWithoutBackoff: a handler cut short by shutdown
// says nothing about its message, which must come back at once (not after
// the hour of backoff a failure would earn), and not as a dead letter.
func TestShutdownHandsBackWithoutBackoff(t *testing.T) {
	b := connect(t, natstest.Embedded(t))
	if _, err := b.Publish(context.Background(), event("cut", "正文")); err != nil {
		t.Fatal(err)
	}
	spec := natsbus.ConsumerSpec{
		Durable: "cut", Subjects: []string{"synd.item.discovered.>"}, Workers: 1,
		ShutdownGrace: 100 * time.Millisecond, Backoff: []time.Duration{time.Hour}, MaxDeliver: 5,
	}
	cutByShutdown(t, b, spec)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan int, 1)
	done := make(chan error, 1)
	go func() {
		done <- b.Consume(ctx, spec, func(_ context.Context, _ *syndicator.Event, attempt int) error {
			got <- attempt
			return nil
		})
	}()
	select {
	case attempt := <-got:
		if attempt != 2 {
			t.Errorf("redelivered as attempt %d, want 2", attempt)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the message cut short by shutdown did not come back within 10s (held for the failure backoff?)")
	}
	cancel()
	<-done
	if n := deadLetters(t, b); n != 0 {
		t.Errorf("%d dead letters, want none", n)
	}
}

// TestShutdownOnLastDeliveryDeadLetters: on the last delivery the server
// would not deliver the message again, so a cut one must still leave its
// dead-letter record rather than vanish.
func TestShutdownOnLastDeliveryDeadLetters(t *testing.T) {
	b := connect(t, natstest.Embedded(t))
	if _, err := b.Publish(context.Background(), event("last", "正文")); err != nil {
		t.Fatal(err)
	}
	cutByShutdown(t, b, natsbus.ConsumerSpec{
		Durable: "last", Subjects: []string{"synd.item.discovered.>"}, Workers: 1,
		ShutdownGrace: 100 * time.Millisecond, MaxDeliver: 1,
	})
	if n := deadLetters(t, b); n != 1 {
		t.Errorf("%d dead letters, want 1", n)
	}
}

func deadLetters(t *testing.T, b *natsbus.Bus) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n := 0
	err := b.ReadAll(ctx, natsbus.StreamDead, "synd.dead.>", func(_ string, data []byte) error {
		var d natsbus.DeadLetter
		if err := json.Unmarshal(data, &d); err != nil {
			return err
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPanickingHandlerIsRetried: a handler that panics fails its message
// like an error would (retried, then dead-lettered) instead of ending the
// process.
func TestPanickingHandlerIsRetried(t *testing.T) {
	b := connect(t, natstest.Embedded(t))
	if _, err := b.Publish(context.Background(), event("boom", "正文")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan int, 4)
	done := make(chan error, 1)
	go func() {
		done <- b.Consume(ctx, natsbus.ConsumerSpec{
			Durable: "boom", Subjects: []string{"synd.item.discovered.>"}, Workers: 1,
			Backoff: []time.Duration{10 * time.Millisecond}, MaxDeliver: 2,
		}, func(_ context.Context, _ *syndicator.Event, attempt int) error {
			got <- attempt
			panic(fmt.Sprintf("handler bug on attempt %d (injected)", attempt))
		})
	}()
	for want := 1; want <= 2; want++ {
		select {
		case attempt := <-got:
			if attempt != want {
				t.Fatalf("attempt %d, want %d", attempt, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("attempt %d never came", want)
		}
	}
	natstest.WaitFor(t, 10*time.Second, "a dead letter after the last attempt panicked", func() (bool, string) {
		n := deadLetters(t, b)
		return n == 1, fmt.Sprintf("%d dead letters", n)
	})
	cancel()
	if err := <-done; err != nil {
		t.Errorf("consume returned %v", err)
	}
}
