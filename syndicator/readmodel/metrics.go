package readmodel

import (
	"context"
	"fmt"
	"time"

	"github.com/gyeco/syndicator/syndicator"
)

// The queries of this file feed serve's /metrics. They read what the
// projection already holds, so nothing is counted twice and no package has
// to carry counters: a scrape asks the read model instead.

// Decision is a rules decision on an item (not a review), with the class
// the item had before it: a scrape keeps the count of items per class
// current from these, instead of counting every item again.
type Decision struct {
	// Seq is the decided event's sequence in SYND_EVENTS.
	Seq    uint64
	Source string
	// Class is the class decided, Previous the one of the item's rules
	// decision before this one ("" for its first).
	Class, Previous syndicator.Class
}

// Decisions returns, oldest first, at most limit rules decisions whose
// event comes after stream sequence after. As with FirstPublications, a
// caller that passes the last Seq it got misses nothing and reads nothing
// twice; replaying them all from 0 gives each item's class as the items
// table holds it.
func (s *Store) Decisions(ctx context.Context, after uint64, limit int) ([]Decision, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT st.seq, i.source, st.detail,
		COALESCE((SELECT p.detail FROM steps p WHERE p.item_id = st.item_id AND p.seq < st.seq AND p.kind = st.kind
			AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.seq = p.seq) ORDER BY p.seq DESC LIMIT 1), '')
		FROM steps st JOIN items i ON i.id = st.item_id
		WHERE st.seq > ? AND st.kind = ? AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.seq = st.seq)
		ORDER BY st.seq LIMIT ?`, int64(after), syndicator.KindDecided, limit)
	if err != nil {
		return nil, fmt.Errorf("read model decisions: %w", err)
	}
	defer rows.Close()
	var out []Decision
	for rows.Next() {
		var (
			d   Decision
			seq int64
		)
		if err := rows.Scan(&seq, &d.Source, &d.Class, &d.Previous); err != nil {
			return nil, fmt.Errorf("read model decisions: %w", err)
		}
		d.Seq = uint64(seq)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read model decisions: %w", err)
	}
	return out, nil
}

// Publication is an item's first publication on a sink.
type Publication struct {
	// Seq is the published event's sequence in SYND_EVENTS.
	Seq          uint64
	Source, Sink string
	// At is when the sink published the item (the event's time).
	At time.Time
	// DiscoveredAt is when the crawler first found the item, PublishedAt
	// when its source published it; zero when not known.
	DiscoveredAt, PublishedAt time.Time
	// Backfilled and Baseline mark history rather than new releases.
	Backfilled, Baseline bool
}

// FirstPublications returns, oldest first, at most limit publications
// whose event comes after stream sequence after and is the first of its
// item on its sink: a later revision, a validity banner or a re-render
// publishes the page again, and is not how long the item took to go live.
// The projection commits SYND_EVENTS in stream order, so a caller that
// passes the last Seq it got misses nothing and reads nothing twice.
func (s *Store) FirstPublications(ctx context.Context, after uint64, limit int) ([]Publication, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT st.seq, i.source, st.sink, st.at, i.discovered_at, i.published_at, i.backfilled, i.baseline
		FROM steps st JOIN items i ON i.id = st.item_id
		WHERE st.seq > ? AND st.kind = ?
		AND NOT EXISTS (SELECT 1 FROM steps p WHERE p.item_id = st.item_id AND p.seq < st.seq AND p.kind = st.kind AND p.sink = st.sink)
		ORDER BY st.seq LIMIT ?`, int64(after), syndicator.KindPublished, limit)
	if err != nil {
		return nil, fmt.Errorf("read model publications: %w", err)
	}
	defer rows.Close()
	var out []Publication
	for rows.Next() {
		var (
			p                       Publication
			seq, at, disc, pub      int64
			backfilled, baselineBit int
		)
		if err := rows.Scan(&seq, &p.Source, &p.Sink, &at, &disc, &pub, &backfilled, &baselineBit); err != nil {
			return nil, fmt.Errorf("read model publications: %w", err)
		}
		p.Seq, p.At, p.DiscoveredAt, p.PublishedAt = uint64(seq), fromNanos(at), fromNanos(disc), fromNanos(pub)
		p.Backfilled, p.Baseline = backfilled != 0, baselineBit != 0
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read model publications: %w", err)
	}
	return out, nil
}
