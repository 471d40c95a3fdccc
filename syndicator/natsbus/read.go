package natsbus

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// ReadAll calls fn for every message stored in stream whose subject
// matches filter, oldest first, and returns once it has reached the last
// matching message present when it started. Audits and tests read the record this way.
func (b *Bus) ReadAll(ctx context.Context, stream, filter string, fn func(subject string, data []byte) error) error {
	return b.readRange(ctx, stream, filter, 1, 0, func(_ uint64, subject string, data []byte) error {
		return fn(subject, data)
	})
}

// readRange calls fn for every message of stream matching filter with a
// sequence from from through to (to 0: the last matching message present
// when it started), oldest first.
func (b *Bus) readRange(ctx context.Context, stream, filter string, from, to uint64, fn func(seq uint64, subject string, data []byte) error) error {
	if to != 0 && from > to {
		return nil
	}
	cons, err := b.ordered(ctx, stream, filter, from)
	if err != nil {
		return fmt.Errorf("read %s from %d: %w", stream, from, err)
	}
	iter, err := cons.Messages(jetstream.PullMaxMessages(readAhead))
	if err != nil {
		return fmt.Errorf("read %s from %d: %w", stream, from, err)
	}
	defer iter.Stop()
	var ci *jetstream.ConsumerInfo
	err = b.retry(ctx, "read "+stream, func(ctx context.Context) (err error) {
		ci, err = cons.Info(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("read %s from %d: %w", stream, from, err)
	}
	if ci.NumPending == 0 {
		return nil
	}
	for {
		m, err := iter.Next(jetstream.NextContext(ctx))
		if err != nil {
			return fmt.Errorf("read %s from %d: %w", stream, from, err)
		}
		md, err := m.Metadata()
		if err != nil {
			return fmt.Errorf("read %s from %d: %w", stream, from, err)
		}
		seq := md.Sequence.Stream
		if to != 0 && seq > to {
			return nil
		}
		if err := fn(seq, m.Subject(), m.Data()); err != nil {
			return err
		}
		if seq == to || md.NumPending == 0 {
			return nil
		}
	}
}

// ordered is an ordered consumer of stream's messages matching filter from
// sequence from on. It keeps no state a reader must clean up: stopping its
// iterator leaves the server's consumer behind, and InactiveThreshold lets
// the server drop it soon after (so does an attempt at creating it whose
// answer was lost, before it was retried over a leader election).
func (b *Bus) ordered(ctx context.Context, stream, filter string, from uint64) (jetstream.Consumer, error) {
	cfg := jetstream.OrderedConsumerConfig{
		FilterSubjects:    []string{filter},
		DeliverPolicy:     jetstream.DeliverAllPolicy,
		InactiveThreshold: 30 * time.Second,
	}
	if from > 1 {
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, from
	}
	return b.orderedConsumer(ctx, stream, cfg)
}

// orderedConsumer creates an ordered consumer on stream, retrying over a
// leader election.
func (b *Bus) orderedConsumer(ctx context.Context, stream string, cfg jetstream.OrderedConsumerConfig) (jetstream.Consumer, error) {
	var s jetstream.Stream
	var cons jetstream.Consumer
	err := b.retry(ctx, "consumer on "+stream, func(ctx context.Context) (err error) {
		if s == nil {
			if s, err = b.js.Stream(ctx, stream); err != nil {
				return fmt.Errorf("stream %s: %w", stream, err)
			}
		}
		cons, err = s.OrderedConsumer(ctx, cfg)
		return err
	})
	return cons, err
}

// readAhead is how many messages a reader of a stream (ReadAll, Follow,
// FollowEvents) pulls ahead of its handler. Each is up to an event's size
// (InlineLimit): jetstream's default of 500 is 128 MB at that size, and
// held 60 MB per reader when events carried their bodies.
const readAhead = 64
