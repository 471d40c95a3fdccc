package natsbus_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/rs/zerolog"
)

func connect(t *testing.T, url string) *natsbus.Bus {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	b, err := natsbus.Connect(ctx, url, "test", natsbus.Options{}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

func event(id string, body string) *syndicator.Event {
	return &syndicator.Event{
		Kind: syndicator.KindDiscovered, ID: id, Revision: 1, Source: "src",
		At:   time.Now().UTC(),
		Item: &syndicator.Item{ID: id, Source: "src", Title: "标题", BodyText: body, Revision: 1},
	}
}

// TestPublishDeduplicatesAndClaimsLargeItems: a repeated publish is
// dropped; a small body rides in the event; a large body travels by body
// claim and the event keeps the rest of the item; an item too large even
// without its body travels whole by item claim. Bus.Item gives back the
// whole item in every case.
func TestPublishDeduplicatesAndClaimsLargeItems(t *testing.T) {
	t.Parallel()
	b := connect(t, natstest.Embedded(t))
	ctx := context.Background()

	dup, err := b.Publish(ctx, event("a1", "short"))
	if err != nil || dup {
		t.Fatalf("first publish: dup=%v err=%v", dup, err)
	}
	dup, err = b.Publish(ctx, event("a1", "short"))
	if err != nil || !dup {
		t.Fatalf("second publish: dup=%v err=%v, want duplicate", dup, err)
	}
	big := strings.Repeat("政策正文", 200_000) // 2.4 MB, over the 1 MB max payload
	if _, err := b.Publish(ctx, event("b2", big)); err != nil {
		t.Fatalf("large publish: %v", err)
	}
	huge := event("c3", big)
	for i := range 3000 { // ~300 KB of item without the body
		huge.Item.Attachments = append(huge.Item.Attachments, syndicator.Attachment{
			Name: fmt.Sprintf("附件%d：关于生态环境保护的实施细则", i), URL: fmt.Sprintf("https://www.gov.cn/x/P0%d.pdf", i)})
	}
	if _, err := b.Publish(ctx, huge); err != nil {
		t.Fatalf("huge publish: %v", err)
	}

	var got []syndicator.Event
	err = b.ReadAll(ctx, natsbus.StreamEvents, "synd.item.discovered.>", func(_ string, data []byte) error {
		if len(data) > 256<<10 {
			t.Errorf("event of %d bytes rode inline", len(data))
		}
		var ev syndicator.Event
		if err := json.Unmarshal(data, &ev); err != nil {
			return err
		}
		got = append(got, ev)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("stream holds %d discovered events, want 3 (one deduplicated)", len(got))
	}
	if got[0].Item == nil || got[0].Item.BodyText != "short" || got[0].BodyRef != "" || got[0].ItemRef != "" {
		t.Fatalf("small item not inline with its body: %+v", got[0])
	}
	if got[1].Item == nil || got[1].Item.Title != "标题" || got[1].Item.BodyText != "" || got[1].ItemRef != "" ||
		!strings.HasPrefix(got[1].BodyRef, "body/b2/r1/") {
		t.Fatalf("large body not passed by body claim: %+v", got[1])
	}
	if got[2].Item != nil || got[2].ItemRef == "" || got[2].BodyRef == "" {
		t.Fatalf("huge item not passed by item claim: %+v", got[2])
	}
	for i, want := range []string{"short", big, big} {
		it, err := b.Item(ctx, &got[i])
		if err != nil {
			t.Fatal(err)
		}
		if it.BodyText != want || it.Title != "标题" {
			t.Fatalf("event %d: item %q with a body of %d bytes, want 标题 and %d", i, it.Title, len(it.BodyText), len(want))
		}
	}
	if got[1].Item.BodyText != "" {
		t.Error("Bus.Item changed the event it was given")
	}
}

func TestConsumeRetriesTransientAndDeadLettersPermanent(t *testing.T) {
	b := connect(t, natstest.Embedded(t))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, id := range []string{"ok", "flaky", "bad"} {
		if _, err := b.Publish(ctx, event(id, id)); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	attempts := map[string]int{}
	done := map[string]bool{}
	spec := natsbus.ConsumerSpec{
		Durable: "t", Subjects: []string{"synd.item.discovered.>"},
		Backoff: []time.Duration{10 * time.Millisecond}, MaxDeliver: 5, Workers: 2,
	}
	errc := make(chan error, 1)
	go func() {
		errc <- b.Consume(ctx, spec, func(_ context.Context, ev *syndicator.Event, attempt int) error {
			mu.Lock()
			defer mu.Unlock()
			attempts[ev.ID] = attempt
			switch {
			case ev.ID == "flaky" && attempt < 3:
				return errors.New("minio down")
			case ev.ID == "bad":
				return syndicator.Permanent(errors.New("malformed"))
			}
			done[ev.ID] = true
			return nil
		})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		finished := done["ok"] && done["flaky"]
		mu.Unlock()
		var dead []natsbus.DeadLetter
		_ = b.ReadAll(ctx, natsbus.StreamDead, "synd.dead.>", func(_ string, data []byte) error {
			var d natsbus.DeadLetter
			if err := json.Unmarshal(data, &d); err != nil {
				return err
			}
			dead = append(dead, d)
			return nil
		})
		if finished && len(dead) == 1 {
			if !dead[0].Permanent || !strings.Contains(dead[0].Error, "malformed") {
				t.Fatalf("dead letter = %+v", dead[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("timeout: done=%v dead=%d", done, len(dead))
		}
		time.Sleep(20 * time.Millisecond)
	}
	mu.Lock()
	if attempts["flaky"] != 3 || attempts["bad"] != 1 || attempts["ok"] != 1 {
		t.Errorf("attempts = %v, want ok:1 flaky:3 bad:1", attempts)
	}
	mu.Unlock()
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("consume returned %v", err)
	}
}

func TestExternalServerProvisioningIsIdempotent(t *testing.T) {
	url := natstest.External(t)
	connect(t, url)
	b := connect(t, url) // a second role provisioning the same topology
	if _, err := b.Publish(context.Background(), event("x", "x")); err != nil {
		t.Fatal(err)
	}
}

// TestConsumeShutdownIsBounded: once ctx ends, a handler that finishes
// within ShutdownGrace is acked, one blocked on a vanished dependency is
// cut off at the grace (not at HandlerTimeout) and its message comes back.
func TestConsumeShutdownIsBounded(t *testing.T) {
	b := connect(t, natstest.Embedded(t))
	for _, id := range []string{"slow", "stuck"} {
		if _, err := b.Publish(context.Background(), event(id, id)); err != nil {
			t.Fatal(err)
		}
	}
	spec := natsbus.ConsumerSpec{
		Durable: "grace", Subjects: []string{"synd.item.discovered.>"}, Workers: 2,
		HandlerTimeout: time.Hour, ShutdownGrace: 500 * time.Millisecond,
		Backoff: []time.Duration{10 * time.Millisecond},
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started, shutdown := make(chan string, 2), make(chan struct{})
	var stuckErr error
	errc := make(chan error, 1)
	go func() {
		errc <- b.Consume(ctx, spec, func(hctx context.Context, ev *syndicator.Event, _ int) error {
			started <- ev.ID
			<-shutdown
			if ev.ID == "slow" {
				return nil // finishes inside the grace
			}
			<-hctx.Done()
			stuckErr = hctx.Err()
			return hctx.Err()
		})
	}()
	for range 2 {
		select {
		case <-started:
		case <-time.After(10 * time.Second):
			t.Fatal("handlers did not start")
		}
	}
	cancel()
	close(shutdown)
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("consume returned %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Consume still waiting for a blocked handler 30s after shutdown began")
	}
	if !errors.Is(stuckErr, context.Canceled) {
		t.Fatalf("blocked handler's context ended with %v, want canceled by the grace", stuckErr)
	}

	// A fresh consumer gets the cut-off message again, not the acked one.
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	again := make(chan string, 4)
	go func() {
		errc <- b.Consume(ctx2, spec, func(_ context.Context, ev *syndicator.Event, attempt int) error {
			again <- fmt.Sprintf("%s#%d", ev.ID, attempt)
			return nil
		})
	}()
	select {
	case got := <-again:
		if got != "stuck#2" {
			t.Fatalf("redelivered %s, want stuck#2", got)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the cut-off message was not redelivered")
	}
	select {
	case got := <-again:
		t.Fatalf("also redelivered %s: the message finished within the grace was not acked", got)
	case <-time.After(time.Second):
	}
	cancel2()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}
