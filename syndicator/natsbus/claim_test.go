package natsbus_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// claimHandlerTimeout is what a handler's context carries: the default
// ConsumerSpec.HandlerTimeout. A call that only gives up at its context's
// deadline would hang this long.
const claimHandlerTimeout = 10 * time.Minute

// cancelBound is how soon a call must return once its context is cancelled.
const cancelBound = 10 * time.Second

func freezeMarker(t *testing.T) string {
	t.Helper()
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "freeze-" + hex.EncodeToString(b)
}

// claimWithMarker is a claim of several chunks (128 KiB each) whose third
// chunk carries marker, so a proxy frozen on it stops the read mid-object.
func claimWithMarker(marker string) []byte {
	data := bytes.Repeat([]byte("政策正文"), 300<<10/12)
	return append(append(data, marker...), bytes.Repeat([]byte("x"), 1000)...)
}

// waitFrozen fails the test unless ch is closed within d.
func waitFrozen(t *testing.T, ch <-chan struct{}, d time.Duration, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(d):
		t.Fatalf("timed out after %s waiting for %s", d, what)
	}
}

// TestGetClaimReturnsWhenCancelledWhileServerIsSilent: a claim read whose
// answer never comes (the server went quiet after the object's info, or
// halfway through its chunks) ends as soon as its context is cancelled,
// not at the context's deadline.
func TestGetClaimReturnsWhenCancelledWhileServerIsSilent(t *testing.T) {
	srv := natstest.Embedded(t)
	direct := connect(t, srv)
	for _, tc := range []struct {
		name string
		// claim returns the name and bytes to store, given the marker
		// the proxy freezes on.
		claim func(marker string) (string, []byte)
	}{
		{"info", func(m string) (string, []byte) { return "orig/" + m, []byte("<html>正文</html>") }},
		{"chunks", func(m string) (string, []byte) { return "orig/chunks", claimWithMarker(m) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := freezeMarker(t)
			name, data := tc.claim(m)
			if err := direct.PutClaim(context.Background(), name, data); err != nil {
				t.Fatal(err)
			}
			proxy := natstest.NewProxy(t, srv)
			b := connect(t, proxy.URL())
			frozen := proxy.FreezeOn(m)

			ctx, cancel := context.WithTimeout(context.Background(), claimHandlerTimeout)
			defer cancel()
			type result struct {
				data []byte
				err  error
			}
			res := make(chan result, 1)
			go func() {
				data, err := b.GetClaim(ctx, name)
				res <- result{data, err}
			}()
			waitFrozen(t, frozen, 20*time.Second, "the read to reach the frozen answer")
			cancel()
			select {
			case r := <-res:
				if !errors.Is(r.err, context.Canceled) {
					t.Fatalf("GetClaim returned %d bytes, %v; want context.Canceled", len(r.data), r.err)
				}
				if syndicator.IsPermanent(r.err) {
					t.Fatalf("a cancelled read is permanent: %v", r.err)
				}
			case <-time.After(cancelBound):
				t.Fatalf("GetClaim still blocked %s after its context was cancelled", cancelBound)
			}
		})
	}
}

// TestGetClaimReadsWhatWasStored: sizes around the 128 KiB chunk, an empty
// claim, and a missing one (permanent).
func TestGetClaimReadsWhatWasStored(t *testing.T) {
	t.Parallel()
	b := connect(t, natstest.Embedded(t))
	ctx := context.Background()
	for _, n := range []int{0, 1, 128 << 10, 128<<10 + 1, 1<<20 + 3} {
		data := make([]byte, n)
		if _, err := rand.Read(data); err != nil {
			t.Fatal(err)
		}
		name := "claim/" + strings.Repeat("n", 1+n%7)
		if err := b.PutClaim(ctx, name, data); err != nil {
			t.Fatal(err)
		}
		got, err := b.GetClaim(ctx, name)
		if err != nil {
			t.Fatalf("%d bytes: %v", n, err)
		}
		if !bytes.Equal(got, data) {
			t.Fatalf("%d bytes stored, read back %d different bytes", n, len(got))
		}
	}
	_, err := b.GetClaim(ctx, "never/stored")
	if !syndicator.IsPermanent(err) || !natsbus.IsNotFound(err) {
		t.Fatalf("missing claim: %v, want a permanent not-found error", err)
	}
}

// TestConsumeShutdownBoundedDuringClaimRead is the incident: a worker
// reading a claim from a server gone silent. Once Consume's context ends,
// Consume returns within ShutdownGrace (plus a margin), not at
// HandlerTimeout.
func TestConsumeShutdownBoundedDuringClaimRead(t *testing.T) {
	srv := natstest.Embedded(t)
	direct := connect(t, srv)
	m := freezeMarker(t)
	if err := direct.PutClaim(context.Background(), "orig/stuck", claimWithMarker(m)); err != nil {
		t.Fatal(err)
	}
	ev := event("stuck", "stuck")
	if _, err := direct.Publish(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	proxy := natstest.NewProxy(t, srv)
	b := connect(t, proxy.URL())
	frozen := proxy.FreezeOn(m)

	const grace = 300 * time.Millisecond
	spec := natsbus.ConsumerSpec{
		Durable: "claim-grace", Subjects: []string{"synd.item.discovered.>"}, Workers: 2,
		HandlerTimeout: claimHandlerTimeout, ShutdownGrace: grace,
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	handlerErr := make(chan error, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- b.Consume(ctx, spec, func(hctx context.Context, _ *syndicator.Event, _ int) error {
			_, err := b.GetClaim(hctx, "orig/stuck")
			handlerErr <- err
			return err
		})
	}()
	waitFrozen(t, frozen, 20*time.Second, "the handler's claim read to reach the frozen answer")
	// The clock starts before the cancel: Consume's grace starts with it,
	// and a time read after it could make a full grace look short.
	start := time.Now()
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("Consume returned %v", err)
		}
	case <-time.After(grace + cancelBound):
		t.Fatalf("Consume still waiting for the claim read %s after shutdown began (grace %s)", grace+cancelBound, grace)
	}
	if took := time.Since(start); took < grace {
		t.Errorf("Consume returned after %s, before the grace %s was over", took, grace)
	}
	if err := <-handlerErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("the claim read ended with %v, want context.Canceled at the grace", err)
	}
}

// TestDeleteClaim: a deleted claim reads as gone (ErrClaimGone, permanent),
// deleting it again is no error, and the same name can be stored again.
func TestDeleteClaim(t *testing.T) {
	b := connect(t, natstest.Embedded(t))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	data := claimWithMarker("delete")
	const name = "page/0123456789abcdef0123456789abcdef/r1/aa"
	if err := b.PutClaim(ctx, name, data); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := b.DeleteClaim(ctx, name); err != nil {
			t.Fatalf("DeleteClaim #%d: %v", i+1, err)
		}
	}
	if err := b.DeleteClaim(ctx, "page/never-stored"); err != nil {
		t.Errorf("DeleteClaim of a claim never stored: %v", err)
	}
	_, err := b.GetClaim(ctx, name)
	if !errors.Is(err, syndicator.ErrClaimGone) || !syndicator.IsPermanent(err) {
		t.Errorf("GetClaim after DeleteClaim = %v, want a permanent ErrClaimGone", err)
	}
	if err := b.PutClaim(ctx, name, data); err != nil {
		t.Fatalf("PutClaim after DeleteClaim: %v", err)
	}
	got, err := b.GetClaim(ctx, name)
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("GetClaim after storing again: %d bytes, err %v", len(got), err)
	}
}

// TestClaimReadsCreateNoConsumer: reading an event's item and body from
// the claim-check store (Bus.Item, GetClaim) takes direct gets only: the
// server's consumer count is the same before and after a hundred reads
// (jetstream's ObjectStore.Get would create and delete one per read).
func TestClaimReadsCreateNoConsumer(t *testing.T) {
	t.Parallel()
	url := natstest.Embedded(t)
	b := connect(t, url)
	ctx := context.Background()
	ev := event("0123456789abcdef0123456789abcdef", strings.Repeat("政策正文", 50_000)) // 600 KB: five chunks
	if _, err := b.Publish(ctx, ev); err != nil {
		t.Fatal(err)
	}
	got := natstest.Events(t, b, "synd.item.>")
	if len(got) != 1 || got[0].BodyRef == "" {
		t.Fatalf("events %+v, want one naming a body claim", got)
	}
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	consumers := func() int {
		t.Helper()
		info, err := js.AccountInfo(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return info.Consumers
	}
	before := consumers()
	for range 100 {
		it, err := b.Item(ctx, &got[0])
		if err != nil {
			t.Fatal(err)
		}
		if it.BodyText != ev.Item.BodyText {
			t.Fatalf("body of %d bytes read back as %d", len(ev.Item.BodyText), len(it.BodyText))
		}
	}
	if after := consumers(); after != before {
		t.Fatalf("%d consumers after 100 claim reads, %d before", after, before)
	}
}
