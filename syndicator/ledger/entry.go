// Package ledger is the audit ledger (DESIGN §5 SYND_AUDIT): every event of
// every item becomes one append-only entry in a hash chain, each entry
// carrying the hash of the one before, so that editing, deleting,
// reordering or truncating entries is detectable.
package ledger

import (
	"time"

	"github.com/gyeco/syndicator/syndicator"
)

// Entry is one ledger entry, stored as JSON on synd.audit.entry and
// exported one per line.
type Entry struct {
	// Seq is the entry's position in the chain, from 1, without gaps.
	Seq uint64 `json:"seq"`
	// At is when the entry was recorded.
	At time.Time `json:"at"`
	// EventSeq is the event's sequence in stream SYND_EVENTS, Subject its
	// subject and EventSHA256 the sha256 of its bytes as published: they
	// tie the entry to the event it records.
	EventSeq    uint64 `json:"event_seq"`
	Subject     string `json:"subject"`
	EventSHA256 string `json:"event_sha256"`
	// Fact is what the event says, as much as audits need.
	Fact Fact `json:"fact"`
	// Prev is the Hash of entry Seq-1 ("" for the first entry); Hash is the
	// hex sha256 of the entry's canonical JSON with Hash empty.
	Prev string `json:"prev"`
	Hash string `json:"hash"`
}

// When is the time of what the entry records: the event's own time, else
// when the ledger recorded it. Timelines and reports place entries by it.
func (e *Entry) When() time.Time {
	if !e.Fact.EventAt.IsZero() {
		return e.Fact.EventAt
	}
	return e.At
}

// Fact is the audit-relevant content of one item event.
type Fact struct {
	Kind     syndicator.Kind `json:"kind"`
	ID       string          `json:"id"`
	Revision int             `json:"revision"`
	Source   string          `json:"source"`
	Sink     string          `json:"sink,omitempty"`
	// EventAt is the event's own time (Event.At).
	EventAt time.Time `json:"event_at"`

	// From the item, when the event carries one.
	URL          string               `json:"url,omitempty"`
	Level        syndicator.Level     `json:"level,omitempty"`
	DocKey       string               `json:"doc_key,omitempty"`
	Title        string               `json:"title,omitempty"`
	DocNumber    string               `json:"doc_number,omitempty"`
	Column       string               `json:"column,omitempty"`
	PublishedAt  time.Time            `json:"published_at,omitzero"`
	Precision    syndicator.Precision `json:"published_precision,omitempty"`
	DiscoveredAt time.Time            `json:"discovered_at,omitzero"`
	Backfilled   bool                 `json:"backfilled,omitempty"`
	Baseline     bool                 `json:"baseline,omitempty"`
	ContentSHA   string               `json:"content_sha256,omitempty"`

	// Decisions (decided).
	Step        syndicator.Step    `json:"step,omitempty"`
	Class       syndicator.Class   `json:"class,omitempty"`
	Rule        string             `json:"rule,omitempty"`
	Publish     bool               `json:"publish,omitempty"`
	DuplicateOf string             `json:"duplicate_of,omitempty"`
	Outcome     syndicator.Outcome `json:"outcome,omitempty"`
	Reviewer    string             `json:"reviewer,omitempty"`
	Comment     string             `json:"comment,omitempty"`

	// Validity changes (validity).
	ValidityTo     syndicator.Validity `json:"validity_to,omitempty"`
	Basis          string              `json:"basis,omitempty"`
	BasisDocNumber string              `json:"basis_doc_number,omitempty"`
	Gone           bool                `json:"gone,omitempty"`

	// Evidence: captures (discovered, revised), archive keys (archived),
	// where and what was published (published), why withdrawn.
	CaptureSHA256 string   `json:"capture_sha256,omitempty"`
	ArchiveKeys   []string `json:"archive_keys,omitempty"`
	Location      string   `json:"location,omitempty"`
	Digest        string   `json:"digest,omitempty"`
	Reason        string   `json:"reason,omitempty"`

	// Operator actions (operator): what was done by whom; a dead letter
	// by its consumer and SYND_DEAD sequence; Reason holds the comment.
	Action   syndicator.ActionName `json:"action,omitempty"`
	Actor    string                `json:"actor,omitempty"`
	Role     string                `json:"role,omitempty"`
	Consumer string                `json:"consumer,omitempty"`
	DeadSeq  uint64                `json:"dead_seq,omitempty"`
	// ActionOutcome says what came of the action; Failed that it was refused.
	ActionOutcome string `json:"action_outcome,omitempty"`
	Failed        bool   `json:"failed,omitempty"`
}

// FactOf extracts the Fact of an event whose item (if any) has been read
// (it may be nil: claim-checked items are passed in by the caller).
func FactOf(ev *syndicator.Event, it *syndicator.Item) Fact {
	f := Fact{
		Kind: ev.Kind, ID: ev.ID, Revision: ev.Revision, Source: ev.Source, Sink: ev.Sink,
		EventAt: ev.At, ArchiveKeys: ev.ArchiveKeys, Location: ev.Location, Digest: ev.Digest, Reason: ev.Reason,
	}
	if ev.Capture != nil {
		f.CaptureSHA256 = ev.Capture.SHA256
	}
	if it != nil {
		f.URL, f.Level, f.DocKey, f.Title, f.DocNumber, f.Column = it.URL, it.Level, it.DocKey, it.Title, it.DocNumber, it.Column
		f.PublishedAt, f.Precision, f.DiscoveredAt, f.Backfilled, f.ContentSHA = it.PublishedAt, it.PublishedPrecision, it.DiscoveredAt, it.Backfilled, it.ContentSHA256
		f.Baseline = it.Baseline
	}
	if d := ev.Decision; d != nil {
		f.Step, f.Class, f.Rule, f.Publish, f.DuplicateOf = d.Step, d.Class, d.Rule, d.Publish, d.DuplicateOf
		f.Outcome, f.Reviewer, f.Comment = d.Outcome, d.Reviewer, d.Comment
		if d.Column != "" {
			f.Column = d.Column
		}
		if d.DocKey != "" {
			f.DocKey = d.DocKey
		}
	}
	if a := ev.Action; a != nil {
		f.Action, f.Actor, f.Role, f.Consumer, f.DeadSeq = a.Name, a.Actor, a.Role, a.Consumer, a.DeadSeq
		f.ActionOutcome, f.Failed = a.Outcome, a.Failed
		if a.Reason != "" {
			f.Reason = a.Reason
		}
	}
	if v := ev.Validity; v != nil {
		f.ValidityTo, f.Basis, f.BasisDocNumber, f.Gone = v.To, v.Basis, v.BasisDocNumber, v.Gone
	}
	return f
}
