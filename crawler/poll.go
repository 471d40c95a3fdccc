package crawler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/gyeco/syndicator/crawler/extract"
	"github.com/gyeco/syndicator/syndicator"
)

// PollResult sums up one poll.
type PollResult struct {
	Listed  int   // distinct items on the list pages read
	New     int   // items discovered and announced
	Failed  int   // items that could not be read; retried next poll
	GivenUp int   // items dropped after maxAttempts failed polls
	Err     error // the list could not be read at all
	Took    time.Duration
	// Unchanged counts list URLs that answered 304 Not Modified.
	Unchanged int
	// Revised counts re-read items announced as a new revision.
	Revised int
	// Baseline counts the items announced marked baseline (see Baseline);
	// BaselineTaken says this poll took the source's baseline.
	Baseline      int
	BaselineTaken bool

	recent   []RecentItem
	baseline *Baseline // to record

	validators map[string]Validator

	tried    int      // detail pages read (new items only)
	missing  int      // of those, pages without a required field
	fields   []string // the fields missing, for the reason
	selector []string // the selectors that matched nothing
	// fallback counts the new items the generic readers read because the
	// source's selectors matched nothing (Item.ExtractedBy).
	fallback int
	emptyWhy string // why a list page yielded no rows
	// listFallback: why the list rule read no rows on a page the generic
	// list reader then read ("" when the rule read them all).
	listFallback string
	example      string // the first detail failure, for the reason
}

// Poll reads the lists once and announces every unseen item, oldest first.
// Failures of single items are counted, not fatal: the rest go on, and the
// failed ones are kept in the source state and tried again at the next
// poll even when they have slipped off the pages an incremental poll reads.
// Until the source's baseline is taken, the items announced are marked
// baseline (see Baseline). When the source's state cannot be read, nothing
// is polled: without it, a known source would look new.
func (c *Crawler) Poll(ctx context.Context) PollResult {
	return c.poll(ctx, false)
}

// poll is Poll. trusted says the source's lease was held since the last
// poll, so nobody else wrote its state: the state in memory is used
// instead of being read again.
func (c *Crawler) poll(ctx context.Context, trusted bool) PollResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	start := time.Now()
	var prev SourceState
	found := true
	var err error
	if trusted && c.memo != nil {
		prev = c.memo.state
	} else {
		c.memo = nil
		found, err = c.state.GetState(ctx, syndicator.BucketSources, c.src.ID, &prev)
	}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax) || errors.As(err, &typ):
		// A record that cannot be decoded is not a new source: start
		// afresh, but without a baseline.
		c.log.Warn().Err(err).Msg("source state cannot be decoded; starting afresh without a baseline")
		prev, found = SourceState{Baseline: &Baseline{Note: BaselineInherited}}, true
	case err != nil:
		res := PollResult{Err: fmt.Errorf("read the state of source %s: %w", c.src.ID, err), Took: time.Since(start)}
		c.observe(ctx, res)
		return res
	case found && c.memo == nil:
		c.memo = newStateMemo(prev)
	}
	open := baselineOpen(&prev, found)
	mark := open && c.src.TakesBaseline()
	res := PollResult{}
	scan, listErr := c.scanLists(ctx, c.src.Resolved.List.Pages, true, prev.Validators)
	entries := scan.entries
	res.Listed = len(entries)
	res.Err = listErr
	res.emptyWhy = scan.emptyWhy
	res.listFallback = scan.fallbackWhy
	res.Unchanged = scan.unchanged
	res.validators = scan.validators
	var retry []RetryEntry
	recent := prev.Recent
	var fb fallbackTally
	for _, e := range c.withRetries(entries, prev.Retry) {
		if ctx.Err() != nil {
			break
		}
		if scan.known[c.itemID(e.URL)] {
			continue
		}
		e.Baseline = e.Baseline || mark
		rec, isNew, err := c.discoverItem(ctx, e.ListEntry, marks{baseline: e.Baseline, fallback: &fb})
		if rec != nil {
			recent = append([]RecentItem{*rec}, recent...)
		}
		var mf *MissingFieldsError
		if errors.As(err, &mf) {
			res.missing++
			res.fields = appendNew(res.fields, mf.Fields...)
			res.selector = appendNew(res.selector, mf.Unmatched...)
		}
		if err != nil || isNew {
			res.tried++
		}
		switch {
		case err != nil:
			c.obs.ItemFailed(c.src.ID, err)
			if res.example == "" && mf == nil {
				res.example = err.Error()
			}
			res.Failed++
			e.Attempts++
			e.LastError = err.Error()
			if e.Attempts >= maxAttempts {
				c.log.Error().Err(err).Str("url", e.URL).Int("attempt", e.Attempts).Msg("item given up after repeated failures; fix the source or its rules, then backfill")
				res.GivenUp++
				continue
			}
			c.log.Warn().Err(err).Str("url", e.URL).Int("attempt", e.Attempts).Msg("item not read; will retry next poll")
			retry = append(retry, e)
		case isNew:
			res.New++
			if e.Baseline {
				res.Baseline++
			}
		}
	}
	res.fallback, res.selector = fb.items, appendNew(res.selector, fb.unmatched...)
	// The baseline is taken by a poll that read every list, listed
	// something and was not cut short; its failed items stay marked in
	// the retry list.
	ok := ctx.Err() == nil && listErr == nil && res.Listed > 0
	res.baseline = c.nextBaseline(prev.Baseline, open, ok)
	res.BaselineTaken = open && ok
	if len(recent) > maxRecent {
		recent = recent[:maxRecent]
	}
	res.recent = c.recheck(ctx, recent, &res)
	res.Took = time.Since(start)
	c.recordHealth(ctx, prev, res, retry)
	c.observe(ctx, res)
	return res
}

// quiet reports whether the poll found nothing to tell: no new, failed or
// revised item, no error, no baseline.
func (r PollResult) quiet() bool {
	return r.Err == nil && r.New == 0 && r.Failed == 0 && r.GivenUp == 0 && r.Revised == 0 && !r.BaselineTaken
}

// observe reports a poll to the Observer, unless ctx ended: a poll cut
// short by shutdown says nothing about the source.
func (c *Crawler) observe(ctx context.Context, res PollResult) {
	if ctx.Err() == nil {
		c.obs.Poll(c.src.ID, res.Took, res.Err)
	}
}

func appendNew(list []string, items ...string) []string {
	for _, it := range items {
		if !slices.Contains(list, it) {
			list = append(list, it)
		}
	}
	return list
}

// maxAttempts bounds how many polls retry an item that keeps failing.
const maxAttempts = 20

// RetryEntry is a list entry that failed and is tried again next poll.
type RetryEntry struct {
	extract.ListEntry
	Attempts  int    `json:"attempts"`
	LastError string `json:"last_error"`
	// Baseline: the entry was listed before the baseline was taken, so it
	// is announced as baseline whenever it is read.
	Baseline bool `json:"baseline,omitempty"`
}

// withRetries merges the entries of this poll with those still to retry
// and orders them for announcing: by list date, oldest first, entries
// without a date last; ties keep list order (older rows first).
func (c *Crawler) withRetries(listed []extract.ListEntry, retries []RetryEntry) []RetryEntry {
	out := make([]RetryEntry, 0, len(listed)+len(retries))
	seen := map[string]bool{}
	for _, r := range retries {
		if id := c.itemID(r.URL); id != "" && !seen[id] {
			seen[id] = true
			out = append(out, r)
		}
	}
	// Lists are newest first: walk them backwards.
	for i := len(listed) - 1; i >= 0; i-- {
		if id := c.itemID(listed[i].URL); id != "" && !seen[id] {
			seen[id] = true
			out = append(out, RetryEntry{ListEntry: listed[i]})
		}
	}
	never := time.Unix(1<<62, 0)
	key := func(e RetryEntry) time.Time {
		if e.Date.IsZero() {
			return never
		}
		return e.Date
	}
	sort.SliceStable(out, func(i, j int) bool { return key(out[i]).Before(key(out[j])) })
	return out
}
