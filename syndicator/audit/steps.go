package audit

import (
	"cmp"
	"slices"
	"strings"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/ledger"
)

// docKeyOf is the item's doc_key, else its canonical's (following
// duplicate_of), else a key of its own.
func docKeyOf(items map[string]*item, id string) string {
	for range 8 { // duplicate_of chains are one step; the bound stops a cycle
		it := items[id]
		if it == nil {
			break
		}
		if it.docKey != "" {
			return it.docKey
		}
		if it.duplicateOf == "" {
			break
		}
		id = it.duplicateOf
	}
	return "item:" + id
}

// newTimeline fills what the items say; add then takes the steps.
func newTimeline(key string, its []*item) *Timeline {
	canon := canonical(its)
	tl := &Timeline{DocKey: key, ItemID: canon.id, Source: canon.sighting.Source, Level: canon.sighting.Level,
		Column: canon.column, Backfilled: canon.sighting.Backfilled, Baseline: canon.sighting.Baseline, Title: canon.title, DocNumber: canon.docNumber}
	for _, it := range its {
		tl.Sightings = append(tl.Sightings, it.sighting)
		if tl.Title == "" {
			tl.Title, tl.DocNumber = it.title, it.docNumber
		}
	}
	slices.SortStableFunc(tl.Sightings, func(a, b Sighting) int {
		return cmp.Or(a.At.Compare(b.At), cmpU64(a.Seq, b.Seq))
	})
	if s := canon.sighting; !s.PublishedAt.IsZero() {
		tl.Upstream = Upstream{At: s.PublishedAt, Precision: s.Precision, ItemID: s.ItemID, Seq: s.Seq}
	} else {
		for _, s := range tl.Sightings {
			if !s.PublishedAt.IsZero() && (tl.Upstream.At.IsZero() || s.PublishedAt.Before(tl.Upstream.At)) {
				tl.Upstream = Upstream{At: s.PublishedAt, Precision: s.Precision, ItemID: s.ItemID, Seq: s.Seq}
			}
		}
	}
	return tl
}

// canonical is the item decided for publication first, else the first not
// called a duplicate, else the first seen.
func canonical(its []*item) *item {
	best := func(seq func(*item) uint64) *item {
		var b *item
		for _, it := range its {
			if s := seq(it); s != 0 && (b == nil || s < seq(b)) {
				b = it
			}
		}
		return b
	}
	if it := best(func(it *item) uint64 { return it.publishSeq }); it != nil {
		return it
	}
	if it := best(func(it *item) uint64 { return it.rulesSeq }); it != nil {
		return it
	}
	first := its[0]
	for _, it := range its[1:] {
		if it.sighting.At.Before(first.sighting.At) {
			first = it
		}
	}
	return first
}

// add records the step an entry proves.
func (tl *Timeline) add(e *ledger.Entry, it *item) {
	f := &e.Fact
	at := e.When()
	switch f.Kind {
	case syndicator.KindDecided:
		if f.Step == syndicator.StepReview {
			if tl.Reviewed == nil && (f.Outcome == syndicator.OutcomeApproved || f.Outcome == syndicator.OutcomeRejected) {
				tl.Reviewed = &Reviewed{At: at, ItemID: f.ID, Reviewer: f.Reviewer, Outcome: f.Outcome, Comment: f.Comment, Seq: e.Seq}
			}
			return
		}
		// The canonical item's first decision sets the class; a later one
		// that lets it publish (after waiting for the issuer's page)
		// replaces one that did not.
		if f.ID != tl.ItemID || (tl.Decided != nil && (tl.Decided.Publish || !f.Publish)) {
			return
		}
		tl.Decided = &Decided{At: at, ItemID: f.ID, Class: f.Class, Rule: f.Rule, Column: f.Column,
			Publish: f.Publish, DuplicateOf: f.DuplicateOf, Seq: e.Seq}
		if f.Column != "" {
			tl.Column = f.Column
		}
	case syndicator.KindArchived:
		a := Archived{At: at, ItemID: f.ID, Revision: f.Revision, Keys: f.ArchiveKeys,
			OriginalSHA256: it.captures[f.Revision], Seq: e.Seq}
		if a.OriginalSHA256 == "" {
			a.OriginalSHA256 = f.CaptureSHA256
		}
		for _, k := range f.ArchiveKeys {
			if k == WARCName || strings.HasSuffix(k, "/"+WARCName) {
				a.WARC = k
			}
		}
		tl.Archived = append(tl.Archived, a)
	case syndicator.KindPublished:
		for _, p := range tl.Published {
			if p.Sink == f.Sink {
				return
			}
		}
		col := f.Column
		if col == "" {
			col, _, _ = strings.Cut(strings.TrimPrefix(f.Location, "/"), "/")
		}
		tl.Published = append(tl.Published, Published{Sink: f.Sink, At: at, ItemID: f.ID, Revision: f.Revision,
			Location: f.Location, Digest: f.Digest, Column: col, Seq: e.Seq})
	case syndicator.KindValidity:
		tl.Validity = append(tl.Validity, ValidityStep{At: at, ItemID: f.ID, To: f.ValidityTo, Basis: f.Basis,
			BasisDocNumber: f.BasisDocNumber, Gone: f.Gone, Seq: e.Seq})
	case syndicator.KindWithdrawn:
		if tl.Withdrawn == nil {
			tl.Withdrawn = &Withdrawn{At: at, ItemID: f.ID, Reason: f.Reason, Seq: e.Seq}
		}
	}
}

func cmpU64(a, b uint64) int { return cmp.Compare(a, b) }
