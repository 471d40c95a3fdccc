package crawler

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/crawler/extract"
	"github.com/gyeco/syndicator/crawler/fetch"
	"github.com/gyeco/syndicator/syndicator"
)

// discover reads one list entry. It returns isNew=false without any I/O
// beyond a KV read when the item was seen before. The order — capture,
// publish, then record as seen — means a crash at any point repeats the
// item at the next poll rather than losing it, and the repeated publish is
// dropped by JetStream's duplicate window (Nats-Msg-Id).
func (c *Crawler) discover(ctx context.Context, e extract.ListEntry, m marks) (isNew bool, err error) {
	_, isNew, err = c.discoverItem(ctx, e, m)
	return isNew, err
}

// marks are the flags an announced item carries: imported by backfill,
// or part of the source's baseline.
type marks struct {
	backfill, baseline bool
	// fallback, when set, counts the items the generic readers read
	// (Item.ExtractedBy) for the poll's health.
	fallback *fallbackTally
}

// fallbackTally is what a poll's new items say of the source's selectors.
type fallbackTally struct {
	items     int      // read by the generic readers
	unmatched []string // the selectors that matched nothing on their pages
}

// discoverItem is discover that also returns the item's record, for the
// list of items to re-read.
func (c *Crawler) discoverItem(ctx context.Context, e extract.ListEntry, m marks) (*RecentItem, bool, error) {
	canon, err := syndicator.CanonicalURL(e.URL, nil)
	if err != nil {
		return nil, false, err
	}
	id := syndicator.ItemID(canon)
	known, err := c.known(ctx, id)
	if err != nil || known {
		return nil, false, err
	}
	discoveredAt := c.now()

	cp, err := c.capture(ctx, e, canon, id)
	if err != nil {
		return nil, false, err
	}
	it := cp.item
	it.DiscoveredAt = discoveredAt
	it.Backfilled, it.Baseline = m.backfill, m.baseline
	if err := c.keep(ctx, cp); err != nil {
		return nil, false, err
	}
	ev := &syndicator.Event{
		Kind: syndicator.KindDiscovered, ID: id, Revision: it.Revision, Source: c.src.ID,
		At: c.now(), Item: it, Capture: cp.page, Attachments: cp.attachments,
	}
	if _, err := c.pub.Publish(ctx, ev); err != nil {
		return nil, false, err
	}
	st := ItemState{ID: id, Source: c.src.ID, URL: canon, Revision: it.Revision,
		ContentSHA256: it.ContentSHA256, DiscoveredAt: discoveredAt, Backfilled: it.Backfilled, Baseline: it.Baseline}
	if _, err := c.state.CreateState(ctx, syndicator.BucketItems, id, &st); err != nil {
		return nil, false, fmt.Errorf("record %s as seen: %w", id, err)
	}
	c.log.Info().Str("item_id", id).Str("url", canon).Str("title", it.Title).Bool("baseline", it.Baseline).Str("extracted_by", it.ExtractedBy).Msg("discovered")
	rec := &RecentItem{ID: id, URL: canon, Entry: e, DiscoveredAt: discoveredAt, LastChecked: discoveredAt}
	if it.ExtractedBy == syndicator.ExtractedByFallback && m.fallback != nil {
		// The poll's health says so, naming the selectors.
		m.fallback.items++
		m.fallback.unmatched = appendNew(m.fallback.unmatched, cp.unmatched...)
	}
	return rec, true, nil
}

// readItem fetches and extracts a detail page into an item. It writes
// nothing, so a dry run (`source test`) uses it as is. The item has no
// ContentSHA256 yet: the caller hashes it once, when it has what else the
// hash covers (capture: the attachment digests).
func (c *Crawler) readItem(ctx context.Context, e extract.ListEntry, canon, id string) (*syndicator.Item, *fetch.Response, *extract.Page, error) {
	resp, err := c.fetch.Do(ctx, fetch.Request{URL: e.URL, IgnoreRobots: c.src.IgnoreRobots})
	if err != nil {
		return nil, nil, nil, err
	}
	pageURL, err := url.Parse(resp.URL)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("final url %q: %w", resp.URL, err)
	}
	page, err := c.ext.Detail(resp.Body, resp.Header.Get("Content-Type"), pageURL, c.src.Resolved.Detail)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("extract %s: %w", e.URL, err)
	}
	it := &syndicator.Item{
		ID: id, Source: c.src.ID, Level: syndicator.Level(c.src.Level), URL: canon,
		DocKey: page.DocKey, Title: page.Title, DocNumber: page.DocNumber, IndexNumber: page.IndexNumber,
		Issuer: page.Issuer, Subject: page.Subject, DocType: page.DocType, Origin: page.Origin,
		WrittenAt: page.WrittenAt, PublishedAt: page.PublishedAt, PublishedPrecision: page.PublishedPrecision,
		Validity: page.Validity, BodyHTML: page.BodyHTML, BodyText: page.BodyText,
		Attachments: page.Attachments, Related: page.Related, Revision: 1, Column: c.src.Column, FetchedAt: resp.FetchedAt,
	}
	if page.BodyByDensity || page.MetadataByLabels && configuresMeta(c.src.Resolved.Detail) {
		it.ExtractedBy = syndicator.ExtractedByFallback
	}
	if it.Title == "" {
		it.Title = e.Title
	}
	if it.Validity == "" {
		it.Validity = syndicator.ValidityUnknown
	}
	fillPublished(it, e)
	return it, resp, page, nil
}

// MissingFieldsError is a detail page on which required fields were not
// found: the source's markup or its detail rules need attention.
type MissingFieldsError struct {
	URL       string
	Source    string
	Fields    []string
	Unmatched []string // selectors that matched nothing
}

func (e *MissingFieldsError) Error() string {
	return fmt.Sprintf("extract %s: required fields not found: %s (check the detail rules with `syndicator source test %s`)",
		e.URL, strings.Join(e.Fields, ", "), e.Source)
}

// reTRSDate finds the date in a TRS detail URL: …/t20251021_88713156.html.
var reTRSDate = regexp.MustCompile(`/t(\d{8})_\d+\.html?$`)

// fillPublished applies the fallbacks of sources.md §8 when the page gave
// no publication time: the list date, then the tYYYYMMDD of the URL.
func fillPublished(it *syndicator.Item, e extract.ListEntry) {
	if !it.PublishedAt.IsZero() {
		return
	}
	if !e.Date.IsZero() {
		it.PublishedAt, it.PublishedPrecision = e.Date, e.Precision
		return
	}
	if m := reTRSDate.FindStringSubmatch(it.URL); m != nil {
		if t, err := time.ParseInLocation("20060102", m[1], syndicator.Shanghai); err == nil {
			it.PublishedAt, it.PublishedPrecision = t, syndicator.PrecisionDay
		}
	}
}

// configuresMeta reports whether a detail rule names metadata containers:
// metadata found by its labels is a fallback only when the rule had some
// that matched nothing; without any it is how the rule reads metadata.
func configuresMeta(r config.DetailRule) bool {
	return len(r.MetaTables) > 0 || len(r.MetaLists) > 0
}
