package readmodel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/ledger"
)

// A sighting is one item as the ledger knows it: the document it belongs
// to and the span of times a report may anchor it by. The grouping follows
// the audit package's (Timelines): an item's doc_key, the latest decision's
// winning over the item's own, else its canonical's when it is another
// site's copy (duplicate_of), else a key of its own. group_key is that
// result, kept current as entries arrive, so that a document's entries
// are found without reading the whole ledger.

type sighting struct {
	id, source, docKey, duplicateOf, groupKey string
	keyFromDecision                           bool
	firstSeen, lo, hi                         int64
	firstSeq                                  uint64
	exists                                    bool
}

func loadSighting(ctx context.Context, b *batch, id string) (*sighting, error) {
	s := &sighting{id: id}
	var fromDecision int
	var firstSeq int64
	err := b.queryRow(ctx, `SELECT source, doc_key, key_from_decision, duplicate_of, group_key, first_seen, first_seq, lo, hi
		FROM sightings WHERE item_id = ?`, id).Scan(&s.source, &s.docKey, &fromDecision, &s.duplicateOf, &s.groupKey, &s.firstSeen, &firstSeq, &s.lo, &s.hi)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read sighting %s: %w", id, err)
	}
	s.exists, s.keyFromDecision, s.firstSeq = true, fromDecision == 1, uint64(firstSeq)
	return s, nil
}

// noteSighting takes what entry e says about its item's document.
func noteSighting(ctx context.Context, b *batch, e *ledger.Entry) error {
	f := &e.Fact
	s, err := loadSighting(ctx, b, f.ID)
	if err != nil {
		return err
	}
	at := e.When().UnixNano()
	if !s.exists {
		s.source, s.firstSeen, s.firstSeq, s.lo, s.hi = f.Source, at, e.Seq, at, at
	}
	if !f.PublishedAt.IsZero() {
		p := f.PublishedAt.UnixNano()
		s.lo, s.hi = min(s.lo, p), max(s.hi, p)
	}
	oldKey, oldDup := s.docKey, s.duplicateOf
	if f.DocKey != "" && (!s.keyFromDecision || f.Kind == syndicator.KindDecided) {
		s.docKey, s.keyFromDecision = f.DocKey, f.Kind == syndicator.KindDecided
	}
	if f.Kind == syndicator.KindDecided && f.DuplicateOf != "" {
		s.duplicateOf = f.DuplicateOf
	}
	group, err := groupKey(ctx, b, s)
	if err != nil {
		return err
	}
	s.groupKey = group
	if _, err := b.exec(ctx, `INSERT INTO sightings (item_id, source, doc_key, key_from_decision, duplicate_of, group_key, first_seen, first_seq, lo, hi)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(item_id) DO UPDATE SET doc_key = excluded.doc_key,
		key_from_decision = excluded.key_from_decision, duplicate_of = excluded.duplicate_of, group_key = excluded.group_key,
		lo = excluded.lo, hi = excluded.hi`,
		s.id, s.source, s.docKey, bit(s.keyFromDecision), s.duplicateOf, s.groupKey, s.firstSeen, int64(s.firstSeq), s.lo, s.hi); err != nil {
		return fmt.Errorf("write sighting %s: %w", s.id, err)
	}
	if s.docKey == oldKey && s.duplicateOf == oldDup {
		return nil
	}
	// Items that call this one their canonical and have no key of their
	// own follow it.
	_, err = b.exec(ctx, "UPDATE sightings SET group_key = ? WHERE duplicate_of = ? AND doc_key = ''", s.groupKey, s.id)
	return err
}

// groupKey is docKeyOf of the audit package for s: its doc_key, else its
// canonical's (duplicate_of chains are one step), else "item:" + its id.
func groupKey(ctx context.Context, b *batch, s *sighting) (string, error) {
	if s.docKey != "" {
		return s.docKey, nil
	}
	id, dup := s.id, s.duplicateOf
	for range 8 { // the audit package's bound: it stops a cycle
		if dup == "" {
			break
		}
		id = dup
		var key string
		err := b.queryRow(ctx, "SELECT doc_key, duplicate_of FROM sightings WHERE item_id = ?", id).Scan(&key, &dup)
		if errors.Is(err, sql.ErrNoRows) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("read sighting %s: %w", id, err)
		}
		if key != "" {
			return key, nil
		}
	}
	return "item:" + id, nil
}
