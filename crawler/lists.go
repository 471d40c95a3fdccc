package crawler

import (
	"context"

	"github.com/gyeco/syndicator/crawler/extract"
)

// readLists reads up to pages pages of every list URL and returns the
// distinct entries, newest first. With stopWhenKnown, paging stops at the
// first page that holds nothing unseen (an incremental poll); otherwise
// every page up to pages is read (a backfill or a dry run).
func (c *Crawler) readLists(ctx context.Context, pages int, stopWhenKnown bool) ([]extract.ListEntry, error) {
	all, _, err := c.scanLists(ctx, pages, stopWhenKnown)
	return all, err
}

// scanLists is readLists that also explains, for the health reason, why a
// first list page yielded no rows (which selector stopped matching).
func (c *Crawler) scanLists(ctx context.Context, pages int, stopWhenKnown bool) ([]extract.ListEntry, string, error) {
	var all []extract.ListEntry
	var emptyWhy string
	seen := map[string]bool{}
	var firstErr error
	pages = max(pages, 1)
	for _, first := range c.src.Resolved.ListURLs {
		for n := range pages {
			pageURL := first
			if c.src.Resolved.List.Kind == "html" && n > 0 {
				pageURL = extract.NextPageURL(first, n)
			} else if n > 0 {
				break
			}
			resp, err := c.fetch.Get(ctx, pageURL.String())
			if err != nil {
				if n == 0 && firstErr == nil {
					firstErr = err
				}
				break // a missing later page just means the list is short
			}
			entries, err := extract.List(resp.Body, resp.Header.Get("Content-Type"), pageURL, c.src.Resolved.List)
			if err != nil {
				// The page came but has another shape: markup trouble, not
				// an outage, so it is explained like an empty list.
				c.log.Warn().Err(err).Str("url", pageURL.String()).Msg("list page not understood")
				entries = nil
			}
			if n == 0 && len(entries) == 0 && emptyWhy == "" {
				emptyWhy = pageURL.String() + "：" + extract.ListDiagnose(resp.Body, resp.Header.Get("Content-Type"), pageURL, c.src.Resolved.List)
			}
			fresh := 0
			for _, e := range entries {
				id := c.itemID(e.URL)
				if id == "" || seen[id] {
					continue
				}
				seen[id] = true
				all = append(all, e)
				if !stopWhenKnown {
					fresh++
				} else if known, _ := c.known(ctx, id); !known {
					fresh++
				}
			}
			if fresh == 0 {
				break // nothing new on this page: older pages hold nothing new either
			}
		}
	}
	return all, emptyWhy, firstErr
}
