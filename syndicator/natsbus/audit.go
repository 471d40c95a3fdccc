package natsbus

import (
	"context"
	"errors"
	"fmt"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/ledger"
	"github.com/nats-io/nats.go/jetstream"
)

// LastEntry returns the last ledger entry and its sequence in SYND_AUDIT,
// or nil and 0 when the ledger is empty (ledger.Chain).
func (b *Bus) LastEntry(ctx context.Context) ([]byte, uint64, error) {
	m, err := b.lastAuditEntry(ctx)
	if err != nil {
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return nil, 0, nil
		}
		return nil, 0, fmt.Errorf("read last ledger entry: %w", err)
	}
	return m.Data, m.Sequence, nil
}

// lastAuditEntry reads the last message on the ledger's entry subject,
// retrying over a leader election.
func (b *Bus) lastAuditEntry(ctx context.Context) (*jetstream.RawStreamMsg, error) {
	var s jetstream.Stream
	var m *jetstream.RawStreamMsg
	err := b.retry(ctx, "read last ledger entry", func(ctx context.Context) (err error) {
		if s == nil {
			if s, err = b.js.Stream(ctx, StreamAudit); err != nil {
				return fmt.Errorf("stream %s: %w", StreamAudit, err)
			}
		}
		m, err = s.GetLastMsgForSubject(ctx, syndicator.SubjectAuditEntry)
		return err
	})
	return m, err
}

// AppendEntry publishes a ledger entry if the last entry is still the one
// at stream sequence expectLast (ledger.Chain). The condition is on the
// entry subject rather than the whole stream, so anchor records in the same
// stream do not disturb recorders.
//
// A leader election on the way is retried over. An attempt whose answer
// was lost may have appended the entry, and the retry then conflicts with
// it: after a failed attempt, a last entry after expectLast with the very
// bytes of data is that attempt's (entries are chained: another
// recorder's cannot be the same bytes).
func (b *Bus) AppendEntry(ctx context.Context, data []byte, expectLast uint64) (uint64, error) {
	seq, err := b.writeOnce(ctx, "append ledger entry", data, expectLast,
		func(ctx context.Context) (uint64, error) {
			ack, err := b.js.Publish(ctx, syndicator.SubjectAuditEntry, data,
				jetstream.WithExpectLastSequenceForSubject(expectLast, syndicator.SubjectAuditEntry))
			if err != nil {
				return 0, err
			}
			return ack.Sequence, nil
		},
		func(ctx context.Context) (uint64, []byte, error) { return lastMsg(b.lastAuditEntry(ctx)) })
	if isWrongSequence(err) {
		return 0, fmt.Errorf("append ledger entry after stream seq %d: %w", expectLast, ledger.ErrConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("append ledger entry: %w", err)
	}
	return seq, nil
}

// FollowEvents calls fn for every item event in SYND_EVENTS from stream
// sequence from on, in order, and waits for more until ctx ends (it then
// returns nil) or fn fails (ledger.EventLog). The ordered consumer is
// ephemeral and recreated by the client after a reconnect.
func (b *Bus) FollowEvents(ctx context.Context, from uint64, fn func(seq uint64, subject string, data []byte) error) error {
	cfg := jetstream.OrderedConsumerConfig{FilterSubjects: []string{syndicator.SubjectItems}, DeliverPolicy: jetstream.DeliverAllPolicy}
	if from > 1 {
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, from
	}
	cons, err := b.orderedConsumer(ctx, StreamEvents, cfg)
	if err != nil {
		return fmt.Errorf("follow %s: %w", StreamEvents, err)
	}
	iter, err := cons.Messages(jetstream.PullMaxMessages(readAhead))
	if err != nil {
		return fmt.Errorf("follow %s: %w", StreamEvents, err)
	}
	defer iter.Stop()
	stop := context.AfterFunc(ctx, iter.Stop)
	defer stop()
	for {
		m, err := iter.Next()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("follow %s: %w", StreamEvents, err)
		}
		md, err := m.Metadata()
		if err != nil {
			return fmt.Errorf("follow %s: %w", StreamEvents, err)
		}
		if err := fn(md.Sequence.Stream, m.Subject(), m.Data()); err != nil {
			return err
		}
	}
}

// ReadEntries calls fn with every ledger entry as stored, oldest first, up
// to the last one present when it started.
func (b *Bus) ReadEntries(ctx context.Context, fn func(data []byte) error) error {
	return b.ReadAll(ctx, StreamAudit, syndicator.SubjectAuditEntry, func(_ string, data []byte) error { return fn(data) })
}

// AppendAnchor records that an anchor was written to the archive under key
// (ledger.AnchorIndex); a repeat inside the duplicate window is dropped.
func (b *Bus) AppendAnchor(ctx context.Context, key string, data []byte) error {
	_, err := b.publishRaw(ctx, syndicator.SubjectAuditAnchor, key, data)
	return err
}

// ReadAnchors calls fn with every anchor record, oldest first
// (ledger.AnchorIndex).
func (b *Bus) ReadAnchors(ctx context.Context, fn func(data []byte) error) error {
	return b.ReadAll(ctx, StreamAudit, syndicator.SubjectAuditAnchor, func(_ string, data []byte) error { return fn(data) })
}
