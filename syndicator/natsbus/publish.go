package natsbus

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/nats-io/nats.go/jetstream"
)

// Publish sends ev on its subject with its Nats-Msg-Id, so a repeated
// publish of the same (item, revision, kind) inside the duplicate window is
// dropped by the server; duplicate reports that. The claims the event names
// (encodeEvent: a large body, an item too large to ride inline) are stored
// first, so a reader never finds an event before its claims.
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
	_, err = b.publishRaw(ctx, syndicator.SubjectHealth(h.Source), "", data)
	return err
}

func (b *Bus) publishRaw(ctx context.Context, subject, msgID string, data []byte) (bool, error) {
	var opts []jetstream.PublishOpt
	if msgID != "" {
		opts = append(opts, jetstream.WithMsgID(msgID))
	}
	ack, err := b.js.Publish(ctx, subject, data, opts...)
	if err != nil {
		return false, fmt.Errorf("publish %s: %w", subject, err)
	}
	return ack.Duplicate, nil
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
