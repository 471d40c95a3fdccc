package site

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/gyeco/syndicator/sinks/site/render"
	"github.com/gyeco/syndicator/syndicator"
)

// relPrefix keys the reverse relations in synd_site: rel.<id> lists the
// articles that named <id> as related, so that whichever of a policy and
// its interpretation is published second, both pages link each other.
const relPrefix = "rel."

// relations is the value of rel.<id>.
type relations struct {
	From []syndicator.Related `json:"from"` // ID = the article that points here, Kind as seen from here
}

// loadItem reads the item an article was rendered from: the revision's
// item.json in the archive. A record from before that keeps the item in
// the claim-check store, read while it lasts (its TTL is 30 days; a repeal
// may come years later).
func (s *Sink) loadItem(ctx context.Context, rec *record) (*syndicator.Item, error) {
	if rec.ItemRef != "" {
		data, err := s.claims.GetClaim(ctx, rec.ItemRef)
		if err == nil {
			return decodeItem(rec, data)
		}
		if !errors.Is(err, syndicator.ErrClaimGone) {
			return nil, err
		}
	}
	// Not found is retried too (then dead-lettered): the archive kept the
	// revision before the decision, so its absence means this role reads
	// another archive than the archive role writes, which can be fixed.
	key := rec.Item.ArchivePrefix() + "item.json"
	data, err := s.archive.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("render %s again: read %s from the archive (check that this role's archive settings match the archive role's): %w", rec.Item.ID, key, err)
	}
	return decodeItem(rec, data)
}

func decodeItem(rec *record, data []byte) (*syndicator.Item, error) {
	var it syndicator.Item
	if err := json.Unmarshal(data, &it); err != nil {
		return nil, syndicator.Permanent(fmt.Errorf("decode the item of %s: %w", rec.Item.ID, err))
	}
	return &it, nil
}

// keepValidity: a repeal recorded on the site outlives a later revision
// of the page that still says 有效.
func keepValidity(prev *record, it *syndicator.Item) (syndicator.Validity, *render.Link) {
	if prev.Basis != nil && it.Validity == syndicator.ValidityEffective {
		return prev.Item.Validity, prev.Basis
	}
	return it.Validity, nil
}

// links resolves an item's related documents and validity basis to local
// articles where published, else to their source pages.
func (s *Sink) links(ctx context.Context, it *syndicator.Item) ([]render.RelatedLink, *render.Link, error) {
	var rel []render.RelatedLink
	var basis *render.Link
	var back relations
	if _, err := s.records.GetState(ctx, syndicator.BucketSite, relPrefix+it.ID, &back); err != nil {
		return nil, nil, err
	}
	all := syndicator.MergeRelated(it.Related, back.From...)
	for _, r := range all {
		switch r.Kind {
		case syndicator.RelInterpretation, syndicator.RelOriginal, syndicator.RelRepealedBy:
		default:
			continue
		}
		l := render.Link{Name: r.Title, Href: r.URL}
		if r.ID != "" {
			var other record
			found, err := s.records.GetState(ctx, syndicator.BucketSite, r.ID, &other)
			if err != nil {
				return nil, nil, err
			}
			if found && other.Withdrawn == "" {
				l.Href = render.ArticlePath(&other.Article)
				if l.Name == "" {
					l.Name = other.Item.Title
				}
			}
		}
		if l.Name == "" {
			l.Name = l.Href
		}
		if r.Kind == syndicator.RelRepealedBy {
			if r.DocNumber != "" {
				l.Name = "《" + l.Name + "》（" + r.DocNumber + "）"
			}
			basis = &l
			continue
		}
		rel = append(rel, render.RelatedLink{Kind: r.Kind, Link: l})
	}
	return rel, basis, nil
}

func inverse(kind string) string {
	if kind == syndicator.RelInterpretation {
		return syndicator.RelOriginal
	}
	return syndicator.RelInterpretation
}

// linkRelated records the reverse links of a newly published article and
// renders the related articles already on the site again, now linking it:
// those it names, and those that named it before it was published.
func (s *Sink) linkRelated(ctx context.Context, rec *record) error {
	var named relations
	if _, err := s.records.GetState(ctx, syndicator.BucketSite, relPrefix+rec.Item.ID, &named); err != nil {
		return err
	}
	for _, r := range named.From {
		if err := s.rerender(ctx, r.ID, func(*record) bool { return true }); err != nil {
			return err
		}
	}
	for _, r := range rec.Item.Related {
		if r.ID == "" || (r.Kind != syndicator.RelInterpretation && r.Kind != syndicator.RelOriginal) {
			continue
		}
		back := syndicator.Related{Kind: inverse(r.Kind), ID: rec.Item.ID, URL: rec.Item.URL, Title: rec.Item.Title}
		var rels relations
		if _, err := s.records.GetState(ctx, syndicator.BucketSite, relPrefix+r.ID, &rels); err != nil {
			return err
		}
		if !syndicator.HasRelated(rels.From, back) {
			rels.From = append(rels.From, back)
			if err := s.records.PutState(ctx, syndicator.BucketSite, relPrefix+r.ID, &rels); err != nil {
				return err
			}
		}
		if err := s.rerender(ctx, r.ID, func(*record) bool { return true }); err != nil {
			return err
		}
	}
	return nil
}

// rerender renders a published article again after change edits its
// record; change returns false when there is nothing to do. An article not
// on the site is left alone.
func (s *Sink) rerender(ctx context.Context, id string, change func(*record) bool) error {
	var rec record
	return s.records.UpdateState(ctx, syndicator.BucketSite, id, &rec, func(found bool) (bool, error) {
		if !found || !change(&rec) {
			return false, nil
		}
		it, err := s.loadItem(ctx, &rec)
		if err != nil {
			return false, err
		}
		return true, s.write(ctx, &rec, it)
	})
}

// changeValidity shows a new 有效性 on a published article: the field, the
// banner and the decision it rests on.
func (s *Sink) changeValidity(ctx context.Context, ev *syndicator.Event) error {
	ch := ev.Validity
	err := s.rerender(ctx, ev.ID, func(rec *record) bool {
		basis := syndicator.Related{}
		if ch.BasisID != "" || ch.BasisURL != "" {
			basis = syndicator.Related{Kind: syndicator.RelRepealedBy, ID: ch.BasisID, URL: ch.BasisURL, Title: ch.Basis, DocNumber: ch.BasisDocNumber}
		}
		if rec.Item.Validity == ch.To && (basis.Kind == "" || syndicator.HasRelated(rec.Item.Related, basis)) {
			return false
		}
		rec.Item.Validity = ch.To
		if basis.Kind != "" && !syndicator.HasRelated(rec.Item.Related, basis) {
			rec.Item.Related = append(rec.Item.Related, basis)
		}
		return true
	})
	if err == nil {
		s.log.Info().Str("item_id", ev.ID).Str("source", ev.Source).Str("validity", string(ch.To)).Msg("validity shown")
	}
	return err
}

// withdraw takes an article off the indexes and replaces its page by a
// notice; nothing is deleted.
func (s *Sink) withdraw(ctx context.Context, ev *syndicator.Event) error {
	return s.rerender(ctx, ev.ID, func(rec *record) bool {
		if rec.Withdrawn != "" {
			return false
		}
		rec.Withdrawn = "本文已撤回：" + ev.Reason
		return true
	})
}
