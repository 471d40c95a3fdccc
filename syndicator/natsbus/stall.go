package natsbus

import (
	"context"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// A clustered consumer can keep a message pending without ever delivering
// it again: with nats-server v2.15.2 a run of the chaos harness (cmd/chaos)
// left two messages of the archive consumer unacknowledged for minutes
// after the cluster lost and regained its quorum (num_ack_pending 2 while
// every later message was delivered and acked), and a restart of the
// cluster delivered them at once. A consumer leader rebuilds its redelivery timers
// when it takes over, so watchStalls asks the leader to step down when the
// ack floor has not moved for stallAfter while messages are pending. A
// message that is merely retrying slowly (a NakWithDelay of minutes) holds
// the floor as well; for it the step-down only costs a leader election,
// and its delay, stored with the consumer's state, is kept.

// stallCheckEvery is how often a consumer's state is looked at.
const stallCheckEvery = 10 * time.Second

// stallAfter is how long the ack floor may rest with messages pending
// before the leader is asked to step down: fifteen ack waits, at least 30 s.
func stallAfter(ackWait time.Duration) time.Duration {
	return max(30*time.Second, 15*ackWait)
}

// stallWatch remembers the ack floor of one consumer between checks.
type stallWatch struct {
	after time.Duration
	floor uint64    // the ack floor's stream sequence at the last change
	since time.Time // when the floor last moved (or pending began)
}

// observe takes a look at the consumer's state at now and reports whether
// its leader should step down. Every process of a sink watches the same
// consumer: a leader elected less than after ago (another process's
// step-down, or a real election) is given its chance first.
func (w *stallWatch) observe(now time.Time, info *jetstream.ConsumerInfo) bool {
	if info.NumAckPending == 0 || info.AckFloor.Stream != w.floor || w.since.IsZero() {
		w.floor, w.since = info.AckFloor.Stream, now
		return false
	}
	if now.Sub(w.since) < w.after {
		return false
	}
	if c := info.Cluster; c == nil || c.Leader == "" {
		return false // not clustered, or no leader to ask right now
	} else if c.LeaderSince != nil && now.Sub(*c.LeaderSince) < w.after {
		return false
	}
	w.since = now // give the new leader its full time
	return true
}

// watchStalls checks durable's state every stallCheckEvery until ctx ends,
// and asks its leader to step down when it looks stalled.
func (b *Bus) watchStalls(ctx context.Context, durable string, ackWait time.Duration) {
	w := &stallWatch{after: stallAfter(ackWait)}
	t := time.NewTicker(stallCheckEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		info, err := b.consumerInfo(cctx, durable)
		if err == nil && w.observe(time.Now(), info) {
			b.log.Warn().Str("sink", durable).Uint64("ack_floor", info.AckFloor.Stream).Int("ack_pending", info.NumAckPending).
				Stringer("still_for", w.after).Str("leader", info.Cluster.Leader).
				Msg("consumer's ack floor has not moved with messages pending (retrying slowly, or forgotten by the server after a leader change); asking its leader to step down, which delivers again what is due")
			if _, err := b.nc.RequestWithContext(cctx, "$JS.API.CONSUMER.LEADER.STEPDOWN."+StreamEvents+"."+durable, nil); err != nil {
				b.log.Warn().Err(err).Str("sink", durable).Msg("consumer leader step-down not confirmed; trying again later")
			}
		}
		cancel()
	}
}

func (b *Bus) consumerInfo(ctx context.Context, durable string) (*jetstream.ConsumerInfo, error) {
	c, err := b.js.Consumer(ctx, StreamEvents, durable)
	if err != nil {
		return nil, err
	}
	return c.CachedInfo(), nil
}
