package readmodel

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/ledger"
)

// The audit endpoints read the ledger entries they need from here instead
// of the whole ledger: a document's entries for its timeline, the entries
// of the documents a period may count for a report.

// DocumentEntries are the ledger entries of every item of the document
// item id belongs to, oldest first, with the document's key as the audit
// package groups it. An item the ledger does not know is ErrNotFound.
func (s *Store) DocumentEntries(ctx context.Context, id string) (string, []ledger.Entry, error) {
	var key string
	err := s.r.QueryRowContext(ctx, "SELECT group_key FROM sightings WHERE item_id = ?", id).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, fmt.Errorf("item %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return "", nil, fmt.Errorf("ledger entries of %s: %w", id, err)
	}
	es, err := s.entries(ctx, "SELECT json FROM entries WHERE item_id IN (SELECT item_id FROM sightings WHERE group_key = ?) ORDER BY seq", key)
	return key, es, err
}

// PeriodEntries are the ledger entries of every document a report of
// [from, to) may count: those with an item first seen, or published at its
// source, in the period (a superset: the report's own rule picks).
func (s *Store) PeriodEntries(ctx context.Context, from, to time.Time) ([]ledger.Entry, error) {
	lo, hi := int64(-1<<63), int64(1<<63-1)
	if !from.IsZero() {
		lo = from.UnixNano()
	}
	if !to.IsZero() && to.Year() < 2262 {
		hi = to.UnixNano()
	}
	return s.entries(ctx, `SELECT json FROM entries WHERE item_id IN (SELECT item_id FROM sightings WHERE group_key IN
		(SELECT group_key FROM sightings WHERE lo < ? AND hi >= ?)) ORDER BY seq`, hi, lo)
}

// Publications are the ledger's published entries of sink, oldest first:
// what column freshness is computed from.
func (s *Store) Publications(ctx context.Context, sink string) ([]ledger.Entry, error) {
	return s.entries(ctx, "SELECT json FROM entries WHERE kind = ? AND sink = ? ORDER BY seq", syndicator.KindPublished, sink)
}

func (s *Store) entries(ctx context.Context, query string, args ...any) ([]ledger.Entry, error) {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("ledger entries: %w", err)
	}
	defer rows.Close()
	var out []ledger.Entry
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("ledger entries: %w", err)
		}
		var e ledger.Entry
		if err := json.Unmarshal(data, &e); err != nil {
			return nil, fmt.Errorf("ledger entry: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
