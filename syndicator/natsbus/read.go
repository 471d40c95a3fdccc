package natsbus

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// ReadAll calls fn for every message stored in stream whose subject
// matches filter, oldest first, and returns once it has reached the last
// matching message present when it started. Audits and tests read the record this way.
func (b *Bus) ReadAll(ctx context.Context, stream, filter string, fn func(subject string, data []byte) error) error {
	s, err := b.js.Stream(ctx, stream)
	if err != nil {
		return fmt.Errorf("stream %s: %w", stream, err)
	}
	cons, err := s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{filter},
		DeliverPolicy:  jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return fmt.Errorf("read %s: %w", stream, err)
	}
	iter, err := cons.Messages()
	if err != nil {
		return fmt.Errorf("read %s: %w", stream, err)
	}
	defer iter.Stop()
	ci, err := cons.Info(ctx)
	if err != nil {
		return fmt.Errorf("read %s: %w", stream, err)
	}
	if ci.NumPending == 0 {
		return nil
	}
	for {
		m, err := iter.Next(jetstream.NextContext(ctx))
		if err != nil {
			return fmt.Errorf("read %s: %w", stream, err)
		}
		md, err := m.Metadata()
		if err != nil {
			return fmt.Errorf("read %s: %w", stream, err)
		}
		if err := fn(m.Subject(), m.Data()); err != nil {
			return err
		}
		if md.NumPending == 0 {
			return nil
		}
	}
}
