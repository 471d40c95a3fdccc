package natsbus

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// jetStreamCheckTimeout bounds JetStreamReady when ctx has no sooner
// deadline: readiness probes must answer quickly.
const jetStreamCheckTimeout = 2 * time.Second

// JetStreamReady asks the server for this account's JetStream usage, the
// cheapest request only a working JetStream answers. It fails when the
// connection is down, when the server runs without JetStream, and when
// JetStream was stopped — as the embedded server's storage watcher does
// while its store cannot be written, and nats-server itself when a
// clustered server runs out of disk.
//
// On a cluster it also asks for the events stream's state, which only the
// stream's leader answers: a cluster that lost its quorum (two of three
// nodes down) has no leader for it, and nothing can be published or
// consumed, although a surviving server still answers the first request.
func (b *Bus) JetStreamReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, jetStreamCheckTimeout)
	defer cancel()
	if _, err := b.js.AccountInfo(ctx); err != nil {
		return fmt.Errorf("jetstream unavailable: %w", err)
	}
	if b.opts.Replicas > 1 {
		s, err := b.js.Stream(ctx, StreamEvents)
		if err != nil {
			return fmt.Errorf("jetstream unavailable: stream %s has no leader answering (has the cluster lost its quorum?): %w", StreamEvents, err)
		}
		if err := quorum(s.CachedInfo().Cluster, b.opts.Replicas); err != nil {
			return fmt.Errorf("jetstream unavailable: stream %s: %w", StreamEvents, err)
		}
	}
	return nil
}

// peerSilentAfter is how long a replica may go unheard before it counts as
// down: Raft leaders hear from their followers every second.
const peerSilentAfter = 3 * time.Second

// quorum checks that a stream's leader hears from a majority of its
// replicas, itself included. A leader whose followers died keeps
// answering for seconds before its election timer makes it step down, and
// meanwhile nothing it is asked to store can be acknowledged.
func quorum(c *jetstream.ClusterInfo, replicas int) error {
	if c == nil || c.Leader == "" {
		return fmt.Errorf("no leader (has the cluster lost its quorum?)")
	}
	live := 1 // the leader
	for _, p := range c.Replicas {
		if !p.Offline && p.Active < peerSilentAfter {
			live++
		}
	}
	if need := replicas/2 + 1; live < need {
		return fmt.Errorf("the leader %s hears from %d of %d replicas, itself included, and a quorum needs %d: the cluster has lost its quorum", c.Leader, live, replicas, need)
	}
	return nil
}
