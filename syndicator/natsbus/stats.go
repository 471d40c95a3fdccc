package natsbus

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// Stats is what the pipeline has done and what it owes, read from
// JetStream itself so any instance can report it.
type Stats struct {
	// Subjects counts stored messages per subject of SYND_EVENTS and
	// SYND_DEAD (e.g. synd.item.discovered.govcn-zuixin).
	Subjects map[string]uint64
	// Pending is, per sink consumer, messages not yet delivered plus
	// delivered but not yet acked: the sink's backlog.
	Pending map[string]uint64
}

// Stats reads message counts and consumer backlogs. consumers names the
// durable consumers to report; a consumer not created yet reports nothing.
func (b *Bus) Stats(ctx context.Context, consumers ...string) (Stats, error) {
	st := Stats{Subjects: map[string]uint64{}, Pending: map[string]uint64{}}
	for _, name := range []string{StreamEvents, StreamDead} {
		s, err := b.js.Stream(ctx, name)
		if err != nil {
			return st, fmt.Errorf("stats: stream %s: %w", name, err)
		}
		info, err := s.Info(ctx, jetstream.WithSubjectFilter(">"))
		if err != nil {
			return st, fmt.Errorf("stats: stream %s: %w", name, err)
		}
		for subj, n := range info.State.Subjects {
			st.Subjects[subj] = n
		}
	}
	for _, c := range consumers {
		ci, err := b.js.Consumer(ctx, StreamEvents, c)
		if errors.Is(err, jetstream.ErrConsumerNotFound) {
			continue
		}
		if err != nil {
			return st, fmt.Errorf("stats: consumer %s: %w", c, err)
		}
		info, err := ci.Info(ctx)
		if err != nil {
			return st, fmt.Errorf("stats: consumer %s: %w", c, err)
		}
		st.Pending[c] = info.NumPending + uint64(info.NumAckPending)
	}
	return st, nil
}
