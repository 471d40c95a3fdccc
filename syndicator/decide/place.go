package decide

import (
	"fmt"
	"time"

	"github.com/gyeco/syndicator/syndicator"
)

// Verdict is what the relevance rules say about an item.
type Verdict struct {
	Class  syndicator.Class
	Rule   string
	Column string
	Score  float64
}

// placement is what one sighting means for its document.
type placement struct {
	canonical   bool
	duplicateOf string
	publish     bool
	review      bool
	// wait > 0 hands the event back: a copy waits for the issuer's page.
	wait time.Duration
	// validity is a change of the document's 有效性 seen on this page.
	validity *syndicator.ValidityChange
	reason   string
}

// maxWaitAttempts stops waiting for the issuer's page however the
// deliveries were spaced, below the consumer's delivery limit.
const maxWaitAttempts = 10

// placeInput is everything place needs besides the document.
type placeInput struct {
	item    *syndicator.Item
	verdict Verdict
	now     time.Time
	attempt int
	// wait is how long a copy waits for the issuer's own page, and
	// originWatched whether a source of the issuer's tier is configured.
	wait          time.Duration
	originWatched bool
}

// place records a sighting in its document and decides: which sighting
// the committee site republishes, whether this revision is published, sent
// to review, or waits. It is pure; the caller stores the document.
func place(doc *Doc, in placeInput) placement {
	it := in.item
	if doc.Key == "" {
		doc.Key = docKeyOf(it)
	}
	if doc.Title == "" {
		doc.Title, doc.DocNumber, doc.Issuer = it.Title, it.DocNumber, it.Issuer
	}
	s := doc.sighting(it.ID)
	if s == nil {
		doc.Sightings = append(doc.Sightings, Sighting{ItemID: it.ID, FirstSeen: in.now})
		s = &doc.Sightings[len(doc.Sightings)-1]
	}
	s.Source, s.Level, s.URL = it.Source, it.Level, it.URL
	s.PublishedAt, s.Precision, s.DiscoveredAt = it.PublishedAt, it.PublishedPrecision, it.DiscoveredAt
	s.Origin = isOrigin(it)
	if it.Revision > s.Revision {
		s.Revision = it.Revision
	}

	var p placement
	switch {
	case doc.Canonical == it.ID:
		p.canonical = true
	case doc.Canonical != "":
		p.duplicateOf = doc.Canonical
		p.reason = fmt.Sprintf("同一文件已从 %s 转载，此处只记录为又一次发现", doc.canonicalSighting().Source)
	case s.Origin || !in.originWatched:
		p.canonical = true
	default:
		waited := in.now.Sub(s.FirstSeen)
		if waited < in.wait && in.attempt < maxWaitAttempts {
			p.wait = min(in.wait-waited, 30*time.Minute)
			p.wait = max(p.wait, time.Second)
			return p
		}
		p.canonical = true
		p.reason = fmt.Sprintf("等待发文机关网站 %s 未见原文，从转载页发布", waited.Round(time.Minute))
	}
	if p.canonical {
		doc.Canonical = it.ID
		doc.Class, doc.Rule, doc.Column, doc.Score = in.verdict.Class, in.verdict.Rule, in.verdict.Column, in.verdict.Score
	}
	p.validity = observeValidity(doc, it.Validity)

	if !p.canonical || doc.Rejected || doc.Withdrawn {
		return p
	}
	switch doc.Class {
	case syndicator.ClassSync, syndicator.ClassTimely:
		p.publish = true
	case syndicator.ClassReview:
		p.publish = doc.Approved
		p.review = !doc.Approved
	}
	return p
}

// observeValidity takes the 有效性 a page shows. The first value known is
// the document's; a later different one is a change, except that a page
// still saying 有效 does not undo a repeal decision.
func observeValidity(doc *Doc, v syndicator.Validity) *syndicator.ValidityChange {
	if v == "" || v == syndicator.ValidityUnknown || v == doc.Validity {
		return nil
	}
	if doc.Validity == "" {
		doc.Validity = v
		return nil
	}
	if doc.Basis != nil && doc.Basis.BasisID != "" && v == syndicator.ValidityEffective {
		return nil
	}
	ch := &syndicator.ValidityChange{From: doc.Validity, To: v, Basis: "有效性"}
	doc.Validity, doc.Basis = v, ch
	return ch
}
