// Package decide is the stage between the archive and the publishing
// sinks: it classifies each archived revision with the relevance rules,
// joins the sightings of one document on several sites (doc_key), keeps
// the review queue, and turns 有效性 fields and repeal decisions into
// validity changes. Its output is synd.item.decided.<source> and
// synd.item.validity.<source>.
package decide

import (
	"context"
	"fmt"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/lifecycle"
	"github.com/gyeco/syndicator/syndicator/relevance"
	"github.com/rs/zerolog"
)

// Name is the decider's consumer name.
const Name = "decide"

// Subjects are the events the decider consumes: archived revisions, and
// validity events for the "gone" flags the crawler raises.
func Subjects() []string {
	return syndicator.ItemFilter(syndicator.KindArchived, syndicator.KindValidity)
}

// Bus reads event items and publishes decisions.
type Bus interface {
	Item(ctx context.Context, ev *syndicator.Event) (*syndicator.Item, error)
	Publish(ctx context.Context, ev *syndicator.Event) (duplicate bool, err error)
	KeepItem(ctx context.Context, it *syndicator.Item) (ref string, err error)
}

// State holds documents and the review queue.
type State interface {
	GetState(ctx context.Context, bucket, key string, v any) (bool, error)
	PutState(ctx context.Context, bucket, key string, v any) error
	UpdateState(ctx context.Context, bucket, key string, v any, change func(found bool) (bool, error)) error
}

// Options configure a Decider.
type Options struct {
	// Rules are the relevance rules, each source's own before the global
	// or default set (relevance.Set.With).
	Rules *relevance.Set
	// Levels are the configured sources' levels: a copy waits for the
	// issuer's page only when a source of the issuer's level is watched.
	Levels []syndicator.Level
	// WaitForOrigin bounds that wait.
	WaitForOrigin time.Duration
	// Now stamps decisions and reviews; nil means time.Now. Tests advance
	// it instead of sleeping through service levels.
	Now func() time.Time
}

// Decider decides about archived revisions.
type Decider struct {
	opts    Options
	bus     Bus
	state   State
	watched map[string]bool // tiers with a configured source
	log     zerolog.Logger
	now     func() time.Time
}

// New returns a Decider; it does no I/O.
func New(opts Options, bus Bus, state State, log zerolog.Logger) *Decider {
	watched := map[string]bool{}
	for _, l := range opts.Levels {
		watched[levelTier(l)] = true
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &Decider{
		opts: opts, bus: bus, state: state, watched: watched,
		log: log.With().Str("sink", Name).Logger(),
		now: func() time.Time { return now().UTC() },
	}
}

// Handle decides about one event. Every step is idempotent: a redelivery
// finds the sighting recorded and publishes the same decision, which
// JetStream deduplicates by message id.
func (d *Decider) Handle(ctx context.Context, ev *syndicator.Event, attempt int) error {
	switch ev.Kind {
	case syndicator.KindArchived:
		return d.decide(ctx, ev, attempt)
	case syndicator.KindValidity:
		if ev.Validity != nil && ev.Validity.Gone {
			return d.flagGone(ctx, ev)
		}
	}
	return nil
}

func (d *Decider) decide(ctx context.Context, ev *syndicator.Event, attempt int) error {
	it, err := d.bus.Item(ctx, ev)
	if err != nil {
		return err
	}
	v, err := d.classify(ctx, it)
	if err != nil {
		return err
	}
	now := d.now()
	var doc Doc
	var p placement
	err = d.state.UpdateState(ctx, syndicator.BucketDocs, docRecordKey(docKeyOf(it)), &doc, func(bool) (bool, error) {
		p = place(&doc, placeInput{
			item: it, verdict: v, now: now, attempt: attempt,
			wait: d.opts.WaitForOrigin, originWatched: d.watched[issuerTier(it.DocNumber, it.Issuer)],
		})
		return true, nil
	})
	if err != nil {
		return err
	}
	if p.wait > 0 {
		return syndicator.Later(p.wait, fmt.Sprintf("%s is a copy; waiting for the issuer's own page", it.URL))
	}
	if err := d.state.PutState(ctx, syndicator.BucketDocs, itemRecordKey(it.ID), itemPointer{DocKey: doc.Key}); err != nil {
		return err
	}
	if p.review {
		if err := d.enqueue(ctx, it, &doc, kindRelevance, "相关性规则判定为待审核（规则："+doc.Rule+"）"); err != nil {
			return err
		}
	}
	// A document repealed by a decision shows it on every revision, also
	// one seen before the page itself says so.
	if doc.Basis != nil && doc.Basis.BasisID != "" {
		it.Validity = doc.Validity
		it.Related = syndicator.MergeRelated(it.Related, repealedBy(doc.Basis))
	}
	it.Relevance = &syndicator.Relevance{Class: doc.Class, Rule: doc.Rule, Score: doc.Score}
	if doc.Column != "" {
		it.Column = doc.Column
	}
	dec := &syndicator.Decision{
		Step: syndicator.StepRules, Class: doc.Class, Rule: doc.Rule, Score: doc.Score, Column: it.Column,
		DocKey: doc.Key, Publish: p.publish, DuplicateOf: p.duplicateOf, Reason: p.reason,
	}
	if _, err := d.bus.Publish(ctx, &syndicator.Event{
		Kind: syndicator.KindDecided, ID: it.ID, Revision: it.Revision, Source: it.Source,
		At: now, Item: it, Decision: dec,
	}); err != nil {
		return err
	}
	d.log.Info().Str("item_id", it.ID).Str("source", it.Source).Str("class", string(dec.Class)).Str("rule", dec.Rule).
		Bool("publish", dec.Publish).Str("duplicate_of", dec.DuplicateOf).Msg("decided")
	if p.validity != nil {
		if err := d.announceValidity(ctx, &doc, p.validity, now); err != nil {
			return err
		}
	}
	if dec, ok := lifecycle.ParseDecision(it.Title, it.BodyText); ok && len(dec.Entries) > 0 {
		return d.applyRepeals(ctx, it, dec.Entries, now)
	}
	return nil
}

// itemPointer leads from an item id to its document.
type itemPointer struct {
	DocKey string `json:"doc_key"`
}

// docOf returns the document an item belongs to.
func (d *Decider) docOf(ctx context.Context, itemID string) (*Doc, bool, error) {
	var ptr itemPointer
	found, err := d.state.GetState(ctx, syndicator.BucketDocs, itemRecordKey(itemID), &ptr)
	if err != nil || !found {
		return nil, false, err
	}
	var doc Doc
	found, err = d.state.GetState(ctx, syndicator.BucketDocs, docRecordKey(ptr.DocKey), &doc)
	if err != nil || !found {
		return nil, false, err
	}
	return &doc, true, nil
}

// classify applies the rules; an interpretation of a document republished
// follows its original.
func (d *Decider) classify(ctx context.Context, it *syndicator.Item) (relevance.Result, error) {
	v := d.opts.Rules.Decide(it)
	if v.Class == syndicator.ClassSync || v.Class == syndicator.ClassTimely {
		return v, nil
	}
	for _, r := range it.Related {
		if r.Kind != syndicator.RelOriginal || r.ID == "" {
			continue
		}
		doc, found, err := d.docOf(ctx, r.ID)
		if err != nil {
			return v, err
		}
		if found && (doc.Class == syndicator.ClassSync || doc.Class == syndicator.ClassTimely) {
			return relevance.Result{Class: doc.Class, Rule: "政策解读随原文（" + doc.Rule + "）", Column: doc.Column}, nil
		}
	}
	return v, nil
}

// Document returns the document an item belongs to, with every sighting:
// the record auditors and operators look at.
func (d *Decider) Document(ctx context.Context, itemID string) (*Doc, bool, error) {
	if !syndicator.IsItemID(itemID) {
		return nil, false, nil
	}
	return d.docOf(ctx, itemID)
}
