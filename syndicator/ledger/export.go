package ledger

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

const trailerType = "end"

// Trailer is the last line of an export. Without it a file cut at a line
// boundary would still be a valid chain, so its absence means truncation.
// An export that does not start at seq 1 (audit export --from) is partial:
// its first entry's Prev cannot be checked inside the file and is recorded
// here as FirstPrev, to be compared with the live ledger if need be.
type Trailer struct {
	Type      string `json:"type"`
	Count     int    `json:"count"`
	FirstSeq  uint64 `json:"first_seq"`
	LastSeq   uint64 `json:"last_seq"`
	Head      string `json:"head"`
	Partial   bool   `json:"partial,omitempty"`
	FirstPrev string `json:"first_prev,omitempty"`
	// ExportedAt is when the export was made. An anchor recorded after it
	// is beyond the export, not a sign of truncation. Older exports lack
	// it and are held against every anchor.
	ExportedAt time.Time `json:"exported_at,omitzero"`
}

// Writer writes an export: one canonical entry a line, then the trailer.
// Entries must be consecutive; Writer does not check them (Verify does).
type Writer struct {
	w     *bufio.Writer
	t     Trailer
	wrote bool
}

// NewWriter returns a Writer on w for an export made at now.
func NewWriter(w io.Writer, now time.Time) *Writer {
	t := Trailer{Type: trailerType, ExportedAt: now.UTC()}
	return &Writer{w: bufio.NewWriterSize(w, 64<<10), t: t}
}

// MarkPartial records that the export is a selection (audit export --from
// --to): the trailer says so even when the first entry is seq 1, and a
// verifier does not hold its end against later anchors.
func (x *Writer) MarkPartial() { x.t.Partial = true }

// Write appends one entry.
func (x *Writer) Write(e *Entry) error {
	b, err := Canonical(e)
	if err != nil {
		return err
	}
	return x.WriteRaw(b, e)
}

// WriteRaw appends one entry as stored (raw, without newline), e being its
// decoded value: an export copies the stored bytes rather than re-encoding
// them, so a stored entry that is not canonical fails verification instead
// of being silently repaired.
func (x *Writer) WriteRaw(raw []byte, e *Entry) error {
	if !x.wrote {
		x.wrote = true
		x.t.FirstSeq = e.Seq
		if e.Seq != 1 {
			x.t.Partial = true
		}
		if x.t.Partial {
			x.t.FirstPrev = e.Prev
		}
	}
	x.t.Count++
	x.t.LastSeq, x.t.Head = e.Seq, e.Hash
	if _, err := x.w.Write(raw); err != nil {
		return fmt.Errorf("write ledger export: %w", err)
	}
	if err := x.w.WriteByte('\n'); err != nil {
		return fmt.Errorf("write ledger export: %w", err)
	}
	return nil
}

// Close writes the trailer and flushes; it does not close the underlying
// writer.
func (x *Writer) Close() error {
	b, err := json.Marshal(&x.t)
	if err != nil {
		return fmt.Errorf("encode ledger trailer: %w", err)
	}
	b = append(b, '\n')
	if _, err := x.w.Write(b); err != nil {
		return fmt.Errorf("write ledger export: %w", err)
	}
	if err := x.w.Flush(); err != nil {
		return fmt.Errorf("write ledger export: %w", err)
	}
	return nil
}

// Trailer returns what Close writes (or has written).
func (x *Writer) Trailer() Trailer { return x.t }
