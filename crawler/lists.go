package crawler

import (
	"context"
	"net/url"
	"regexp"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/crawler/extract"
	"github.com/gyeco/syndicator/crawler/fetch"
)

// readLists reads up to pages pages of every list URL and returns the
// distinct entries, newest first. With stopWhenKnown, paging stops at the
// first page that holds nothing unseen (an incremental poll); otherwise
// every page up to pages is read (a backfill or a dry run).
func (c *Crawler) readLists(ctx context.Context, pages int, stopWhenKnown bool) ([]extract.ListEntry, error) {
	scan, err := c.scanLists(ctx, pages, stopWhenKnown, nil)
	return scan.entries, err
}

// Validator is what a list page's last response said about its version,
// sent back as If-None-Match / If-Modified-Since.
type Validator struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
}

// listScan is what one pass over the lists found.
type listScan struct {
	entries  []extract.ListEntry
	emptyWhy string // why a first page yielded no rows
	// fallbackWhy: why the rule read no rows on a page whose rows the
	// generic list reader then read ("" when the rule read every page).
	fallbackWhy string
	unchanged   int                  // first pages answered 304 Not Modified
	validators  map[string]Validator // by page URL, for the next poll
	known       map[string]bool      // ids already seen, found while paging
}

// scanLists is readLists that also explains, for the health reason, why a
// first list page yielded no rows (which selector stopped matching), and
// asks conditionally with the validators of the last poll: an unchanged
// page costs one 304 and holds nothing new.
func (c *Crawler) scanLists(ctx context.Context, pages int, stopWhenKnown bool, prev map[string]Validator) (listScan, error) {
	var all []extract.ListEntry
	var emptyWhy string
	scan := listScan{validators: map[string]Validator{}, known: map[string]bool{}}
	seen := map[string]bool{}
	var firstErr error
	pages = max(pages, 1)
	for _, first := range c.src.Resolved.ListURLs {
		for n := range pages {
			pageURL := extract.PageURL(first, n, c.src.Resolved.List)
			if pageURL == nil {
				break // the list does not page
			}
			v := prev[pageURL.String()]
			resp, err := c.fetch.Do(ctx, fetch.Request{
				URL: pageURL.String(), IgnoreRobots: c.src.IgnoreRobots, ETag: v.ETag, LastModified: v.LastModified,
			})
			if err != nil {
				if n == 0 && firstErr == nil {
					firstErr = err
				}
				break // a missing later page just means the list is short
			}
			if resp.ETag != "" || resp.LastModified != "" {
				scan.validators[pageURL.String()] = Validator{ETag: resp.ETag, LastModified: resp.LastModified}
			}
			if resp.NotModified {
				scan.validators[pageURL.String()] = v
				if n == 0 {
					scan.unchanged++
				}
				break // unchanged since the last poll: nothing new here or further on
			}
			entries, err := extract.List(resp.Body, resp.Header.Get("Content-Type"), pageURL, c.src.Resolved.List)
			if err != nil {
				// The page came but has another shape: markup trouble, not
				// an outage, so it is explained like an empty list.
				c.log.Warn().Err(err).Str("url", pageURL.String()).Msg("list page not understood")
				entries = nil
			}
			generic := false
			if len(entries) == 0 {
				// The rule found no rows: read the list as what a list
				// looks like (dated link rows; a JSON array of rows with a
				// page URL), and say so.
				if entries = c.genericList(resp, pageURL); len(entries) > 0 {
					generic = true
					if scan.fallbackWhy == "" {
						scan.fallbackWhy = pageURL.String() + "：" + extract.ListDiagnose(resp.Body, resp.Header.Get("Content-Type"), pageURL, c.src.Resolved.List)
					}
				}
			}
			if len(entries) == 0 || generic {
				// A page no row was read from is not remembered as read:
				// the next poll fetches it whole and diagnoses it again,
				// so a redesign never hides behind a 304.
				delete(scan.validators, pageURL.String())
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
				} else if known, _ := c.known(ctx, id); known {
					scan.known[id] = true // Poll skips it without asking again
				} else {
					fresh++
				}
			}
			if fresh == 0 {
				break // nothing new on this page: older pages hold nothing new either
			}
		}
	}
	scan.entries, scan.emptyWhy = all, emptyWhy
	return scan, firstErr
}

// linkPattern is the list rule's link_pattern compiled (validated at
// load), nil when there is none.
func (c *Crawler) linkPattern() *regexp.Regexp {
	if c.src.Resolved.List.LinkPattern == "" {
		return nil
	}
	re, err := regexp.Compile(c.src.Resolved.List.LinkPattern)
	if err != nil {
		return nil
	}
	return re
}

// genericList reads a list page the source's rule read nothing from: an
// html page as dated link rows, a JSON page by the rule source suggest
// infers (keeping the source's link_pattern when it has one).
func (c *Crawler) genericList(resp *fetch.Response, pageURL *url.URL) []extract.ListEntry {
	ctype := resp.Header.Get("Content-Type")
	switch c.src.Resolved.List.Kind {
	case config.KindHTML:
		return extract.GenericList(resp.Body, ctype, pageURL, c.linkPattern())
	case config.KindJSON:
		return extract.GenericJSONList(resp.Body, ctype, pageURL, c.src.Resolved.List.LinkPattern)
	}
	return nil
}
