package ledger

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/backoff"
	"github.com/rs/zerolog"
)

// ErrConflict is in the chain of the error Chain.AppendEntry returns when
// another entry was appended since expectLast: another recorder won.
var ErrConflict = errors.New("ledger: another entry was appended first")

// Chain is the stored ledger (stream SYND_AUDIT).
type Chain interface {
	// LastEntry returns the last entry as stored and its stream sequence,
	// or nil and 0 for an empty ledger.
	LastEntry(ctx context.Context) (data []byte, streamSeq uint64, err error)
	// AppendEntry stores data only if the last entry still has stream
	// sequence expectLast (0: the ledger is empty), else it fails with
	// ErrConflict; it returns the new entry's stream sequence.
	AppendEntry(ctx context.Context, data []byte, expectLast uint64) (streamSeq uint64, err error)
}

// EventLog is stream SYND_EVENTS.
type EventLog interface {
	// FollowEvents calls fn for every item event from stream sequence
	// from on, in stream order, waiting for new ones, until ctx ends (then
	// it returns nil) or fn fails (it returns that error).
	FollowEvents(ctx context.Context, from uint64, fn func(seq uint64, subject string, data []byte) error) error
}

// ItemReader returns an event's item, from the claim-check store when it
// did not ride inline.
type ItemReader interface {
	Item(ctx context.Context, ev *syndicator.Event) (*syndicator.Item, error)
}

// Recorder turns every item event into a ledger entry, in stream order.
// Any number of recorders may run (one per archive instance): appends are
// conditional on the last entry, so the chain never forks, and the loser of
// a race skips the events the winner recorded.
type Recorder struct {
	chain  Chain
	events EventLog
	items  ItemReader
	log    zerolog.Logger
	now    func() time.Time
}

// NewRecorder returns a recorder; it does no I/O.
func NewRecorder(chain Chain, events EventLog, items ItemReader, log zerolog.Logger) *Recorder {
	return &Recorder{chain: chain, events: events, items: items, log: log.With().Str("sink", "audit").Logger(), now: time.Now}
}

// head is what the recorder knows of the chain's end.
type head struct {
	last      *Entry
	streamSeq uint64
}

// Run records events until ctx ends. Failures (NATS down, a claim check
// that cannot be read yet) are logged and retried from the stored head.
func (r *Recorder) Run(ctx context.Context) error {
	wait := backoff.New(time.Second, 30*time.Second)
	for {
		err := r.follow(ctx)
		if ctx.Err() != nil {
			return nil
		}
		r.log.Warn().Err(err).Stringer("retry_in", wait.Next()).Msg("audit recorder interrupted; resuming from the ledger head")
		if !wait.Wait(ctx) {
			return nil
		}
	}
}

func (r *Recorder) follow(ctx context.Context) error {
	var h head
	if err := r.load(ctx, &h); err != nil {
		return err
	}
	from := uint64(1)
	if h.last != nil {
		from = h.last.EventSeq + 1
	}
	r.log.Info().Uint64("seq", seqOf(h.last)).Uint64("from_event", from).Msg("audit recorder following events")
	err := r.events.FollowEvents(ctx, from, func(seq uint64, subject string, data []byte) error {
		return r.record(ctx, &h, seq, subject, data)
	})
	if err == nil && ctx.Err() == nil {
		err = errors.New("event stream ended")
	}
	return err
}

// load reads the stored head.
func (r *Recorder) load(ctx context.Context, h *head) error {
	data, n, err := r.chain.LastEntry(ctx)
	if err != nil {
		return fmt.Errorf("read ledger head: %w", err)
	}
	h.last, h.streamSeq = nil, n
	if data == nil {
		return nil
	}
	var e Entry
	if err := json.Unmarshal(data, &e); err != nil {
		return syndicator.Permanent(fmt.Errorf("decode ledger head (stream seq %d): %w", n, err))
	}
	h.last = &e
	return nil
}

// record appends the entry for one event, unless the chain already holds
// it.
func (r *Recorder) record(ctx context.Context, h *head, seq uint64, subject string, data []byte) error {
	if h.last != nil && seq <= h.last.EventSeq {
		return nil
	}
	e, err := r.entry(ctx, seq, subject, data)
	if err != nil {
		return err
	}
	for {
		if err := Seal(h.last, e); err != nil {
			return err
		}
		b, err := Canonical(e)
		if err != nil {
			return err
		}
		n, err := r.chain.AppendEntry(ctx, b, h.streamSeq)
		if err == nil {
			h.last, h.streamSeq = e, n
			return nil
		}
		if !errors.Is(err, ErrConflict) {
			return fmt.Errorf("append ledger entry %d (event %d): %w", e.Seq, seq, err)
		}
		// Another recorder appended first: take its head and go on after
		// whatever it recorded.
		if err := r.load(ctx, h); err != nil {
			return err
		}
		if h.last != nil && h.last.EventSeq >= seq {
			return nil
		}
	}
}

// entry builds the unsealed entry for one event.
func (r *Recorder) entry(ctx context.Context, seq uint64, subject string, data []byte) (*Entry, error) {
	sum := sha256.Sum256(data)
	e := &Entry{At: r.now().UTC(), EventSeq: seq, Subject: subject, EventSHA256: hex.EncodeToString(sum[:])}
	var rec recorded
	if err := json.Unmarshal(data, &rec); err != nil {
		// Still recorded: the subject and digest identify the bytes.
		r.log.Error().Err(err).Uint64("event_seq", seq).Str("subject", subject).Msg("undecodable event recorded by digest only")
		e.Fact.Reason = "事件无法解析：" + err.Error()
		return e, nil
	}
	ev, it := rec.event(), rec.item()
	if it == nil && ev.ItemRef != "" {
		// An item too large to ride inline: read it (its body, if that
		// travels apart too, is not named here, so not read).
		var err error
		it, err = r.items.Item(ctx, ev)
		if err != nil {
			if !syndicator.IsPermanent(err) {
				return nil, fmt.Errorf("read item of event %d: %w", seq, err)
			}
			r.log.Warn().Err(err).Str("item_id", ev.ID).Uint64("event_seq", seq).Msg("claim-checked item gone; entry recorded without item facts")
		}
	}
	e.Fact = FactOf(ev, it)
	return e, nil
}

func seqOf(e *Entry) uint64 {
	if e == nil {
		return 0
	}
	return e.Seq
}
