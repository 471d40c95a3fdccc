package natsbus_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/rs/zerolog"
)

// TestSweeperDeletesWhatEveryReaderPassed: item claims (large items ride
// by reference) are deleted once every durable consumer taking the events
// naming them has acked them and the ledger has recorded them; a claim a
// later event still names, or a review entry points at, is kept. A
// consumer holding a message back keeps only the events it takes.
func TestSweeperDeletesWhatEveryReaderPassed(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	b, err := natsbus.Connect(ctx, natstest.Embedded(t), "sweep-test", natsbus.Options{InlineLimit: 512}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)

	item := func(n int) *syndicator.Item {
		url := fmt.Sprintf("http://www.gov.cn/zhengce/content/202609/content_%d.htm", n)
		return &syndicator.Item{ID: syndicator.ItemID(url), Source: "govcn", URL: url, Revision: 1,
			Title: fmt.Sprintf("关于第%d项的通知", n), BodyText: strings.Repeat("政策正文", 200)}
	}
	publish := func(kind syndicator.Kind, it *syndicator.Item) string {
		t.Helper()
		ev := &syndicator.Event{Kind: kind, ID: it.ID, Revision: 1, Source: it.Source, At: time.Now().UTC(), Item: it}
		if _, err := b.Publish(ctx, ev); err != nil {
			t.Fatal(err)
		}
		ref, err := b.KeepItem(ctx, it) // the name Publish gave it
		if err != nil {
			t.Fatal(err)
		}
		return ref
	}
	x1, x2, x3 := item(1), item(2), item(3)
	refA := publish(syndicator.KindDiscovered, x1)
	refB := publish(syndicator.KindDiscovered, x2)
	if again := publish(syndicator.KindArchived, x2); again != refB { // a later event names B again
		t.Fatalf("the same item claim-checked as %s and %s", refB, again)
	}
	refC := publish(syndicator.KindDiscovered, x3)
	if err := b.PutState(ctx, syndicator.BucketReview, x3.ID, map[string]string{"item_ref": refC}); err != nil {
		t.Fatal(err)
	}

	// One durable reader of every event, held on the archived event of
	// item 2; one of archived events only, holding its first.
	release, releaseHolder := make(chan struct{}), make(chan struct{})
	handled := make(chan string, 16)
	cctx, stop := context.WithCancel(ctx)
	done := make(chan error, 2)
	go func() {
		done <- b.Consume(cctx, natsbus.ConsumerSpec{Durable: "holder", Subjects: []string{"synd.item.archived.>"}},
			func(ctx context.Context, ev *syndicator.Event, _ int) error {
				select {
				case <-releaseHolder:
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			})
	}()
	go func() {
		done <- b.Consume(cctx, natsbus.ConsumerSpec{Durable: "reader", Subjects: []string{"synd.item.>"}},
			func(ctx context.Context, ev *syndicator.Event, _ int) error {
				if ev.Kind == syndicator.KindArchived {
					select {
					case <-release:
					case <-ctx.Done():
						return ctx.Err()
					}
				}
				handled <- string(ev.Kind) + " " + ev.ID
				return nil
			})
	}()
	defer func() { stop(); <-done; <-done }()
	for range 2 {
		<-handled // discovered 1 and 2
	}

	// The ledger has recorded everything so far.
	ledgerAt := func(eventSeq uint64) {
		t.Helper()
		_, last, err := b.LastEntry(ctx)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := json.Marshal(map[string]any{"seq": last + 1, "event_seq": eventSeq})
		if _, err := b.AppendEntry(ctx, data, last); err != nil {
			t.Fatal(err)
		}
	}
	ledgerAt(4)

	gone := func(ref string) bool {
		t.Helper()
		_, err := b.GetClaim(ctx, ref)
		if err != nil && !errors.Is(err, syndicator.ErrClaimGone) {
			t.Fatalf("claim %s: %v", ref, err)
		}
		return err != nil
	}
	sw := natsbus.NewSweeper(b, time.Hour, zerolog.Nop())
	sweep := func() int {
		t.Helper()
		n, err := sw.Sweep(ctx)
		if err != nil {
			t.Fatalf("Sweep: %v", err)
		}
		return n
	}

	// The reader has acked events 1 and 2 and holds 3 (naming B again).
	natstest.WaitFor(t, 10*time.Second, "the reader's ack floor to pass event 2", func() (bool, string) {
		sweep()
		return gone(refA), "claim A still there"
	})
	if gone(refB) {
		t.Error("claim B was deleted while a pending event names it")
	}

	close(release)
	for range 2 {
		<-handled // archived 2, discovered 3
	}
	for range 3 {
		sweep()
	}
	if gone(refB) {
		t.Error("claim B was deleted while a consumer holds back the archived event naming it")
	}
	if gone(refC) {
		t.Error("claim C was deleted while a review entry points at it")
	}

	// An event the ledger has not recorded yet keeps its claim; the
	// holder, which does not take it, does not.
	x4 := item(4)
	refD := publish(syndicator.KindDiscovered, x4)
	<-handled
	for range 3 {
		sweep()
	}
	if gone(refD) {
		t.Error("claim D was deleted before the ledger recorded its event")
	}
	ledgerAt(5)
	natstest.WaitFor(t, 10*time.Second, "claim D to be swept once recorded", func() (bool, string) {
		sweep()
		return gone(refD), "claim D still there"
	})

	close(releaseHolder)
	natstest.WaitFor(t, 10*time.Second, "claim B to be swept once the holder acked", func() (bool, string) {
		sweep()
		return gone(refB), "claim B still there"
	})
	if gone(refC) {
		t.Error("claim C was deleted while a review entry points at it")
	}
}

// TestSweeperKeepsBodyClaims: the events of one revision name one body
// claim; the sweeper leaves it to the store's TTL once every reader has
// passed them (a dead letter retried later reads it), while it deletes an
// item claim they name.
func TestSweeperKeepsBodyClaims(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	b, err := natsbus.Connect(ctx, natstest.Embedded(t), "sweep-body-test", natsbus.Options{InlineLimit: 1 << 10}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	url := "http://www.gov.cn/zhengce/content/202609/content_9.htm"
	it := &syndicator.Item{ID: syndicator.ItemID(url), Source: "govcn", URL: url, Revision: 1,
		Title: "关于生态保护的通知", BodyHTML: "<p>" + strings.Repeat("政策正文", 2000) + "</p>", BodyText: strings.Repeat("政策正文", 2000)}
	big := *it
	big.Title = strings.Repeat("关于生态保护的通知", 100) // over InlineLimit without its body
	for _, ev := range []*syndicator.Event{
		{Kind: syndicator.KindDiscovered, ID: it.ID, Revision: 1, Source: it.Source, At: time.Now().UTC(), Item: it},
		{Kind: syndicator.KindArchived, ID: it.ID, Revision: 1, Source: it.Source, At: time.Now().UTC(), Item: &big},
	} {
		if _, err := b.Publish(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	evs := natstest.Events(t, b, "synd.item.>")
	if len(evs) != 2 || evs[0].BodyRef == "" || evs[1].BodyRef != evs[0].BodyRef || evs[1].ItemRef == "" {
		t.Fatalf("events %+v, want two naming one body claim, the second an item claim", evs)
	}
	body, item := evs[0].BodyRef, evs[1].ItemRef

	cctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	handled := make(chan struct{}, 2)
	go func() {
		done <- b.Consume(cctx, natsbus.ConsumerSpec{Durable: "reader", Subjects: []string{"synd.item.>"}},
			func(context.Context, *syndicator.Event, int) error { handled <- struct{}{}; return nil })
	}()
	defer func() { stop(); <-done }()
	<-handled
	<-handled
	// The sweeper starts at the lowest reader position: the ledger's,
	// before it records the events.
	sw := natsbus.NewSweeper(b, time.Hour, zerolog.Nop())
	if _, err := sw.Sweep(ctx); err != nil {
		t.Fatalf("Sweep: %v", err)
	}
	_, last, err := b.LastEntry(ctx)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(map[string]any{"seq": last + 1, "event_seq": 2})
	if _, err := b.AppendEntry(ctx, data, last); err != nil {
		t.Fatal(err)
	}
	gone := func(ref string) bool {
		t.Helper()
		_, err := b.GetClaim(ctx, ref)
		if err != nil && !errors.Is(err, syndicator.ErrClaimGone) {
			t.Fatalf("claim %s: %v", ref, err)
		}
		return err != nil
	}
	natstest.WaitFor(t, 10*time.Second, "the item claim to be swept once every reader passed", func() (bool, string) {
		if _, err := sw.Sweep(ctx); err != nil {
			t.Fatalf("Sweep: %v", err)
		}
		return gone(item), "item claim still there"
	})
	if gone(body) {
		t.Error("the body claim was swept; it is left to the store's TTL")
	}
	if got, err := b.Item(ctx, &evs[0]); err != nil || got.BodyText != it.BodyText {
		t.Errorf("the first event's item after the sweep: %v", err)
	}
}
