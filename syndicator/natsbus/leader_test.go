package natsbus_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
)

// connectCluster connects a bus with replicas 3 to cl once the cluster has
// elected its meta leader (a request made before then gets no answer, so
// each attempt is bounded, as the roles' dial bounds it), and a plain
// JetStream client to look at the streams with.
func connectCluster(ctx context.Context, t *testing.T, cl *natstest.Cluster) (*natsbus.Bus, jetstream.JetStream) {
	t.Helper()
	var bus *natsbus.Bus
	for {
		actx, acancel := context.WithTimeout(ctx, 5*time.Second)
		b, err := natsbus.Connect(actx, cl.URL(), "cluster-test", natsbus.Options{Replicas: 3}, zerolog.Nop())
		acancel()
		if err == nil {
			bus = b
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("connect to the cluster: %v", err)
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Cleanup(bus.Close)
	nc, err := nats.Connect(cl.URL(), nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return bus, js
}

// leaderOf is the server leading stream, as the stream's cluster info
// names it.
func leaderOf(ctx context.Context, t *testing.T, js jetstream.JetStream, stream string) string {
	t.Helper()
	s, err := js.Stream(ctx, stream)
	if err != nil {
		t.Fatalf("stream %s: %v", stream, err)
	}
	leader := ""
	if c := s.CachedInfo().Cluster; c != nil {
		leader = c.Leader
	}
	if leader == "" {
		t.Fatalf("stream %s has no leader", stream)
	}
	return leader
}

// killDuring runs work(i) for i in [0, n) on a goroutine and kills the
// leader of stream once from calls have returned, while the next ones are
// under way; the goroutine waits before call until (at the latest) the kill
// is done, so the rest of the calls meet the election. It returns the
// killed node.
func killDuring(ctx context.Context, t *testing.T, cl *natstest.Cluster, js jetstream.JetStream, stream string, n, from, until int, work func(i int)) *natstest.Node {
	t.Helper()
	reached, killed, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for i := range n {
			switch i {
			case from:
				close(reached)
			case until:
				<-killed
			}
			work(i)
		}
	}()
	// Let the goroutine run to its end should the test fail meanwhile.
	release := sync.OnceFunc(func() { close(killed) })
	defer release()
	<-reached
	node := cl.Node(leaderOf(ctx, t, js, stream))
	cl.Kill(node)
	release()
	<-done
	return node
}

// TestPublishSurvivesLeaderKillMidPublish publishes events one after the
// other, with no retry of its own, while the leader of SYND_EVENTS is
// killed: every Publish returns nil (the bus retries over the election),
// none reports a duplicate (they are all distinct; a retry after a lost
// ack is not one), and the stream holds each event exactly once. The
// killed node, started again, catches up.
func TestPublishSurvivesLeaderKillMidPublish(t *testing.T) {
	t.Parallel()
	cl := natstest.NewCluster(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()
	bus, js := connectCluster(ctx, t, cl)

	const n = 200
	id := func(i int) string { return fmt.Sprintf("%032x", i+1) }
	var mu sync.Mutex
	var failures []string
	start := time.Now()
	killed := killDuring(ctx, t, cl, js, natsbus.StreamEvents, n, 50, 60, func(i int) {
		ev := &syndicator.Event{Kind: syndicator.KindDiscovered, ID: id(i), Revision: 1, Source: "gov", At: time.Now()}
		dup, err := bus.Publish(ctx, ev)
		if err != nil || dup {
			mu.Lock()
			failures = append(failures, fmt.Sprintf("publish %d: duplicate %v, err %v", i, dup, err))
			mu.Unlock()
		}
	})
	t.Logf("%d events published across the leader's death in %s", n, time.Since(start).Round(time.Millisecond))
	for _, f := range failures {
		t.Error(f)
	}

	count := map[string]int{}
	if err := bus.ReadAll(ctx, natsbus.StreamEvents, syndicator.SubjectItems, func(_ string, data []byte) error {
		var ev syndicator.Event
		if err := json.Unmarshal(data, &ev); err != nil {
			return err
		}
		count[ev.ID]++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if c := count[id(i)]; c != 1 {
			t.Errorf("event %d stored %d times, want once", i, c)
		}
	}
	if len(count) != n {
		t.Errorf("%d distinct events stored, want %d", len(count), n)
	}
	if leader := leaderOf(ctx, t, js, natsbus.StreamEvents); leader == killed.Name {
		t.Errorf("the killed node %s still leads %s", leader, natsbus.StreamEvents)
	}

	cl.Start(killed)
	natstest.WaitEvery(t, 200*time.Millisecond, 30*time.Second, killed.Name+" caught up", func() (bool, string) {
		s, err := js.Stream(ctx, natsbus.StreamEvents)
		if err != nil {
			return false, err.Error()
		}
		info := s.CachedInfo()
		for _, p := range info.Cluster.Replicas {
			if p.Name == killed.Name {
				return p.Current && p.Lag == 0, fmt.Sprintf("%+v", *p)
			}
		}
		return false, fmt.Sprintf("%s not among the replicas of %+v", killed.Name, info.Cluster)
	})
}

// TestStateSurvivesLeaderKill creates, puts, reads and updates KV keys
// while the leader of the bucket's stream is killed: no call returns an
// error, each create reports created (a retry that finds its own lost
// write is not a conflict), each update is applied exactly once, and every
// value is there afterwards.
func TestStateSurvivesLeaderKill(t *testing.T) {
	t.Parallel()
	cl := natstest.NewCluster(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()
	bus, js := connectCluster(ctx, t, cl)

	const bucket = syndicator.BucketDocs
	type value struct {
		N    int    `json:"n"`
		Name string `json:"name"`
	}
	if err := bus.PutState(ctx, bucket, "counter", value{}); err != nil {
		t.Fatal(err)
	}
	const n = 40
	var mu sync.Mutex
	var failures []string
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		failures = append(failures, fmt.Sprintf(format, args...))
	}
	start := time.Now()
	killDuring(ctx, t, cl, js, "KV_"+bucket, n, 10, 12, func(i int) {
		key := fmt.Sprintf("c%d", i)
		created, err := bus.CreateState(ctx, bucket, key, value{N: i, Name: key})
		if err != nil || !created {
			fail("create %s: created %v, err %v", key, created, err)
		}
		if err := bus.PutState(ctx, bucket, "p"+key, value{N: i}); err != nil {
			fail("put p%s: %v", key, err)
		}
		var got value
		found, err := bus.GetState(ctx, bucket, key, &got)
		if err != nil || !found || got.N != i {
			fail("get %s: %+v found %v, err %v", key, got, found, err)
		}
		var c value
		if err := bus.UpdateState(ctx, bucket, "counter", &c, func(bool) (bool, error) {
			c.N++
			return true, nil
		}); err != nil {
			fail("update counter %d: %v", i, err)
		}
	})
	t.Logf("%d rounds of KV calls across the leader's death in %s", n, time.Since(start).Round(time.Millisecond))
	for _, f := range failures {
		t.Error(f)
	}

	if created, err := bus.CreateState(ctx, bucket, "c0", value{N: -1}); err != nil || created {
		t.Errorf("create of an existing key: created %v, err %v; want false, nil", created, err)
	}
	for i := range n {
		for _, key := range []string{fmt.Sprintf("c%d", i), fmt.Sprintf("pc%d", i)} {
			var got value
			if found, err := bus.GetState(ctx, bucket, key, &got); err != nil || !found || got.N != i {
				t.Errorf("%s after the election: %+v found %v, err %v", key, got, found, err)
			}
		}
	}
	var c value
	if _, err := bus.GetState(ctx, bucket, "counter", &c); err != nil || c.N != n {
		t.Errorf("counter after %d updates: %d (err %v); want each update applied once", n, c.N, err)
	}
}
