package decide

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gyeco/syndicator/syndicator"
)

// Review kinds: a doubtful item (relevance), or a source page that
// disappeared (gone).
const (
	kindRelevance = "relevance"
	kindGone      = "gone"
)

// Review states: an entry is pending until an operator decides, then its
// state is the outcome, so StatePending shares the outcomes' type.
const (
	StatePending syndicator.Outcome = "pending"
)

// Review is one entry of the review queue (KV synd_review, by Key): what
// waits for an operator, and once decided who decided what and when.
type Review struct {
	// Key names the entry in the API: the item id for a relevance review,
	// "<id>.gone" for a disappeared page, which an item can have after its
	// relevance was decided.
	Key       string    `json:"key"`
	ItemID    string    `json:"item_id"`
	Revision  int       `json:"revision"`
	Source    string    `json:"source"`
	Title     string    `json:"title"`
	URL       string    `json:"url"`
	DocNumber string    `json:"doc_number,omitempty"`
	Issuer    string    `json:"issuer,omitempty"`
	DocKey    string    `json:"doc_key"`
	Kind      string    `json:"kind"`   // relevance | gone
	Reason    string    `json:"reason"` // why it waits, in Chinese
	Rule      string    `json:"rule,omitempty"`
	Column    string    `json:"column,omitempty"` // suggested
	ItemRef   string    `json:"item_ref,omitempty"`
	CreatedAt time.Time `json:"created_at"`

	State     syndicator.Outcome `json:"state"` // pending | approved | rejected | keep | withdraw
	Reviewer  string             `json:"reviewer,omitempty"`
	Comment   string             `json:"comment,omitempty"`
	DecidedAt time.Time          `json:"decided_at,omitzero"`
	// DecidedColumn is where an approved item goes.
	DecidedColumn string `json:"decided_column,omitempty"`
	// Announced is set once the decision's event is published; a retried
	// request publishes it (again, deduplicated) until then.
	Announced bool `json:"announced,omitempty"`
}

// enqueue puts an item in the review queue, or refreshes a pending entry
// with a newer revision. A decided entry is left alone.
func (d *Decider) enqueue(ctx context.Context, it *syndicator.Item, doc *Doc, kind, reason string) error {
	ref, err := d.bus.KeepItem(ctx, it)
	if err != nil {
		return err
	}
	var r Review
	key := reviewKey(it.ID, kind)
	return d.state.UpdateState(ctx, syndicator.BucketReview, key, &r, func(found bool) (bool, error) {
		if found && (r.State != StatePending || r.Revision > it.Revision || (r.Revision == it.Revision && r.Kind == kind)) {
			return false, nil
		}
		if !found {
			r.CreatedAt = d.now()
		}
		r.Key, r.ItemID, r.Revision, r.Source, r.Title, r.URL = key, it.ID, it.Revision, it.Source, it.Title, it.URL
		r.DocNumber, r.Issuer, r.DocKey = it.DocNumber, it.Issuer, doc.Key
		r.Kind, r.Reason, r.Rule, r.Column, r.ItemRef = kind, reason, doc.Rule, it.Column, ref
		r.State = StatePending
		return true, nil
	})
}

// IsReviewKey reports whether key has the form reviewKey gives: an item id,
// followed by ".gone" for a page that disappeared. Keys from outside are
// checked with it before they reach NATS.
func IsReviewKey(key string) bool {
	return syndicator.IsItemID(strings.TrimSuffix(key, "."+kindGone))
}

func reviewKey(itemID, kind string) string {
	if kind == kindGone {
		return itemID + ".gone"
	}
	return itemID
}

// flagGone sends a republished item whose source page disappeared to
// review: nothing is taken down without an operator.
func (d *Decider) flagGone(ctx context.Context, ev *syndicator.Event) error {
	doc, found, err := d.docOf(ctx, ev.ID)
	if err != nil || !found {
		return err // never decided: nothing was republished
	}
	it, err := d.bus.Item(ctx, ev)
	if err != nil || it == nil {
		it = &syndicator.Item{ID: ev.ID, Source: ev.Source, Revision: ev.Revision, Title: doc.Title, DocNumber: doc.DocNumber, Issuer: doc.Issuer}
		if s := doc.sighting(ev.ID); s != nil {
			it.URL = s.URL
		}
	}
	reason := fmt.Sprintf("源页面已无法访问（HTTP %d，连续 %d 次），请决定保留或撤回转载", ev.Validity.Status, ev.Validity.Polls)
	return d.enqueue(ctx, it, doc, kindGone, reason)
}

// ErrNotPending is returned when an operator decides an entry that is
// already decided (by someone else, or a repeated request).
var ErrNotPending = errors.New("review entry already decided")

// ErrNoEntry is returned for an item not in the queue.
var ErrNoEntry = errors.New("no review entry for this item")

// ErrBadOutcome is returned for an outcome the entry's kind does not allow.
var ErrBadOutcome = errors.New("outcome not allowed for this entry")

// Input is an operator's decision.
type Input struct {
	Outcome  syndicator.Outcome // approved | rejected (relevance); keep | withdraw (gone)
	Column   string             // approved: where it goes ("" = the suggested column)
	Comment  string
	Reviewer string // the token's name
}

// Review records an operator's decision and announces it: approved items
// are published, rejected ones never; a withdrawn copy is taken down.
// Repeating the same decision after a failure completes it.
func (d *Decider) Review(ctx context.Context, key string, in Input) (*Review, error) {
	if !IsReviewKey(key) {
		return nil, ErrNoEntry
	}
	var r Review
	err := d.state.UpdateState(ctx, syndicator.BucketReview, key, &r, func(found bool) (bool, error) {
		switch {
		case !found:
			return false, ErrNoEntry
		case r.State == in.Outcome && r.Reviewer == in.Reviewer && !r.Announced:
			return false, nil // a retry of a decision not yet announced
		case r.State != StatePending:
			return false, ErrNotPending
		}
		if !allowed(r.Kind, in.Outcome) {
			return false, fmt.Errorf("%w: %q for %s", ErrBadOutcome, in.Outcome, r.Kind)
		}
		r.State, r.Reviewer, r.Comment, r.DecidedAt = in.Outcome, in.Reviewer, in.Comment, d.now()
		if in.Outcome == syndicator.OutcomeApproved {
			r.DecidedColumn = in.Column
			if r.DecidedColumn == "" {
				r.DecidedColumn = r.Column
			}
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	if err := d.applyReview(ctx, &r); err != nil {
		return nil, err
	}
	r.Announced = true
	err = d.state.UpdateState(ctx, syndicator.BucketReview, key, &r, func(bool) (bool, error) {
		r.Announced = true
		return true, nil
	})
	return &r, err
}

func allowed(kind string, outcome syndicator.Outcome) bool {
	switch kind {
	case kindRelevance:
		return outcome == syndicator.OutcomeApproved || outcome == syndicator.OutcomeRejected
	case kindGone:
		return outcome == syndicator.OutcomeKeep || outcome == syndicator.OutcomeWithdraw
	}
	return false
}

// applyReview marks the document and publishes the decision's event.
func (d *Decider) applyReview(ctx context.Context, r *Review) error {
	var doc Doc
	err := d.state.UpdateState(ctx, syndicator.BucketDocs, docRecordKey(r.DocKey), &doc, func(bool) (bool, error) {
		switch r.State {
		case syndicator.OutcomeApproved:
			doc.Approved, doc.Column = true, r.DecidedColumn
		case syndicator.OutcomeRejected:
			doc.Rejected = true
		case syndicator.OutcomeWithdraw:
			doc.Withdrawn = true
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	if r.State == syndicator.OutcomeWithdraw {
		_, err := d.bus.Publish(ctx, &syndicator.Event{
			Kind: syndicator.KindWithdrawn, ID: r.ItemID, Revision: r.Revision, Source: r.Source,
			At: r.DecidedAt, Reason: "源页面已删除，经 " + r.Reviewer + " 审核撤回：" + r.Comment,
		})
		return err
	}
	dec := &syndicator.Decision{
		Step: syndicator.StepReview, Class: doc.Class, Rule: doc.Rule, Column: r.DecidedColumn, DocKey: r.DocKey,
		Publish: r.State == syndicator.OutcomeApproved && doc.Canonical == r.ItemID,
		Outcome: r.State, Reviewer: r.Reviewer, Comment: r.Comment, ReviewedAt: r.DecidedAt,
	}
	ev := &syndicator.Event{
		Kind: syndicator.KindDecided, ID: r.ItemID, Revision: r.Revision, Source: r.Source,
		At: r.DecidedAt, Decision: dec,
	}
	if dec.Publish {
		ev.ItemRef = r.ItemRef
		it, err := d.bus.Item(ctx, ev)
		if err != nil {
			return err
		}
		if r.DecidedColumn != "" {
			it.Column = r.DecidedColumn
		}
		it.Relevance = &syndicator.Relevance{Class: doc.Class, Rule: doc.Rule, Score: doc.Score}
		ev.Item, ev.ItemRef = it, ""
	}
	_, err = d.bus.Publish(ctx, ev)
	if err == nil {
		d.log.Info().Str("item_id", r.ItemID).Str("source", r.Source).Str("outcome", string(r.State)).
			Str("reviewer", r.Reviewer).Msg("reviewed")
	}
	return err
}
