package natsbus

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// Delivered is one stored message handed to a follower: its sequence in
// the stream, its subject and bytes, and how many matching messages were
// stored after it when it was delivered (0: the follower has caught up).
type Delivered struct {
	Seq     uint64
	Subject string
	Data    []byte
	Pending uint64
}

// Follow calls fn for every message of stream matching filter with a
// sequence from from on, oldest first, and then for each new one as it is
// stored, until ctx ends (nil) or fn fails (its error). It keeps no state
// on the server: a follower that restarts passes the sequence after the
// last one it applied. Read models project the streams this way.
func (b *Bus) Follow(ctx context.Context, stream, filter string, from uint64, fn func(Delivered) error) error {
	cons, err := b.ordered(ctx, stream, filter, from)
	if err != nil {
		return fmt.Errorf("follow %s from %d: %w", stream, from, err)
	}
	iter, err := cons.Messages(jetstream.PullMaxMessages(readAhead))
	if err != nil {
		return fmt.Errorf("follow %s from %d: %w", stream, from, err)
	}
	defer iter.Stop()
	for {
		m, err := iter.Next(jetstream.NextContext(ctx))
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return fmt.Errorf("follow %s: %w", stream, err)
		}
		md, err := m.Metadata()
		if err != nil {
			return fmt.Errorf("follow %s: %w", stream, err)
		}
		if err := fn(Delivered{Seq: md.Sequence.Stream, Subject: m.Subject(), Data: m.Data(), Pending: md.NumPending}); err != nil {
			return err
		}
	}
}

// LastSeq is the sequence of the last message stored in stream (0 when
// it is empty): how far a follower must have read to be current.
func (b *Bus) LastSeq(ctx context.Context, stream string) (uint64, error) {
	var last uint64
	err := b.retry(ctx, "stream "+stream, func(ctx context.Context) error {
		// The lookup answers with the stream's info already.
		s, err := b.js.Stream(ctx, stream)
		if err != nil {
			return err
		}
		last = s.CachedInfo().State.LastSeq
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("stream %s: %w", stream, err)
	}
	return last, nil
}
