package readmodel

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/rs/zerolog"
)

// feed is what the projector reads the streams through (natsbus.Bus).
type feed interface {
	Follow(ctx context.Context, stream, filter string, from uint64, fn func(natsbus.Delivered) error) error
	Item(ctx context.Context, ev *syndicator.Event) (*syndicator.Item, error)
}

// followed are the streams the read model projects, with their filters.
var followed = [...]struct{ stream, filter string }{
	{natsbus.StreamEvents, ">"},
	{natsbus.StreamAudit, syndicator.SubjectAuditEntry},
	{natsbus.StreamDead, syndicator.SubjectDead},
}

// Projector keeps a Store current with the streams: each stream is read
// from the position after the last one applied, in batches of one
// transaction each, and then followed as it grows.
type Projector struct {
	store *Store
	feed  feed
	log   zerolog.Logger
	// Batch is the most messages applied in one transaction. Default 500.
	Batch int
	// progress, when set, is called after each batch with the stream and
	// the position reached (rebuild shows it).
	progress func(stream string, seq, pending uint64)
}

// NewProjector projects the streams f reads into st.
func NewProjector(st *Store, f feed, log zerolog.Logger) *Projector {
	return &Projector{store: st, feed: f, log: log, Batch: 500}
}

// OnProgress sets fn to be called after each applied batch.
func (p *Projector) OnProgress(fn func(stream string, seq, pending uint64)) { p.progress = fn }

// Run projects until ctx ends (nil) or a stream cannot be read or the file
// written (the error; run again, it resumes where it stopped).
func (p *Projector) Run(ctx context.Context) error {
	pos, err := p.store.Positions(ctx)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, len(followed))
	for _, f := range followed {
		go func() {
			err := p.follow(ctx, f.stream, f.filter, pos[f.stream]+1)
			if err != nil {
				cancel()
			}
			errc <- err
		}()
	}
	var errs []error
	for range followed {
		if err := <-errc; err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// follow applies one stream from seq from on.
func (p *Projector) follow(ctx context.Context, stream, filter string, from uint64) error {
	batch := make([]Msg, 0, p.Batch)
	var last time.Time
	flush := func(pending uint64) error {
		if len(batch) == 0 {
			return nil
		}
		skipped, err := p.store.Apply(ctx, batch)
		if err != nil {
			return err
		}
		if skipped != nil {
			p.log.Warn().Err(skipped).Msg("read model: messages skipped")
		}
		if p.progress != nil {
			p.progress(stream, batch[len(batch)-1].Seq, pending)
		}
		batch, last = batch[:0], time.Now()
		return nil
	}
	return p.feed.Follow(ctx, stream, filter, from, func(d natsbus.Delivered) error {
		m := Msg{Stream: stream, Seq: d.Seq, Subject: d.Subject, Data: bytes.Clone(d.Data)}
		if stream == natsbus.StreamEvents {
			it, err := p.claimed(ctx, d)
			if err != nil {
				return err
			}
			m.Item = it
		}
		batch = append(batch, m)
		// A caught-up stream applies at once; a backlog in full batches,
		// or every second while it drains slowly.
		if d.Pending == 0 || len(batch) >= p.Batch || time.Since(last) > time.Second {
			return flush(d.Pending)
		}
		return nil
	})
}

// claimed reads the whole item of a discovered or revised event whose
// item or body travelled by claim check: the only events whose item the
// read model indexes (title, body text). Other events are not read past
// their bytes. A claim that is gone (swept once every reader was done, or
// expired) is projected from what the event says; the ledger's entries
// still give title and times.
func (p *Projector) claimed(ctx context.Context, d natsbus.Delivered) (*syndicator.Item, error) {
	if !bytes.Contains(d.Data, []byte(`"item_ref"`)) && !bytes.Contains(d.Data, []byte(`"body_ref"`)) {
		return nil, nil
	}
	var ev syndicator.Event
	if err := json.Unmarshal(d.Data, &ev); err != nil || (ev.ItemRef == "" && ev.BodyRef == "") {
		return nil, nil // Apply reports what it cannot decode
	}
	if ev.Kind != syndicator.KindDiscovered && ev.Kind != syndicator.KindRevised {
		return nil, nil
	}
	it, err := p.feed.Item(ctx, &ev)
	if errors.Is(err, syndicator.ErrClaimGone) {
		p.log.Warn().Str("item_id", ev.ID).Str("claim", ev.ItemRef+ev.BodyRef).Msg("read model: the item's claim is gone; its text is not searchable")
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read model: item of %s #%d: %w", d.Subject, d.Seq, err)
	}
	return it, nil
}
