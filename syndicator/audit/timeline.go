// Package audit turns the ledger into what auditors ask for: per document
// the timeline of what happened when (each step with the ledger entry that
// proves it), the verdict against the service level of its class, and the
// report over a period. Everything here is pure: entries in, values out.
package audit

import (
	"slices"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/ledger"
)

// WARCName is the archive object holding a revision's WARC capture.
const WARCName = "capture.warc.gz"

// Timeline is everything the ledger says about one document (one doc_key,
// possibly seen on several sites). Seq fields name the ledger entry that
// proves each step.
type Timeline struct {
	DocKey    string `json:"doc_key"`
	Title     string `json:"title"`
	DocNumber string `json:"doc_number,omitempty"`
	// ItemID is the canonical sighting: the one decided for publication,
	// else the one not marked a duplicate, else the first seen.
	ItemID     string           `json:"item_id"`
	Source     string           `json:"source"`
	Level      syndicator.Level `json:"level,omitempty"`
	Column     string           `json:"column,omitempty"`
	Backfilled bool             `json:"backfilled,omitempty"`
	// Baseline: the canonical item was on its source's lists at the
	// source's first successful poll (基线), so its lag says nothing about
	// timeliness.
	Baseline bool `json:"baseline,omitempty"`
	// Upstream is the canonical item's own publication time, or the
	// earliest one of another sighting when it has none.
	Upstream  Upstream       `json:"upstream"`
	Sightings []Sighting     `json:"sightings"`
	Decided   *Decided       `json:"decided,omitempty"`
	Reviewed  *Reviewed      `json:"reviewed,omitempty"`
	Archived  []Archived     `json:"archived,omitempty"`
	Published []Published    `json:"published,omitempty"`
	Validity  []ValidityStep `json:"validity,omitempty"`
	Withdrawn *Withdrawn     `json:"withdrawn,omitempty"`
}

// Upstream is when the document was published at its source.
type Upstream struct {
	At        time.Time            `json:"at,omitzero"`
	Precision syndicator.Precision `json:"precision,omitempty"`
	ItemID    string               `json:"item_id,omitempty"`
	Seq       uint64               `json:"seq,omitempty"`
}

// Sighting is one site's copy of the document and when it was first seen.
type Sighting struct {
	ItemID      string               `json:"item_id"`
	Source      string               `json:"source"`
	Level       syndicator.Level     `json:"level,omitempty"`
	URL         string               `json:"url,omitempty"`
	PublishedAt time.Time            `json:"published_at,omitzero"`
	Precision   syndicator.Precision `json:"precision,omitempty"`
	At          time.Time            `json:"at"`
	Backfilled  bool                 `json:"backfilled,omitempty"`
	Baseline    bool                 `json:"baseline,omitempty"`
	Seq         uint64               `json:"seq"`
}

// Decided is the relevance decision that set the document's class.
type Decided struct {
	At          time.Time        `json:"at"`
	ItemID      string           `json:"item_id"`
	Class       syndicator.Class `json:"class"`
	Rule        string           `json:"rule,omitempty"`
	Column      string           `json:"column,omitempty"`
	Publish     bool             `json:"publish"`
	DuplicateOf string           `json:"duplicate_of,omitempty"`
	Seq         uint64           `json:"seq"`
}

// Reviewed is an operator's approval or rejection.
type Reviewed struct {
	At       time.Time          `json:"at"`
	ItemID   string             `json:"item_id"`
	Reviewer string             `json:"reviewer,omitempty"`
	Outcome  syndicator.Outcome `json:"outcome"`
	Comment  string             `json:"comment,omitempty"`
	Seq      uint64             `json:"seq"`
}

// Archived is one revision kept as evidence.
type Archived struct {
	At       time.Time `json:"at"`
	ItemID   string    `json:"item_id"`
	Revision int       `json:"revision"`
	Keys     []string  `json:"keys"`
	WARC     string    `json:"warc,omitempty"`
	// OriginalSHA256 is the sha256 of the page as served, from the
	// discovered or revised entry of the same revision.
	OriginalSHA256 string `json:"original_sha256,omitempty"`
	Seq            uint64 `json:"seq"`
}

// Published is the first publication of the document on one sink.
type Published struct {
	Sink     string    `json:"sink"`
	At       time.Time `json:"at"`
	ItemID   string    `json:"item_id"`
	Revision int       `json:"revision"`
	Location string    `json:"location,omitempty"`
	Digest   string    `json:"digest,omitempty"`
	Column   string    `json:"column,omitempty"`
	Seq      uint64    `json:"seq"`
}

// ValidityStep is one change of 有效性, or a source page gone.
type ValidityStep struct {
	At             time.Time           `json:"at"`
	ItemID         string              `json:"item_id"`
	To             syndicator.Validity `json:"to,omitempty"`
	Basis          string              `json:"basis,omitempty"`
	BasisDocNumber string              `json:"basis_doc_number,omitempty"`
	Gone           bool                `json:"gone,omitempty"`
	Seq            uint64              `json:"seq"`
}

// Withdrawn is the copy taken down.
type Withdrawn struct {
	At     time.Time `json:"at"`
	ItemID string    `json:"item_id"`
	Reason string    `json:"reason,omitempty"`
	Seq    uint64    `json:"seq"`
}

// PublishedOn is the first publication on sink ("" = any sink), or nil.
func (tl *Timeline) PublishedOn(sink string) *Published {
	var first *Published
	for i := range tl.Published {
		p := &tl.Published[i]
		if (sink == "" || p.Sink == sink) && (first == nil || p.At.Before(first.At)) {
			first = p
		}
	}
	return first
}

// FirstSighting is the earliest sighting, or nil.
func (tl *Timeline) FirstSighting() *Sighting {
	var first *Sighting
	for i := range tl.Sightings {
		if s := &tl.Sightings[i]; first == nil || s.At.Before(first.At) {
			first = s
		}
	}
	return first
}

// item is what the ledger says about one item while timelines are built.
type item struct {
	id       string
	firstSeq uint64
	sighting Sighting
	seen     bool   // fields taken from an entry carrying the item
	discSeq  uint64 // first discovered or revised entry
	// publishSeq is the first decision to publish it, rulesSeq the first
	// rules decision that did not call it a duplicate: they pick the
	// document's canonical sighting.
	publishSeq, rulesSeq uint64
	title                string
	docNumber            string
	column               string
	docKey               string
	keyFromDecision      bool
	duplicateOf          string
	captures             map[int]string // revision → original sha256
}

// Timelines groups the ledger by document, in order of first appearance.
func Timelines(entries []ledger.Entry) []Timeline {
	es := slices.Clone(entries)
	slices.SortStableFunc(es, func(a, b ledger.Entry) int { return cmpU64(a.Seq, b.Seq) })

	items := map[string]*item{}
	var order []string
	for _, e := range es {
		f := &e.Fact
		if f.ID == "" || f.Kind == syndicator.KindOperator {
			// Operator actions (a dead letter retried) name an item but
			// prove no step of its timeline.
			continue
		}
		it := items[f.ID]
		if it == nil {
			it = &item{id: f.ID, firstSeq: e.Seq, captures: map[int]string{}}
			it.sighting = Sighting{ItemID: f.ID, Source: f.Source, At: e.When(), Seq: e.Seq}
			items[f.ID] = it
			order = append(order, f.ID)
		}
		it.note(&e)
	}

	docs := map[string][]*item{}
	var docOrder []string
	for _, id := range order {
		key := docKeyOf(items, id)
		if _, ok := docs[key]; !ok {
			docOrder = append(docOrder, key)
		}
		docs[key] = append(docs[key], items[id])
	}
	byItem := map[string]string{}
	for key, its := range docs {
		for _, it := range its {
			byItem[it.id] = key
		}
	}
	tls := make(map[string]*Timeline, len(docs))
	for _, key := range docOrder {
		tls[key] = newTimeline(key, docs[key])
	}
	for _, e := range es {
		if tl := tls[byItem[e.Fact.ID]]; tl != nil {
			tl.add(&e, items[e.Fact.ID])
		}
	}
	out := make([]Timeline, 0, len(docOrder))
	for _, key := range docOrder {
		out = append(out, *tls[key])
	}
	return out
}

// note takes what an entry says about its item.
func (it *item) note(e *ledger.Entry) {
	f := &e.Fact
	if f.Kind == syndicator.KindDiscovered || f.Kind == syndicator.KindRevised {
		if f.CaptureSHA256 != "" {
			it.captures[f.Revision] = f.CaptureSHA256
		}
	}
	if f.DocKey != "" && (!it.keyFromDecision || f.Kind == syndicator.KindDecided) {
		it.docKey = f.DocKey
		it.keyFromDecision = f.Kind == syndicator.KindDecided
	}
	if f.Kind == syndicator.KindDecided {
		if f.DuplicateOf != "" {
			it.duplicateOf = f.DuplicateOf
		}
		if f.Publish && it.publishSeq == 0 {
			it.publishSeq = e.Seq
		}
		if f.Step != syndicator.StepReview && f.DuplicateOf == "" && it.rulesSeq == 0 {
			it.rulesSeq = e.Seq
		}
	}
	if f.Column != "" && it.column == "" {
		it.column = f.Column
	}
	if f.Backfilled {
		it.sighting.Backfilled = true
	}
	if f.Baseline {
		it.sighting.Baseline = true
	}
	// The item's fields come from the first entry carrying one; its first
	// discovery proves the sighting.
	s := &it.sighting
	discovery := f.Kind == syndicator.KindDiscovered || f.Kind == syndicator.KindRevised
	seenAt := e.When()
	if !f.DiscoveredAt.IsZero() {
		seenAt = f.DiscoveredAt
	}
	if discovery && it.discSeq == 0 {
		it.discSeq = e.Seq
		s.At, s.Seq = seenAt, e.Seq
	}
	if carries := f.Title != "" || f.URL != "" || !f.PublishedAt.IsZero(); carries && !it.seen {
		it.seen = true
		s.Source, s.Level, s.URL = f.Source, f.Level, f.URL
		s.PublishedAt, s.Precision = f.PublishedAt, f.Precision
		it.title, it.docNumber = f.Title, f.DocNumber
		if it.discSeq == 0 {
			s.At, s.Seq = seenAt, e.Seq
		}
	}
}
