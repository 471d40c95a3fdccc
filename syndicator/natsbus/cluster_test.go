package natsbus_test

import (
	"context"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/nats-io/nats.go/jetstream"
)

// TestClusterReplicasAndLeaderLoss runs the topology on a real 3-node
// cluster with nats.replicas 3: every stream, bucket and the claim store
// has three replicas; the events stream's leader is killed right after an
// event was published, and the same event published again (as a crawler
// that did not see its ack would) and a new one are each stored exactly
// once once a new leader is elected.
func TestClusterReplicasAndLeaderLoss(t *testing.T) {
	t.Parallel()
	cl := natstest.NewCluster(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	bus, js := connectCluster(ctx, t, cl)
	for _, name := range []string{natsbus.StreamEvents, natsbus.StreamAudit, natsbus.StreamDead,
		"KV_" + syndicator.BucketSources, "KV_" + syndicator.BucketPolls, "OBJ_" + syndicator.ObjectCaptures} {
		s, err := js.Stream(ctx, name)
		if err != nil {
			t.Fatalf("stream %s: %v", name, err)
		}
		if r := s.CachedInfo().Config.Replicas; r != 3 {
			t.Errorf("stream %s has %d replicas, want 3", name, r)
		}
	}

	first := &syndicator.Event{Kind: syndicator.KindDiscovered, ID: "0123456789abcdef0123456789abcdef", Revision: 1, Source: "gov", At: time.Now()}
	if _, err := bus.Publish(ctx, first); err != nil {
		t.Fatal(err)
	}
	s, err := js.Stream(ctx, natsbus.StreamEvents)
	if err != nil {
		t.Fatal(err)
	}
	leader := s.CachedInfo().Cluster.Leader
	if leader == "" {
		t.Fatal("the events stream has no leader")
	}
	cl.Kill(cl.Node(leader))

	second := &syndicator.Event{Kind: syndicator.KindDiscovered, ID: "fedcba9876543210fedcba9876543210", Revision: 1, Source: "gov", At: time.Now()}
	for _, ev := range []*syndicator.Event{first, second} {
		// Until a new leader is elected a publish fails; the same
		// event again is what a crawler does then (the same Nats-Msg-Id).
		for {
			pctx, pcancel := context.WithTimeout(ctx, 2*time.Second)
			_, err := bus.Publish(pctx, ev)
			pcancel()
			if err == nil {
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("publish %s after the leader was killed: %v", ev.ID, err)
			}
		}
	}
	info, err := s.Info(ctx, jetstream.WithSubjectFilter(first.Subject()))
	if err != nil {
		t.Fatal(err)
	}
	if info.Cluster.Leader == leader || info.Cluster.Leader == "" {
		t.Errorf("leader %q after killing %q", info.Cluster.Leader, leader)
	}
	if got := info.State.Subjects[first.Subject()]; got != 2 {
		t.Errorf("%d events on %s, want 2 (each published event once)", got, first.Subject())
	}
}
