package crawler

import (
	"context"
	"fmt"
	"time"
)

// BackfillProgress is reported after every item of a backfill.
type BackfillProgress struct {
	Done, Total int // items handled so far, of Total listed
	New         int // announced now
	Known       int // already seen before
	Failed      int
	Elapsed     time.Duration
}

// Backfill imports the source's history: every list page up to pages (a JSON
// or feed list without page_param is one URL, read whole), oldest first, announcing each unseen item marked
// as backfilled. It runs under its own lease, so regular polls go on
// meanwhile; an item both find is announced once (Nats-Msg-Id). The pace
// is the fetcher's per-host rate.
func (c *Crawler) Backfill(ctx context.Context, pages int, progress func(BackfillProgress)) (BackfillProgress, error) {
	var p BackfillProgress
	held, err := c.leases.Hold(ctx, "backfill."+c.src.ID, c.owner, func(ctx context.Context) error {
		start := time.Now()
		entries, err := c.readLists(ctx, pages, false)
		if err != nil && len(entries) == 0 {
			return fmt.Errorf("backfill %s: %w", c.src.ID, err)
		}
		if err != nil {
			c.log.Warn().Err(err).Msg("some list pages could not be read; backfilling what was listed")
		}
		ordered := c.withRetries(entries, nil)
		p.Total = len(ordered)
		for _, e := range ordered {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			isNew, err := c.discover(ctx, e.ListEntry, marks{backfill: true})
			switch {
			case err != nil:
				p.Failed++
				c.log.Warn().Err(err).Str("url", e.URL).Msg("backfill: item not read")
			case isNew:
				p.New++
			default:
				p.Known++
			}
			p.Done++
			p.Elapsed = time.Since(start)
			if progress != nil {
				progress(p)
			}
		}
		return nil
	})
	if err == nil && !held {
		err = fmt.Errorf("backfill %s: another backfill of this source is running", c.src.ID)
	}
	return p, err
}
