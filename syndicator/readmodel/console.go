package readmodel

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gyeco/syndicator/syndicator"
)

// Action is an operator action as the ledger recorded it.
type Action struct {
	Seq      uint64 // the ledger entry
	At       time.Time
	Name     syndicator.ActionName
	Actor    string
	Role     string
	Source   string
	ItemID   string
	Consumer string
	DeadSeq  uint64
	Reason   string
	Outcome  string
	Failed   bool
}

const actionColumns = "seq, at, action, actor, role, source, item_id, consumer, dead_seq, reason, outcome, failed"

func scanAction(sc scanner) (Action, error) {
	var a Action
	var seq, at, dead int64
	var failed int
	if err := sc.Scan(&seq, &at, &a.Name, &a.Actor, &a.Role, &a.Source, &a.ItemID, &a.Consumer, &dead, &a.Reason, &a.Outcome, &failed); err != nil {
		return Action{}, err
	}
	a.Seq, a.At, a.DeadSeq, a.Failed = uint64(seq), fromNanos(at), uint64(dead), failed == 1
	return a, nil
}

// Actions are the latest operator actions, newest first: of one item when
// itemID is set, else of everything.
func (s *Store) Actions(ctx context.Context, itemID string, limit int) ([]Action, error) {
	q, args := "SELECT "+actionColumns+" FROM actions", []any{}
	if itemID != "" {
		q, args = q+" WHERE item_id = ?", append(args, itemID)
	}
	rows, err := s.r.QueryContext(ctx, q+" ORDER BY seq DESC LIMIT ?", append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("actions: %w", err)
	}
	defer rows.Close()
	var out []Action
	for rows.Next() {
		a, err := scanAction(rows)
		if err != nil {
			return nil, fmt.Errorf("actions: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Dead is a dead-letter record and what operators did about it.
type Dead struct {
	Seq        uint64 // in SYND_DEAD
	Consumer   string
	Subject    string
	StreamSeq  uint64 // the event's, in SYND_EVENTS (or its retry's)
	Deliveries int
	Permanent  bool
	Error      string
	At         time.Time
	ItemID     string
	Source     string
	Kind       syndicator.Kind
	Title      string // the item's, when the read model has it
	// Resolution is the latest retry or discard of the record, if any.
	Resolution *Action
}

// DeadLetters lists dead-letter records, newest first: the open ones only
// (neither retried nor discarded) when open is set.
func (s *Store) DeadLetters(ctx context.Context, open bool, limit int) ([]Dead, error) {
	q := `SELECT d.seq, d.consumer, d.subject, d.stream_seq, d.deliveries, d.permanent, d.error, d.at, d.item_id, d.source, d.kind,
		coalesce(i.title, ''), a.seq, a.at, a.action, a.actor, a.role, a.source, a.item_id, a.consumer, a.dead_seq, a.reason, a.outcome, a.failed
		FROM dead d LEFT JOIN items i ON i.id = d.item_id LEFT JOIN actions a ON a.seq = (SELECT max(seq) FROM actions WHERE dead_seq = d.seq AND consumer = d.consumer AND failed = 0)`
	if open {
		q += " WHERE a.seq IS NULL"
	}
	rows, err := s.r.QueryContext(ctx, q+" ORDER BY d.seq DESC LIMIT ?", limit)
	if err != nil {
		return nil, fmt.Errorf("dead letters: %w", err)
	}
	defer rows.Close()
	var out []Dead
	for rows.Next() {
		var d Dead
		var seq, sseq, at int64
		var perm int
		var aseq, aat, adead, afailed *int64
		var aname, aactor, arole, asrc, aitem, acons, areason, aout *string
		if err := rows.Scan(&seq, &d.Consumer, &d.Subject, &sseq, &d.Deliveries, &perm, &d.Error, &at, &d.ItemID, &d.Source, &d.Kind,
			&d.Title, &aseq, &aat, &aname, &aactor, &arole, &asrc, &aitem, &acons, &adead, &areason, &aout, &afailed); err != nil {
			return nil, fmt.Errorf("dead letters: %w", err)
		}
		d.Seq, d.StreamSeq, d.At, d.Permanent = uint64(seq), uint64(sseq), fromNanos(at), perm == 1
		if aseq != nil {
			d.Resolution = &Action{Seq: uint64(*aseq), At: fromNanos(*aat), Name: syndicator.ActionName(*aname), Actor: *aactor, Role: *arole,
				Source: *asrc, ItemID: *aitem, Consumer: *acons, DeadSeq: uint64(*adead), Reason: *areason, Outcome: *aout}
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// CountOpenDead counts the dead letters nobody retried or discarded yet.
func (s *Store) CountOpenDead(ctx context.Context) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM dead d WHERE NOT EXISTS
		(SELECT 1 FROM actions a WHERE a.dead_seq = d.seq AND a.consumer = d.consumer AND a.failed = 0)`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count dead letters: %w", err)
	}
	return n, nil
}

// Step is one step of an item as projected from the events.
type Step struct {
	Seq      uint64 // in SYND_EVENTS
	Kind     syndicator.Kind
	Revision int
	Sink     string
	At       time.Time
	Detail   string
}

// Steps are the item's steps in stream order.
func (s *Store) Steps(ctx context.Context, id string) ([]Step, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT seq, kind, revision, sink, at, detail FROM steps WHERE item_id = ? ORDER BY seq", id)
	if err != nil {
		return nil, fmt.Errorf("steps of %s: %w", id, err)
	}
	defer rows.Close()
	var out []Step
	for rows.Next() {
		var st Step
		var seq, at int64
		if err := rows.Scan(&seq, &st.Kind, &st.Revision, &st.Sink, &at, &st.Detail); err != nil {
			return nil, fmt.Errorf("steps of %s: %w", id, err)
		}
		st.Seq, st.At = uint64(seq), fromNanos(at)
		out = append(out, st)
	}
	return out, rows.Err()
}

// ClassCountsSince counts the items found since since, by class ("" for the
// ones not decided yet).
func (s *Store) ClassCountsSince(ctx context.Context, since time.Time) (map[syndicator.Class]int, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT class, count(*) FROM items WHERE discovered_at >= ? GROUP BY class", nanos(since))
	if err != nil {
		return nil, fmt.Errorf("class counts: %w", err)
	}
	defer rows.Close()
	out := map[syndicator.Class]int{}
	for rows.Next() {
		var c syndicator.Class
		var n int
		if err := rows.Scan(&c, &n); err != nil {
			return nil, fmt.Errorf("class counts: %w", err)
		}
		out[c] = n
	}
	return out, rows.Err()
}

// Open are the items still on their way that audits count (not baseline):
// not decided, waiting for review, or decided and not yet live, oldest
// first.
func (s *Store) Open(ctx context.Context, limit int) ([]*Row, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT "+columns+` FROM items WHERE state IN (?, ?, ?, ?) AND baseline = 0 AND backfilled = 0
		ORDER BY sort_key LIMIT ?`, StateNew, StateReview, StateQueued, StateHeld, limit)
	if err != nil {
		return nil, fmt.Errorf("open items: %w", err)
	}
	defer rows.Close()
	var out []*Row
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return nil, fmt.Errorf("open items: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ColumnLatest is, per committee-site column, when its newest article
// went live.
func (s *Store) ColumnLatest(ctx context.Context) (map[string]time.Time, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT column_id, max(published_on_site_at) FROM items WHERE published_on_site_at > 0 GROUP BY column_id")
	if err != nil {
		return nil, fmt.Errorf("column freshness: %w", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var col string
		var at int64
		if err := rows.Scan(&col, &at); err != nil {
			return nil, fmt.Errorf("column freshness: %w", err)
		}
		out[col] = fromNanos(at)
	}
	return out, rows.Err()
}

// LastNew is, per source, when its newest item was found.
func (s *Store) LastNew(ctx context.Context) (map[string]time.Time, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT source, max(discovered_at) FROM items GROUP BY source")
	if err != nil {
		return nil, fmt.Errorf("last new item: %w", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var src string
		var at int64
		if err := rows.Scan(&src, &at); err != nil {
			return nil, fmt.Errorf("last new item: %w", err)
		}
		out[src] = fromNanos(at)
	}
	return out, rows.Err()
}

// FallbackCounts is, per source, how many items the generic readers read
// (their latest revision's extracted_by is "fallback": the source's
// selectors matched nothing on the page); a source without any is left
// out. The console's sources and serve's /metrics show it. The index on
// extracted_by reads those items only, not the whole table.
func (s *Store) FallbackCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT source, count(*) FROM items WHERE extracted_by = ? GROUP BY source", syndicator.ExtractedByFallback)
	if err != nil {
		return nil, fmt.Errorf("items read by the fallback: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var src string
		var n int
		if err := rows.Scan(&src, &n); err != nil {
			return nil, fmt.Errorf("items read by the fallback: %w", err)
		}
		out[src] = n
	}
	return out, rows.Err()
}

// HealthChange is one change of a source's health.
type HealthChange struct {
	Seq    uint64
	State  string
	Reason string
	At     time.Time
}

// HealthHistory is the source's latest health changes, newest first.
func (s *Store) HealthHistory(ctx context.Context, source string, limit int) ([]HealthChange, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT seq, state, reason, at FROM health WHERE source = ? ORDER BY seq DESC LIMIT ?", source, limit)
	if err != nil {
		return nil, fmt.Errorf("health of %s: %w", source, err)
	}
	defer rows.Close()
	var out []HealthChange
	for rows.Next() {
		var h HealthChange
		var seq, at int64
		if err := rows.Scan(&seq, &h.State, &h.Reason, &at); err != nil {
			return nil, fmt.Errorf("health of %s: %w", source, err)
		}
		h.Seq, h.At = uint64(seq), fromNanos(at)
		out = append(out, h)
	}
	return out, rows.Err()
}

// DeadEvent is what a dead letter's event says of its item: its id,
// source and kind, read without decoding the item; an undecodable event
// yields an error (its record still shows).
func DeadEvent(data []byte) (id, source string, kind syndicator.Kind, err error) {
	var ev struct {
		ID     string          `json:"id"`
		Source string          `json:"source"`
		Kind   syndicator.Kind `json:"kind"`
	}
	err = json.Unmarshal(data, &ev)
	return ev.ID, ev.Source, ev.Kind, err
}

// LastDeadAction is the ledger seq of the latest retry or discard of the
// dead letter at seq (0: none).
func (s *Store) LastDeadAction(ctx context.Context, seq uint64, consumer string) (uint64, error) {
	var n int64
	err := s.r.QueryRowContext(ctx, "SELECT coalesce(max(seq), 0) FROM actions WHERE dead_seq = ? AND consumer = ?", int64(seq), consumer).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("actions on dead letter %d: %w", seq, err)
	}
	return uint64(n), nil
}
