package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/rs/zerolog"
)

// Anchor is a chain head written to the archive. Its bytes depend only on
// the head, so every archive instance writes the same object for the same
// head and PutNew answers a repeat with created=false; the object's own
// creation time (and, on S3, its object-lock retention) says since when
// the head was committed.
type Anchor struct {
	Seq  uint64 `json:"seq"`
	Hash string `json:"hash"`
	// At is when the head entry was recorded.
	At time.Time `json:"at"`
	// Key is where the anchor is stored; set in index records and when
	// loaded, never in the object itself.
	Key string `json:"key,omitempty"`
}

// AnchorKey is audit/anchors/<yyyy>/<mm>/<seq, 12 digits>-<hash[:16]>.json,
// the month being the head entry's (UTC).
func AnchorKey(a Anchor) string {
	at := a.At.UTC()
	h := a.Hash
	if len(h) > 16 {
		h = h[:16]
	}
	return fmt.Sprintf("audit/anchors/%04d/%02d/%012d-%s.json", at.Year(), int(at.Month()), a.Seq, h)
}

// AnchorStore is the archive: write-once objects (S3 with object lock, or
// read-only files).
type AnchorStore interface {
	PutNew(ctx context.Context, key string, data []byte, contentType string) (created bool, err error)
}

// AnchorIndex lists the anchors written, because the archive cannot be
// listed; its records are only pointers, the archive objects are checked.
type AnchorIndex interface {
	AppendAnchor(ctx context.Context, key string, data []byte) error
	ReadAnchors(ctx context.Context, fn func(data []byte) error) error
}

// Heads reads the ledger head.
type Heads interface {
	LastEntry(ctx context.Context) (data []byte, streamSeq uint64, err error)
}

// Anchorer writes the chain head to the archive every Every.
type Anchorer struct {
	heads Heads
	store AnchorStore
	index AnchorIndex
	every time.Duration
	log   zerolog.Logger
	last  uint64
}

// NewAnchorer returns an anchorer writing every every (1h when zero); it
// does no I/O.
func NewAnchorer(heads Heads, store AnchorStore, index AnchorIndex, every time.Duration, log zerolog.Logger) *Anchorer {
	if every <= 0 {
		every = time.Hour
	}
	return &Anchorer{heads: heads, store: store, index: index, every: every, log: log.With().Str("sink", "audit").Logger()}
}

// Run anchors the head at once and then every interval, until ctx ends.
// Failures are retried at the next tick. One failure is a warning (an
// archive or NATS outage shorter than an interval costs nothing: the next
// anchor covers the same entries); failing for a whole interval or more is
// an error, and the first success after failures says so.
func (a *Anchorer) Run(ctx context.Context) error {
	t := time.NewTicker(a.every)
	defer t.Stop()
	failed := 0
	for {
		anc, created, err := a.AnchorNow(ctx)
		switch {
		case err != nil && ctx.Err() != nil:
			return nil
		case err != nil:
			failed++
			ev := a.log.Warn()
			if failed > 1 {
				ev = a.log.Error()
			}
			ev.Err(err).Int("failed_in_a_row", failed).Dur("interval", a.every).Msg("cannot anchor the ledger head; retrying at the next interval")
		default:
			if failed > 0 {
				a.log.Info().Int("failed_in_a_row", failed).Msg("anchoring the ledger head works again")
				failed = 0
			}
			if created {
				a.log.Info().Uint64("seq", anc.Seq).Str("hash", anc.Hash).Str("key", anc.Key).Msg("ledger head anchored in the archive")
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// AnchorNow writes the current head unless this anchorer wrote it already
// or the ledger is empty; created reports a new archive object.
func (a *Anchorer) AnchorNow(ctx context.Context) (Anchor, bool, error) {
	data, _, err := a.heads.LastEntry(ctx)
	if err != nil {
		return Anchor{}, false, fmt.Errorf("read ledger head: %w", err)
	}
	if data == nil {
		return Anchor{}, false, nil
	}
	var e Entry
	if err := json.Unmarshal(data, &e); err != nil {
		return Anchor{}, false, fmt.Errorf("decode ledger head: %w", err)
	}
	anc := Anchor{Seq: e.Seq, Hash: e.Hash, At: e.At}
	anc.Key = AnchorKey(anc)
	if e.Seq == a.last {
		return anc, false, nil
	}
	obj, err := json.Marshal(Anchor{Seq: anc.Seq, Hash: anc.Hash, At: anc.At})
	if err != nil {
		return anc, false, fmt.Errorf("encode anchor: %w", err)
	}
	created, err := a.store.PutNew(ctx, anc.Key, obj, "application/json")
	if err != nil {
		return anc, false, fmt.Errorf("write anchor %s: %w", anc.Key, err)
	}
	rec, err := json.Marshal(anc)
	if err != nil {
		return anc, false, fmt.Errorf("encode anchor record: %w", err)
	}
	// Indexed even when the object existed: the instance that wrote it may
	// have stopped before indexing it. The index drops repeats by key.
	if err := a.index.AppendAnchor(ctx, anc.Key, rec); err != nil {
		return anc, false, fmt.Errorf("index anchor %s: %w", anc.Key, err)
	}
	a.last = e.Seq
	return anc, created, nil
}

// AnchorGetter reads archive objects.
type AnchorGetter interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

// LoadAnchors reads every indexed anchor back from the archive and returns
// them by seq, for VerifyOptions.Anchors. An indexed anchor missing from the
// archive, an object that disagrees with its record, or two anchors with
// different hashes for one seq is an error (in Chinese, for operators).
func LoadAnchors(ctx context.Context, index AnchorIndex, get AnchorGetter) (map[uint64]Anchor, error) {
	out := map[uint64]Anchor{}
	seen := map[string]bool{}
	err := index.ReadAnchors(ctx, func(data []byte) error {
		var rec Anchor
		if err := json.Unmarshal(data, &rec); err != nil {
			return fmt.Errorf("锚点索引记录无法解析：%w", err)
		}
		if rec.Key == "" || seen[rec.Key] {
			return nil
		}
		seen[rec.Key] = true
		obj, err := get.Get(ctx, rec.Key)
		if err != nil {
			return fmt.Errorf("无法从存档读取锚点 %s：%w", rec.Key, err)
		}
		var a Anchor
		if err := json.Unmarshal(obj, &a); err != nil {
			return fmt.Errorf("存档锚点 %s 无法解析：%w", rec.Key, err)
		}
		a.Key = rec.Key
		if a.Seq != rec.Seq || a.Hash != rec.Hash || AnchorKey(a) != rec.Key {
			return fmt.Errorf("存档锚点 %s 与索引不符（存档为 seq %d、哈希 %s）", rec.Key, a.Seq, short(a.Hash))
		}
		if prev, ok := out[a.Seq]; ok && prev.Hash != a.Hash {
			return fmt.Errorf("账本分叉：seq %d 有两个不同的锚点（%s 与 %s）", a.Seq, prev.Key, a.Key)
		}
		out[a.Seq] = a
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
