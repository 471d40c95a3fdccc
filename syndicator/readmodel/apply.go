package readmodel

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/ledger"
	"github.com/gyeco/syndicator/syndicator/natsbus"
)

// Msg is one stored message of a stream, to be projected.
type Msg struct {
	Stream  string
	Seq     uint64
	Subject string
	Data    []byte
	// Item is the event's item when it travelled by claim check and the
	// caller has read it; nil otherwise.
	Item *syndicator.Item
}

// Apply projects msgs in one transaction and records, per stream, the
// last sequence applied. A message at or below a stream's recorded
// position is skipped, so a batch read again after a crash changes
// nothing. A message that cannot be decoded is skipped too: the read
// model shows what it can, and the error is returned with the batch
// applied (the caller logs it).
func (s *Store) Apply(ctx context.Context, msgs []Msg) (skipped error, err error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("read model: %w", err)
	}
	defer tx.Rollback()
	b := newBatch(tx)
	defer b.close()
	pos := map[string]uint64{}
	var bad []string
	for _, m := range msgs {
		at, ok := pos[m.Stream]
		if !ok {
			var seq int64
			err := b.queryRow(ctx, "SELECT seq FROM positions WHERE stream = ?", m.Stream).Scan(&seq)
			if err != nil && err != sql.ErrNoRows {
				return nil, fmt.Errorf("read model position of %s: %w", m.Stream, err)
			}
			at = uint64(seq)
		}
		if m.Seq <= at {
			continue
		}
		pos[m.Stream] = m.Seq
		var perr error
		switch m.Stream {
		case natsbus.StreamEvents:
			perr = applyEvent(ctx, b, m)
		case natsbus.StreamAudit:
			perr = applyEntry(ctx, b, m)
		case natsbus.StreamDead:
			perr = applyDead(ctx, b, m)
		}
		if perr != nil {
			if !isDecode(perr) {
				return nil, perr
			}
			bad = append(bad, fmt.Sprintf("%s #%d (%s): %v", m.Stream, m.Seq, m.Subject, perr))
		}
	}
	if err := b.flush(ctx); err != nil {
		return nil, err
	}
	for stream, seq := range pos {
		if _, err := b.exec(ctx, "INSERT INTO positions (stream, seq) VALUES (?, ?) ON CONFLICT(stream) DO UPDATE SET seq = excluded.seq", stream, int64(seq)); err != nil {
			return nil, fmt.Errorf("read model position of %s: %w", stream, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("read model: %w", err)
	}
	if len(bad) > 0 {
		return fmt.Errorf("read model skipped %d messages it cannot decode: %s", len(bad), strings.Join(bad, "; ")), nil
	}
	return nil, nil
}

// decodeError marks a message that is not what its subject promises.
type decodeError struct{ err error }

func (e decodeError) Error() string { return e.err.Error() }
func (e decodeError) Unwrap() error { return e.err }

func isDecode(err error) bool {
	_, ok := err.(decodeError)
	return ok
}

// applyEvent projects one message of SYND_EVENTS: an item event or a
// source's health change.
func applyEvent(ctx context.Context, b *batch, m Msg) error {
	if source, ok := strings.CutPrefix(m.Subject, syndicator.SubjectHealth("")); ok {
		var h syndicator.HealthEvent
		if err := json.Unmarshal(m.Data, &h); err != nil {
			return decodeError{err}
		}
		_, err := b.exec(ctx, "INSERT INTO health (seq, source, state, reason, at) VALUES (?, ?, ?, ?, ?)",
			int64(m.Seq), source, h.State, h.Reason, nanos(h.At))
		return err
	}
	sub, ok := syndicator.ParseSubject(m.Subject)
	if !ok {
		return nil // another kind of message: nothing to show
	}
	if sub.Kind == syndicator.KindOperator {
		return nil // projected from its ledger entry, which names the actor's seq
	}
	var ev syndicator.Event
	if err := json.Unmarshal(m.Data, &ev); err != nil {
		return decodeError{err}
	}
	if !syndicator.IsItemID(ev.ID) {
		return decodeError{fmt.Errorf("event without a valid item id")}
	}
	r, err := b.row(ctx, ev.ID)
	if err != nil {
		return err
	}
	if r.FirstSeq == 0 {
		r.FirstSeq = m.Seq
	}
	r.LastSeq = m.Seq
	if r.Source == "" {
		r.Source = ev.Source
	}
	it := m.Item // the whole item, when its body or itself was claim-checked
	if it == nil {
		it = ev.Item
	}
	detail := ""
	switch ev.Kind {
	case syndicator.KindDiscovered, syndicator.KindRevised:
		if it != nil {
			r.setItem(it)
		}
		if r.rid == 0 {
			if err := r.save(ctx, b); err != nil { // for its rid
				return err
			}
		}
		if it != nil {
			if err := index(ctx, b, r, ev.Revision, it, m.Seq, ev.At); err != nil {
				return err
			}
		}
	case syndicator.KindDecided:
		d := ev.Decision
		if d == nil {
			return decodeError{fmt.Errorf("decided event without a decision")}
		}
		if d.DocKey != "" {
			r.DocKey = d.DocKey
		}
		if d.Step == syndicator.StepReview {
			r.Outcome, r.Reviewer, r.Comment, r.ReviewedAt = d.Outcome, d.Reviewer, d.Comment, d.ReviewedAt
			if r.ReviewedAt.IsZero() {
				r.ReviewedAt = ev.At
			}
			if d.Outcome == syndicator.OutcomeApproved {
				r.Publish = true
			}
			if d.Column != "" {
				r.Column = d.Column
			}
			if _, err := b.exec(ctx, "INSERT INTO reviews (seq, item_id, revision, outcome, reviewer, comment, column_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
				int64(m.Seq), ev.ID, ev.Revision, d.Outcome, d.Reviewer, d.Comment, d.Column, nanos(r.ReviewedAt)); err != nil {
				return err
			}
			detail = string(d.Outcome)
			break
		}
		r.Class, r.Rule, r.Publish, r.DuplicateOf, r.Reason, r.DecidedAt = d.Class, d.Rule, d.Publish, d.DuplicateOf, d.Reason, ev.At
		if d.Column != "" {
			r.Column = d.Column
		}
		detail = string(d.Class)
	case syndicator.KindArchived:
		r.ArchivedAt = ev.At
		b, _ := json.Marshal(ev.ArchiveKeys)
		detail = string(b)
	case syndicator.KindPublished:
		if ev.Sink == "site" && r.PublishedOnSiteAt.IsZero() {
			r.PublishedOnSiteAt = ev.At
		}
		if ev.Sink == "site" {
			r.Location = ev.Location
		}
		r.WithdrawnAt, r.WithdrawReason = time.Time{}, ""
		detail = ev.Location
	case syndicator.KindWithdrawn:
		r.WithdrawnAt, r.WithdrawReason = ev.At, ev.Reason
		detail = ev.Reason
	case syndicator.KindValidity:
		v := ev.Validity
		if v == nil {
			return decodeError{fmt.Errorf("validity event without a change")}
		}
		if v.Gone {
			r.Gone = true
		} else {
			r.Validity = v.To
		}
		if _, err := b.exec(ctx, "INSERT INTO validity (seq, item_id, at, from_v, to_v, basis, basis_doc_number, basis_url, gone, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			int64(m.Seq), ev.ID, nanos(ev.At), v.From, v.To, v.Basis, v.BasisDocNumber, v.BasisURL, bit(v.Gone), v.Status); err != nil {
			return err
		}
		detail = string(v.To)
	}
	if _, err := b.exec(ctx, "INSERT INTO steps (seq, item_id, kind, revision, sink, at, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
		int64(m.Seq), ev.ID, ev.Kind, ev.Revision, ev.Sink, nanos(ev.At), detail); err != nil {
		return err
	}
	b.touch(r)
	return nil
}

// index records a revision's text and makes the item findable by its
// latest one, under its current sort key.
func index(ctx context.Context, b *batch, r *Row, rev int, it *syndicator.Item, seq uint64, at time.Time) error {
	if _, err := b.exec(ctx, `INSERT INTO revisions (item_id, revision, title, body_text, content_sha256, extracted_by, at, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(item_id, revision) DO NOTHING`, r.ID, rev, it.Title, it.BodyText, it.ContentSHA256, it.ExtractedBy, nanos(at), int64(seq)); err != nil {
		return err
	}
	if r.sortKey != 0 {
		if _, err := b.exec(ctx, "DELETE FROM items_fts WHERE rowid = ?", r.sortKey); err != nil {
			return err
		}
	}
	r.sortKey = r.key()
	_, err := b.exec(ctx, "INSERT INTO items_fts (rowid, title, doc_number, body) VALUES (?, ?, ?, ?)", r.sortKey, it.Title, it.DocNumber, it.BodyText)
	return err
}

// applyDead projects a dead-letter record.
func applyDead(ctx context.Context, b *batch, m Msg) error {
	var d natsbus.DeadLetter
	if err := json.Unmarshal(m.Data, &d); err != nil {
		return decodeError{err}
	}
	id, source, kind, _ := DeadEvent(d.Data) // a record of an undecodable event still shows
	_, err := b.exec(ctx, `INSERT INTO dead (seq, consumer, subject, stream_seq, deliveries, permanent, error, at, item_id, source, kind)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, int64(m.Seq), d.Consumer, d.Subject, int64(d.StreamSeq), int64(d.Deliveries),
		bit(d.Permanent), d.Error, nanos(d.At), id, source, kind)
	return err
}

// applyEntry projects a ledger entry; anchors are not entries.
func applyEntry(ctx context.Context, b *batch, m Msg) error {
	if m.Subject != syndicator.SubjectAuditEntry {
		return nil
	}
	var e ledger.Entry
	if err := json.Unmarshal(m.Data, &e); err != nil {
		return decodeError{err}
	}
	f := &e.Fact
	if _, err := b.exec(ctx, "INSERT INTO entries (seq, at, kind, item_id, sink, json) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(seq) DO NOTHING",
		int64(e.Seq), nanos(e.At), f.Kind, f.ID, f.Sink, m.Data); err != nil {
		return err
	}
	if f.Kind == syndicator.KindOperator {
		_, err := b.exec(ctx, `INSERT INTO actions (seq, at, action, actor, role, source, item_id, consumer, dead_seq, reason, outcome, failed)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(seq) DO NOTHING`,
			int64(e.Seq), nanos(e.When()), f.Action, f.Actor, f.Role, f.Source, f.ID, f.Consumer, int64(f.DeadSeq), f.Reason, f.ActionOutcome, bit(f.Failed))
		return err // an action is no sighting of its item
	}
	if f.ID == "" {
		return nil
	}
	return noteSighting(ctx, b, &e)
}
