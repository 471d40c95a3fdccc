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
// dropped by the server; duplicate reports that. An item too large to ride
// inline is stored by claim check first and the event carries its name.
func (b *Bus) Publish(ctx context.Context, ev *syndicator.Event) (duplicate bool, err error) {
	ev.V = syndicator.EventVersion
	data, err := json.Marshal(ev)
	if err != nil {
		return false, fmt.Errorf("encode %s event for %s: %w", ev.Kind, ev.ID, err)
	}
	if len(data) > b.opts.InlineLimit && ev.Item != nil {
		claimed := *ev
		if claimed.ItemRef, err = b.KeepItem(ctx, ev.Item); err != nil {
			return false, err
		}
		claimed.Item = nil
		if data, err = json.Marshal(&claimed); err != nil {
			return false, fmt.Errorf("encode %s event for %s: %w", ev.Kind, ev.ID, err)
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

// Item returns the event's item, fetching it from the claim-check store when
// it did not ride inline.
func (b *Bus) Item(ctx context.Context, ev *syndicator.Event) (*syndicator.Item, error) {
	if ev.Item != nil {
		return ev.Item, nil
	}
	if ev.ItemRef == "" {
		return nil, syndicator.Permanent(fmt.Errorf("%s event for %s carries no item", ev.Kind, ev.ID))
	}
	data, err := b.GetClaim(ctx, ev.ItemRef)
	if err != nil {
		return nil, err
	}
	var it syndicator.Item
	if err := json.Unmarshal(data, &it); err != nil {
		return nil, syndicator.Permanent(fmt.Errorf("decode claimed item %s: %w", ev.ItemRef, err))
	}
	return &it, nil
}
