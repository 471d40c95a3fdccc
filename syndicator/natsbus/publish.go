package natsbus

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/nats-io/nats.go/jetstream"
)

// Publish sends ev on its subject with its Nats-Msg-Id, so a repeated
// publish of the same (item, revision, kind) inside the duplicate window is
// dropped by the server; duplicate reports that the event was stored
// before this call. The claims the event names (encodeEvent: a large body,
// an item too large to ride inline) are stored first, so a reader never
// finds an event before its claims. A leader election on the way is
// retried over (transient.go).
func (b *Bus) Publish(ctx context.Context, ev *syndicator.Event) (duplicate bool, err error) {
	ev.V = syndicator.EventVersion
	data, claims, err := encodeEvent(ev, b.opts.BodyInlineLimit, b.opts.InlineLimit)
	if err != nil {
		return false, err
	}
	for _, c := range claims {
		if err := b.PutClaim(ctx, c.name, c.data); err != nil {
			return false, err
		}
	}
	return b.publishRaw(ctx, ev.Subject(), ev.MsgID(), data)
}

// PublishHealth sends a source health change on synd.source.health.<source>.
func (b *Bus) PublishHealth(ctx context.Context, h *syndicator.HealthEvent) error {
	h.V = syndicator.EventVersion
	data, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("encode health of %s: %w", h.Source, err)
	}
	// A message id of its own, made once for all the attempts: an attempt
	// whose ack was lost may have stored the change, and the retry must
	// not store it twice.
	var raw [12]byte
	_, _ = rand.Read(raw[:])
	_, err = b.publishRaw(ctx, syndicator.SubjectHealth(h.Source), "health."+hex.EncodeToString(raw[:]), data)
	return err
}

// publishRaw publishes data on subject with msgID (none when empty),
// retrying transient failures. duplicate is what the server's ack says,
// except after a failed attempt: an attempt whose ack was lost may have
// stored the message, and the retry's ack then calls it a duplicate of
// ours. The stored message is read back and, when it is the same bytes,
// duplicate is false: this call stored it. (Another caller's publish of
// the same id with the very same bytes is taken for ours; it means the
// same event, so nothing a caller decides on changes.)
func (b *Bus) publishRaw(ctx context.Context, subject, msgID string, data []byte) (duplicate bool, err error) {
	var opts []jetstream.PublishOpt
	if msgID != "" {
		opts = append(opts, jetstream.WithMsgID(msgID))
	}
	failed := false
	err = b.retry(ctx, "publish "+subject, func(ctx context.Context) error {
		ack, err := b.js.Publish(ctx, subject, data, opts...)
		if err != nil {
			failed = true
			return err
		}
		duplicate = ack.Duplicate
		if duplicate && failed && msgID != "" {
			own, err := b.storedMsg(ctx, ack.Stream, ack.Sequence, msgID, data)
			if err != nil {
				return err
			}
			duplicate = !own
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("publish %s: %w", subject, err)
	}
	return duplicate, nil
}

// storedMsg reports whether the message at seq in stream carries msgID
// and data.
func (b *Bus) storedMsg(ctx context.Context, stream string, seq uint64, msgID string, data []byte) (bool, error) {
	s, err := b.js.Stream(ctx, stream)
	if err != nil {
		return false, fmt.Errorf("stream %s: %w", stream, err)
	}
	m, err := s.GetMsg(ctx, seq)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return false, nil // gone already (limits): whose it was cannot be told
	}
	if err != nil {
		return false, fmt.Errorf("read back %s seq %d: %w", stream, seq, err)
	}
	return m.Header.Get(jetstream.MsgIDHeader) == msgID && bytes.Equal(m.Data, data), nil
}

// Item returns the event's whole item: the one that rode inline or the one
// in the claim-check store (ItemRef), with its body read from its claim
// (BodyRef) when it travelled apart. ev is left as delivered.
func (b *Bus) Item(ctx context.Context, ev *syndicator.Event) (*syndicator.Item, error) {
	it := ev.Item
	if it == nil {
		if ev.ItemRef == "" {
			return nil, syndicator.Permanent(fmt.Errorf("%s event for %s carries no item", ev.Kind, ev.ID))
		}
		data, err := b.GetClaim(ctx, ev.ItemRef)
		if err != nil {
			return nil, err
		}
		it = new(syndicator.Item)
		if err := json.Unmarshal(data, it); err != nil {
			return nil, syndicator.Permanent(fmt.Errorf("decode claimed item %s: %w", ev.ItemRef, err))
		}
	}
	if ev.BodyRef == "" {
		return it, nil
	}
	data, err := b.GetClaim(ctx, ev.BodyRef)
	if err != nil {
		return nil, err
	}
	whole := *it
	if whole.BodyHTML, whole.BodyText, err = decodeBody(data); err != nil {
		return nil, syndicator.Permanent(fmt.Errorf("decode claimed body %s: %w", ev.BodyRef, err))
	}
	return &whole, nil
}
