package natsbus_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
)

// TestBusCallsReturnWhenCancelledWhileServerIsSilent: every call a sink,
// the decider or the ledger makes returns as soon as its context is
// cancelled while the server has gone silent, so ConsumerSpec.ShutdownGrace
// bounds shutdown. Each call is cancelled only once its request is on the
// wire, so it is waiting for an answer that never comes.
func TestBusCallsReturnWhenCancelledWhileServerIsSilent(t *testing.T) {
	srv := natstest.Embedded(t)
	direct := connect(t, srv)
	ctx := context.Background()
	if err := direct.PutClaim(ctx, "orig/a", []byte("<html>正文</html>")); err != nil {
		t.Fatal(err)
	}
	if err := direct.PutState(ctx, syndicator.BucketDocs, "d1", map[string]int{"n": 1}); err != nil {
		t.Fatal(err)
	}
	var v map[string]int
	for _, tc := range []struct {
		name string
		sent string // what the call sends before it waits
		call func(ctx context.Context, b *natsbus.Bus) error
		// loop: a follower, which ends without an error when ctx ends.
		loop bool
		// freezeOn, when set, lets the call's first answers through and
		// freezes on this one instead of freezing at once.
		freezeOn string
	}{
		{"Publish", "synd.item.discovered.src", func(ctx context.Context, b *natsbus.Bus) error {
			_, err := b.Publish(ctx, event("p1", "p1"))
			return err
		}, false, ""},
		{"GetClaim", "$JS.API.DIRECT.GET.OBJ_synd_captures", func(ctx context.Context, b *natsbus.Bus) error {
			_, err := b.GetClaim(ctx, "orig/a")
			return err
		}, false, ""},
		{"PutClaim", "$JS.API.DIRECT.GET.OBJ_synd_captures", func(ctx context.Context, b *natsbus.Bus) error {
			return b.PutClaim(ctx, "orig/b", []byte("b"))
		}, false, ""},
		{"PutClaim waiting for its acks", "", func(ctx context.Context, b *natsbus.Bus) error {
			return b.PutClaim(ctx, "orig/c", claimWithMarker("c"))
		}, false, `"stream":"OBJ_synd_captures"`},
		{"GetState", "$JS.API.DIRECT.GET.KV_synd_docs", func(ctx context.Context, b *natsbus.Bus) error {
			_, err := b.GetState(ctx, syndicator.BucketDocs, "d1", &v)
			return err
		}, false, ""},
		{"PutState", "$KV.synd_docs.d2", func(ctx context.Context, b *natsbus.Bus) error {
			return b.PutState(ctx, syndicator.BucketDocs, "d2", map[string]int{"n": 2})
		}, false, ""},
		{"CreateState", "$KV.synd_docs.d3", func(ctx context.Context, b *natsbus.Bus) error {
			_, err := b.CreateState(ctx, syndicator.BucketDocs, "d3", map[string]int{"n": 3})
			return err
		}, false, ""},
		{"UpdateState", "$JS.API.DIRECT.GET.KV_synd_docs", func(ctx context.Context, b *natsbus.Bus) error {
			return b.UpdateState(ctx, syndicator.BucketDocs, "d1", &v, func(bool) (bool, error) { return true, nil })
		}, false, ""},
		{"EachState", "$JS.API.CONSUMER.CREATE.KV_synd_docs", func(ctx context.Context, b *natsbus.Bus) error {
			return b.EachState(ctx, syndicator.BucketDocs, ">", func(string, []byte) error { return nil })
		}, false, ""},
		{"LastEntry", "$JS.API.STREAM.INFO.SYND_AUDIT", func(ctx context.Context, b *natsbus.Bus) error {
			_, _, err := b.LastEntry(ctx)
			return err
		}, false, ""},
		{"AppendEntry", syndicator.SubjectAuditEntry, func(ctx context.Context, b *natsbus.Bus) error {
			_, err := b.AppendEntry(ctx, []byte("{}"), 0)
			return err
		}, false, ""},
		{"ReadAll", "$JS.API.STREAM.INFO.SYND_EVENTS", func(ctx context.Context, b *natsbus.Bus) error {
			return b.ReadAll(ctx, natsbus.StreamEvents, "synd.item.>", func(string, []byte) error { return nil })
		}, false, ""},
		{"Stats", "$JS.API.STREAM.INFO.SYND_EVENTS", func(ctx context.Context, b *natsbus.Bus) error {
			_, err := b.Stats(ctx, "archive")
			return err
		}, false, ""},
		{"FollowEvents", "$JS.API.STREAM.INFO.SYND_EVENTS", func(ctx context.Context, b *natsbus.Bus) error {
			return b.FollowEvents(ctx, 1, func(uint64, string, []byte) error { return nil })
		}, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			proxy := natstest.NewProxy(t, srv)
			b := connect(t, proxy.URL())
			var sent <-chan struct{}
			if tc.freezeOn != "" {
				sent = proxy.FreezeOn(tc.freezeOn)
			} else {
				proxy.Freeze()
				sent = proxy.Sent(tc.sent)
			}

			ctx, cancel := context.WithTimeout(context.Background(), claimHandlerTimeout)
			defer cancel()
			errc := make(chan error, 1)
			go func() { errc <- tc.call(ctx, b) }()
			select {
			case <-sent:
			case err := <-errc:
				t.Fatalf("returned %v before it was cancelled, without an answer from the server", err)
			case <-time.After(20 * time.Second):
				t.Fatalf("%s never sent %s%s", tc.name, tc.sent, tc.freezeOn)
			}
			cancel()
			select {
			case err := <-errc:
				if tc.loop && err == nil {
					return
				}
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("returned %v, want context.Canceled", err)
				}
			case <-time.After(cancelBound):
				t.Fatalf("still blocked %s after its context was cancelled", cancelBound)
			}
		})
	}
}
