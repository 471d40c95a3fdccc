package natsbus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// ErrNoDeadLetter is in the chain of DeadLetter's error when SYND_DEAD has
// no record at that sequence.
var ErrNoDeadLetter = errors.New("no dead letter at that sequence")

// DeadLetter reads the dead-letter record at seq in SYND_DEAD.
func (b *Bus) DeadLetter(ctx context.Context, seq uint64) (*DeadLetter, error) {
	var s jetstream.Stream
	var m *jetstream.RawStreamMsg
	err := b.retry(ctx, "read dead letter", func(ctx context.Context) (err error) {
		if s == nil {
			if s, err = b.js.Stream(ctx, StreamDead); err != nil {
				return fmt.Errorf("stream %s: %w", StreamDead, err)
			}
		}
		m, err = s.GetMsg(ctx, seq)
		return err
	})
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return nil, fmt.Errorf("dead letter %d: %w", seq, ErrNoDeadLetter)
	}
	if err != nil {
		return nil, fmt.Errorf("dead letter %d: %w", seq, err)
	}
	var d DeadLetter
	if err := json.Unmarshal(m.Data, &d); err != nil {
		return nil, fmt.Errorf("dead letter %d: %w", seq, err)
	}
	return &d, nil
}

// Retry hands a dead letter's event back to the consumer that gave up on
// it, on that consumer's retry subject: no other reader sees it again.
// msgID makes the hand-back idempotent (a repeated request within the
// duplicate window is dropped); it must change for a later, new retry.
func (b *Bus) Retry(ctx context.Context, d *DeadLetter, msgID string) error {
	if d.Consumer == "" || len(d.Data) == 0 {
		return syndicator.Permanent(fmt.Errorf("dead letter without consumer or event: nothing to retry"))
	}
	// Idempotent by its message id, so retried over a leader election.
	err := b.retry(ctx, "retry dead letter", func(ctx context.Context) error {
		m := nats.NewMsg(syndicator.SubjectRetry(d.Consumer))
		m.Data = d.Data
		m.Header.Set(syndicator.HeaderSubject, d.Subject)
		_, err := b.js.PublishMsg(ctx, m, jetstream.WithMsgID(msgID))
		return err
	})
	if err != nil {
		return fmt.Errorf("retry dead letter of %s: %w", d.Consumer, err)
	}
	return nil
}
