package crawler

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gyeco/syndicator/crawler/extract"
	"github.com/gyeco/syndicator/crawler/fetch"
	"github.com/gyeco/syndicator/syndicator"
)

// RecentItem is an item the crawler reads again to catch revisions: a
// corrected text, changed metadata, or a replaced attachment (same link,
// new bytes).
type RecentItem struct {
	ID           string            `json:"id"`
	URL          string            `json:"url"`
	Entry        extract.ListEntry `json:"entry"`
	DiscoveredAt time.Time         `json:"discovered_at"`
	LastChecked  time.Time         `json:"last_checked"`
	// Gone counts re-reads in a row that found the page removed (404/410);
	// at goneAfter the item is flagged for review, once.
	Gone    int  `json:"gone,omitempty"`
	Flagged bool `json:"flagged,omitempty"`
}

// goneAfter is how many re-reads in a row must find a page removed before
// it is flagged: one 404 may be a publishing accident.
const goneAfter = 3

// maxRecent bounds the items a source re-reads.
const maxRecent = 200

// recheckEvery is how often an item of the given age is read again:
// recent items often, older ones rarely, and after 60 days not at all.
func recheckEvery(age, base time.Duration) (time.Duration, bool) {
	switch {
	case age < 48*time.Hour:
		return base, true
	case age < 14*24*time.Hour:
		return 6 * base, true
	case age < 60*24*time.Hour:
		return 24 * base, true
	}
	return 0, false
}

// recheck reads the recent items that are due again and announces each
// changed one as a new revision. It returns the list to keep.
func (c *Crawler) recheck(ctx context.Context, recent []RecentItem, res *PollResult) []RecentItem {
	now := c.now()
	kept := make([]RecentItem, 0, len(recent))
	for _, r := range recent {
		every, keep := recheckEvery(now.Sub(r.DiscoveredAt), c.recheckBase)
		if !keep {
			continue
		}
		if ctx.Err() == nil && now.Sub(r.LastChecked) >= every {
			changed, err := c.revise(ctx, r)
			switch {
			case isGone(err):
				r.LastChecked = now
				if err := c.gone(ctx, &r, err); err != nil {
					c.log.Warn().Err(err).Str("item_id", r.ID).Str("url", r.URL).Msg("cannot flag a removed page; tried again later")
				}
			case err != nil:
				c.log.Warn().Err(err).Str("item_id", r.ID).Str("url", r.URL).Msg("re-read failed; tried again later")
			default:
				r.LastChecked, r.Gone, r.Flagged = now, 0, false
				if changed {
					res.Revised++
				}
			}
		}
		kept = append(kept, r)
	}
	return kept
}

// revise reads an item again; when its content hash changed it announces
// synd.item.revised with the next revision, then records it. A crash in
// between repeats the same revision, which JetStream deduplicates.
func (c *Crawler) revise(ctx context.Context, r RecentItem) (bool, error) {
	var st ItemState
	found, err := c.state.GetState(ctx, syndicator.BucketItems, r.ID, &st)
	if err != nil || !found {
		return false, err
	}
	cp, err := c.capture(ctx, r.Entry, r.URL, r.ID)
	if err != nil {
		return false, err
	}
	it := cp.item
	if it.ContentSHA256 == st.ContentSHA256 {
		return false, nil // nothing kept: an unchanged page leaves no claim behind
	}
	it.Revision = st.Revision + 1
	it.DiscoveredAt = st.DiscoveredAt
	it.Backfilled, it.Baseline = st.Backfilled, st.Baseline
	if err := c.keep(ctx, cp); err != nil {
		return false, err
	}
	ev := &syndicator.Event{
		Kind: syndicator.KindRevised, ID: r.ID, Revision: it.Revision, Source: c.src.ID,
		At: c.now(), Item: it, Capture: cp.page, Attachments: cp.attachments,
	}
	if _, err := c.pub.Publish(ctx, ev); err != nil {
		return false, err
	}
	st.Revision, st.ContentSHA256 = it.Revision, it.ContentSHA256
	if err := c.state.PutState(ctx, syndicator.BucketItems, r.ID, &st); err != nil {
		return false, fmt.Errorf("record revision %d of %s: %w", it.Revision, r.ID, err)
	}
	c.log.Info().Str("item_id", r.ID).Str("url", r.URL).Int("revision", it.Revision).Msg("revised")
	return true, nil
}

// isGone reports whether a re-read found the page removed.
func isGone(err error) bool {
	var se *fetch.StatusError
	return errors.As(err, &se) && (se.Status == http.StatusNotFound || se.Status == http.StatusGone)
}

// gone counts a removed page and, at goneAfter in a row, announces it as
// synd.item.validity with Gone set: the decider puts it in the review
// queue. Nothing is taken down automatically.
func (c *Crawler) gone(ctx context.Context, r *RecentItem, cause error) error {
	r.Gone++
	if r.Gone < goneAfter || r.Flagged {
		return nil
	}
	var st ItemState
	found, err := c.state.GetState(ctx, syndicator.BucketItems, r.ID, &st)
	if err != nil || !found {
		return err
	}
	var se *fetch.StatusError
	errors.As(cause, &se)
	if _, err := c.pub.Publish(ctx, &syndicator.Event{
		Kind: syndicator.KindValidity, ID: r.ID, Revision: st.Revision, Source: c.src.ID, At: c.now(),
		Validity: &syndicator.ValidityChange{Gone: true, Status: se.Status, Polls: r.Gone},
	}); err != nil {
		return err
	}
	r.Flagged = true
	c.log.Warn().Str("item_id", r.ID).Str("url", r.URL).Int("status", se.Status).Int("polls", r.Gone).
		Msg("source page removed; flagged for review")
	return nil
}
