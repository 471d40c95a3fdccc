// Package readmodel is the queryable projection of the streams that the
// console, the item search and the audit endpoints read: items with every
// field of the schema and the state of each step, their revisions, the
// documents they are sightings of, reviews, validity changes, source health,
// dead letters and the ledger entries by item and sequence, with full-text
// search (FTS5 trigram: Chinese substrings match) over title, 发文字号 and
// body. It lives in one SQLite file per serve instance under data_dir; the
// file is a cache: deleted, it is rebuilt from the streams, so instances
// share no database.
package readmodel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"
)

// schemaVersion is stored in PRAGMA user_version. A file written by
// another version is not migrated: it is a cache, so it is replaced and
// rebuilt from the streams.
const schemaVersion = 4

// schema creates the tables. Times are Unix nanoseconds (0: not yet);
// booleans 0/1. extracted_by is the revision's Item.ExtractedBy
// ("fallback": the generic readers read it, the source's selectors
// matching nothing), on items that of the latest revision. An item's sort_key (sortKey) orders searches and is its
// rowid in items_fts, so a full-text search walks the index newest first
// and stops at the page instead of sorting every match.
const schema = `
CREATE TABLE positions (
	stream TEXT PRIMARY KEY,
	seq    INTEGER NOT NULL
);
CREATE TABLE items (
	rid INTEGER PRIMARY KEY,
	id TEXT NOT NULL UNIQUE,
	source TEXT NOT NULL DEFAULT '',
	level TEXT NOT NULL DEFAULT '',
	url TEXT NOT NULL DEFAULT '',
	doc_key TEXT NOT NULL DEFAULT '',
	title TEXT NOT NULL DEFAULT '',
	doc_number TEXT NOT NULL DEFAULT '',
	index_number TEXT NOT NULL DEFAULT '',
	issuer TEXT NOT NULL DEFAULT '',
	subject TEXT NOT NULL DEFAULT '',
	doc_type TEXT NOT NULL DEFAULT '',
	origin TEXT NOT NULL DEFAULT '',
	written_at TEXT NOT NULL DEFAULT '',
	published_at INTEGER NOT NULL DEFAULT 0,
	published_precision TEXT NOT NULL DEFAULT '',
	validity TEXT NOT NULL DEFAULT '',
	content_sha256 TEXT NOT NULL DEFAULT '',
	revision INTEGER NOT NULL DEFAULT 0,
	column_id TEXT NOT NULL DEFAULT '',
	fetched_at INTEGER NOT NULL DEFAULT 0,
	extracted_by TEXT NOT NULL DEFAULT '',
	discovered_at INTEGER NOT NULL DEFAULT 0,
	backfilled INTEGER NOT NULL DEFAULT 0,
	baseline INTEGER NOT NULL DEFAULT 0,
	attachments TEXT NOT NULL DEFAULT '',
	related TEXT NOT NULL DEFAULT '',
	class TEXT NOT NULL DEFAULT '',
	rule TEXT NOT NULL DEFAULT '',
	publish INTEGER NOT NULL DEFAULT 0,
	duplicate_of TEXT NOT NULL DEFAULT '',
	reason TEXT NOT NULL DEFAULT '',
	decided_at INTEGER NOT NULL DEFAULT 0,
	outcome TEXT NOT NULL DEFAULT '',
	reviewer TEXT NOT NULL DEFAULT '',
	comment TEXT NOT NULL DEFAULT '',
	reviewed_at INTEGER NOT NULL DEFAULT 0,
	archived_at INTEGER NOT NULL DEFAULT 0,
	published_on_site_at INTEGER NOT NULL DEFAULT 0,
	location TEXT NOT NULL DEFAULT '',
	withdrawn_at INTEGER NOT NULL DEFAULT 0,
	withdraw_reason TEXT NOT NULL DEFAULT '',
	gone INTEGER NOT NULL DEFAULT 0,
	state TEXT NOT NULL DEFAULT '',
	sort_key INTEGER NOT NULL DEFAULT 0,
	first_seq INTEGER NOT NULL DEFAULT 0,
	last_seq INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX items_sort ON items(sort_key);
CREATE INDEX items_source ON items(source, sort_key);
CREATE INDEX items_state ON items(state, sort_key);
CREATE INDEX items_class ON items(class, sort_key);
CREATE INDEX items_doc ON items(doc_key);
CREATE INDEX items_extracted ON items(extracted_by, sort_key);
CREATE VIRTUAL TABLE items_fts USING fts5(title, doc_number, body, content='', contentless_delete=1, tokenize='trigram');
CREATE TABLE revisions (
	item_id TEXT NOT NULL,
	revision INTEGER NOT NULL,
	title TEXT NOT NULL,
	body_text TEXT NOT NULL,
	content_sha256 TEXT NOT NULL,
	extracted_by TEXT NOT NULL DEFAULT '',
	at INTEGER NOT NULL,
	seq INTEGER NOT NULL,
	PRIMARY KEY (item_id, revision)
);
CREATE TABLE steps (
	seq INTEGER PRIMARY KEY,
	item_id TEXT NOT NULL,
	kind TEXT NOT NULL,
	revision INTEGER NOT NULL,
	sink TEXT NOT NULL DEFAULT '',
	at INTEGER NOT NULL,
	detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX steps_item ON steps(item_id, seq);
CREATE TABLE reviews (
	seq INTEGER PRIMARY KEY,
	item_id TEXT NOT NULL,
	revision INTEGER NOT NULL,
	outcome TEXT NOT NULL,
	reviewer TEXT NOT NULL,
	comment TEXT NOT NULL,
	column_id TEXT NOT NULL,
	at INTEGER NOT NULL
);
CREATE INDEX reviews_item ON reviews(item_id, seq);
CREATE TABLE validity (
	seq INTEGER PRIMARY KEY,
	item_id TEXT NOT NULL,
	at INTEGER NOT NULL,
	from_v TEXT NOT NULL,
	to_v TEXT NOT NULL,
	basis TEXT NOT NULL,
	basis_doc_number TEXT NOT NULL,
	basis_url TEXT NOT NULL,
	gone INTEGER NOT NULL,
	status INTEGER NOT NULL
);
CREATE INDEX validity_item ON validity(item_id, seq);
CREATE TABLE health (
	seq INTEGER PRIMARY KEY,
	source TEXT NOT NULL,
	state TEXT NOT NULL,
	reason TEXT NOT NULL,
	at INTEGER NOT NULL
);
CREATE INDEX health_source ON health(source, seq);
CREATE TABLE dead (
	seq INTEGER PRIMARY KEY,
	consumer TEXT NOT NULL,
	subject TEXT NOT NULL,
	stream_seq INTEGER NOT NULL,
	deliveries INTEGER NOT NULL,
	permanent INTEGER NOT NULL,
	error TEXT NOT NULL,
	at INTEGER NOT NULL,
	item_id TEXT NOT NULL,
	source TEXT NOT NULL,
	kind TEXT NOT NULL
);
CREATE INDEX dead_item ON dead(item_id);
CREATE TABLE entries (
	seq INTEGER PRIMARY KEY,
	at INTEGER NOT NULL,
	kind TEXT NOT NULL,
	item_id TEXT NOT NULL,
	sink TEXT NOT NULL,
	json BLOB NOT NULL
);
CREATE INDEX entries_item ON entries(item_id, seq);
CREATE TABLE actions (
	seq INTEGER PRIMARY KEY,
	at INTEGER NOT NULL,
	action TEXT NOT NULL,
	actor TEXT NOT NULL,
	role TEXT NOT NULL,
	source TEXT NOT NULL,
	item_id TEXT NOT NULL,
	consumer TEXT NOT NULL,
	dead_seq INTEGER NOT NULL,
	reason TEXT NOT NULL,
	outcome TEXT NOT NULL,
	failed INTEGER NOT NULL
);
CREATE INDEX actions_dead ON actions(dead_seq, seq);
CREATE INDEX actions_item ON actions(item_id, seq);
CREATE INDEX entries_published ON entries(kind, sink, item_id, seq);
CREATE TABLE sightings (
	item_id TEXT PRIMARY KEY,
	source TEXT NOT NULL,
	doc_key TEXT NOT NULL,
	key_from_decision INTEGER NOT NULL,
	duplicate_of TEXT NOT NULL,
	group_key TEXT NOT NULL,
	first_seen INTEGER NOT NULL,
	first_seq INTEGER NOT NULL,
	lo INTEGER NOT NULL,
	hi INTEGER NOT NULL
);
CREATE INDEX sightings_group ON sightings(group_key);
CREATE INDEX sightings_dup ON sightings(duplicate_of);
CREATE INDEX sightings_lo ON sightings(lo);
CREATE VIEW documents AS
	SELECT group_key AS doc_key, count(*) AS sightings, min(first_seen) AS first_seen, min(first_seq) AS first_seq
	FROM sightings GROUP BY group_key;
`

// Store is an open read model.
type Store struct {
	path string
	// w is the one writing connection (SQLite has one writer at a time);
	// r serves queries, which WAL lets run beside a write.
	w, r *sql.DB
}

// Open opens the read model at path, creating it, or replacing a file
// of another schema version or one that cannot be read (the streams
// rebuild it).
func Open(ctx context.Context, path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("read model %s: %w", path, err)
	}
	s, err := open(ctx, path)
	if err == nil {
		var v int
		if err = s.w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err == nil && v == schemaVersion {
			return s, nil
		}
		if err == nil && v == 0 {
			if err = s.create(ctx); err == nil {
				return s, nil
			}
		}
		s.Close()
	}
	// Another version, or a damaged file: start over.
	if rerr := Remove(path); rerr != nil {
		return nil, errors.Join(err, rerr)
	}
	if s, err = open(ctx, path); err != nil {
		return nil, err
	}
	if err := s.create(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Remove deletes the read model at path with its WAL files.
func Remove(path string) error {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("read model: %w", err)
		}
	}
	return nil
}

func open(ctx context.Context, path string) (*Store, error) {
	// synchronous=NORMAL: a crash may lose the last transactions, never
	// corrupt the file; each transaction carries its stream positions, so
	// what is lost is read again.
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(OFF)"
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("read model %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("read model %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", dsn+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("read model %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	return &Store{path: path, w: w, r: r}, nil
}

func (s *Store) create(ctx context.Context) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("read model %s: %w", s.path, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, schema); err != nil {
		return fmt.Errorf("read model %s: create schema: %w", s.path, err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", schemaVersion)); err != nil {
		return fmt.Errorf("read model %s: %w", s.path, err)
	}
	return tx.Commit()
}

// Close closes the file.
func (s *Store) Close() error {
	return errors.Join(s.r.Close(), s.w.Close())
}

// Path is the file the read model lives in.
func (s *Store) Path() string { return s.path }

// Positions is the last applied sequence of each stream.
func (s *Store) Positions(ctx context.Context) (map[string]uint64, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT stream, seq FROM positions")
	if err != nil {
		return nil, fmt.Errorf("read model positions: %w", err)
	}
	defer rows.Close()
	out := map[string]uint64{}
	for rows.Next() {
		var name string
		var seq int64
		if err := rows.Scan(&name, &seq); err != nil {
			return nil, fmt.Errorf("read model positions: %w", err)
		}
		out[name] = uint64(seq)
	}
	return out, rows.Err()
}
