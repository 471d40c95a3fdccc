package natsbus_test

import (
	"context"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
)

// TestLastSeqOf: the last sequence on matching subjects, not the stream's,
// and 0 when nothing matches.
func TestLastSeqOf(t *testing.T) {
	t.Parallel()
	b := connect(t, natstest.Embedded(t))
	ctx := context.Background()
	if n, err := b.LastSeqOf(ctx, natsbus.StreamEvents, syndicator.SubjectItems); err != nil || n != 0 {
		t.Fatalf("empty stream: %d, %v", n, err)
	}
	ev := &syndicator.Event{Kind: syndicator.KindDiscovered, ID: "0123456789abcdef0123456789abcdef", Revision: 1, Source: "src",
		Item: &syndicator.Item{ID: "0123456789abcdef0123456789abcdef", Source: "src"}}
	if _, err := b.Publish(ctx, ev); err != nil {
		t.Fatal(err)
	}
	if err := b.PublishHealth(ctx, &syndicator.HealthEvent{Source: "src", State: "ok", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	item, err := b.LastSeqOf(ctx, natsbus.StreamEvents, syndicator.SubjectItems)
	if err != nil {
		t.Fatal(err)
	}
	last, err := b.LastSeq(ctx, natsbus.StreamEvents)
	if err != nil {
		t.Fatal(err)
	}
	if item != 1 || last != 2 {
		t.Errorf("last item event at %d, last message at %d; want 1 and 2", item, last)
	}
}
