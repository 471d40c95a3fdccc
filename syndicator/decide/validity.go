package decide

import (
	"context"
	"fmt"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/lifecycle"
)

// announceValidity publishes a change of a document's 有效性 for the
// sighting republished (or, before any is, the first one).
func (d *Decider) announceValidity(ctx context.Context, doc *Doc, ch *syndicator.ValidityChange, now time.Time) error {
	s := doc.canonicalSighting()
	if s == nil && len(doc.Sightings) > 0 {
		s = &doc.Sightings[0]
	}
	if s == nil {
		return nil // not seen yet: the first sighting will carry it
	}
	_, err := d.bus.Publish(ctx, &syndicator.Event{
		Kind: syndicator.KindValidity, ID: s.ItemID, Revision: s.Revision, Source: s.Source,
		At: now, Validity: ch,
	})
	if err == nil {
		d.log.Info().Str("item_id", s.ItemID).Str("source", s.Source).Str("validity", string(ch.To)).
			Str("basis", ch.Basis).Msg("validity changed")
	}
	return err
}

// applyRepeals marks every document a repeal/expiry decision names. A
// document not seen yet is recorded with its new validity, so that its
// page shows it from the first publication.
func (d *Decider) applyRepeals(ctx context.Context, decision *syndicator.Item, rs []lifecycle.Entry, now time.Time) error {
	for _, r := range rs {
		if r.DocKey == "" {
			d.log.Warn().Str("item_id", decision.ID).Str("title", r.Title).Msg("repealed document without a number; not matched")
			continue
		}
		ch := &syndicator.ValidityChange{
			To: r.To, Basis: decision.Title, BasisDocNumber: decision.DocNumber,
			BasisID: decision.ID, BasisURL: decision.URL,
		}
		var doc Doc
		var changed bool
		err := d.state.UpdateState(ctx, syndicator.BucketDocs, docRecordKey(r.DocKey), &doc, func(bool) (bool, error) {
			changed = false
			if doc.Key == "" {
				doc.Key, doc.Title, doc.DocNumber = r.DocKey, r.Title, r.DocNumber
			}
			if doc.Validity == r.To && doc.Basis != nil && doc.Basis.BasisID == decision.ID {
				return false, nil
			}
			c := *ch
			c.From = doc.Validity
			doc.Validity, doc.Basis, changed = r.To, &c, true
			return true, nil
		})
		if err != nil {
			return fmt.Errorf("mark %s %s: %w", r.DocNumber, r.To, err)
		}
		if !changed && doc.Basis == nil {
			continue
		}
		// Announced again on a redelivery: the message id deduplicates.
		if err := d.announceValidity(ctx, &doc, doc.Basis, now); err != nil {
			return err
		}
	}
	return nil
}

// repealedBy is the related link from a document to what repealed it.
func repealedBy(ch *syndicator.ValidityChange) syndicator.Related {
	return syndicator.Related{
		Kind: syndicator.RelRepealedBy, ID: ch.BasisID, URL: ch.BasisURL,
		Title: ch.Basis, DocNumber: ch.BasisDocNumber,
	}
}
