// Package crawler watches one source: it polls the source's lists on a
// schedule, reads every unseen detail page, captures the original bytes and
// attachments, and announces each new item once as
// synd.item.discovered.<source>.
package crawler

import (
	"context"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/crawler/extract"
	"github.com/gyeco/syndicator/crawler/fetch"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/rs/zerolog"
)

// Publisher sends events and stores claim-checked bytes.
type Publisher interface {
	Publish(ctx context.Context, ev *syndicator.Event) (duplicate bool, err error)
	PutClaim(ctx context.Context, name string, data []byte) error
	PublishHealth(ctx context.Context, h *syndicator.HealthEvent) error
}

// StateStore keeps what the crawler has seen (KV synd_items) and each
// source's crawl state (KV synd_sources).
type StateStore interface {
	GetState(ctx context.Context, bucket, key string, v any) (bool, error)
	PutState(ctx context.Context, bucket, key string, v any) error
	CreateState(ctx context.Context, bucket, key string, v any) (bool, error)
}

// Leases makes sure one crawler instance polls a source at a time.
type Leases interface {
	Hold(ctx context.Context, key, owner string, fn func(context.Context) error) (held bool, err error)
}

// Deps are the parts a crawler works with; one set is shared by all sources.
type Deps struct {
	Fetch   *fetch.Fetcher
	Extract *extract.Extractor
	Pub     Publisher
	State   StateStore
	Leases  Leases
	// Owner names this instance in synd_leases (host:pid:random).
	Owner string
	Log   zerolog.Logger
}

// Buckets used by the crawler; they match natsbus's names without
// importing it (only natsbus imports nats.go).
const (
	bucketItems   = "synd_items"
	bucketSources = "synd_sources"
)

// Crawler polls one source. Build it with New; Run it until ctx ends.
type Crawler struct {
	src    config.Source
	fetch  *fetch.Fetcher
	ext    *extract.Extractor
	pub    Publisher
	state  StateStore
	leases Leases
	owner  string
	log    zerolog.Logger
	now    func() time.Time
}

// New returns a crawler for src; it does no I/O.
func New(src config.Source, d Deps) *Crawler {
	return &Crawler{
		src: src, fetch: d.Fetch, ext: d.Extract, pub: d.Pub, state: d.State, leases: d.Leases, owner: d.Owner,
		log: d.Log.With().Str("source", src.ID).Logger(),
		now: func() time.Time { return time.Now().UTC() },
	}
}

// Run polls at once (after a small random delay, so many sources don't
// start together), then every Interval plus up to Jitter, until ctx ends.
func (c *Crawler) Run(ctx context.Context) error {
	wait := randDuration(min(c.src.Jitter, 2*time.Second))
	for {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		var res PollResult
		held, err := c.leases.Hold(ctx, "source."+c.src.ID, c.owner, func(ctx context.Context) error {
			res = c.Poll(ctx)
			return nil
		})
		if ctx.Err() != nil {
			return nil
		}
		wait = c.src.Interval + randDuration(c.src.Jitter)
		if err != nil || !held {
			// Another instance polls this source now, or NATS is away; try later.
			c.log.Debug().Err(err).Bool("held", held).Msg("poll skipped: lease not held")
			if err == nil {
				wait = min(wait, 10*time.Second)
			}
			continue
		}
		ev := c.log.Info()
		if res.Err != nil {
			ev = c.log.Warn().Err(res.Err)
		}
		ev.Int("listed", res.Listed).Int("new", res.New).Int("failed", res.Failed).
			Dur("took", res.Took).Msg("poll finished")
	}
}

func randDuration(max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(max)))
}

// PollResult sums up one poll.
type PollResult struct {
	Listed  int   // distinct items on the list pages read
	New     int   // items discovered and announced
	Failed  int   // items that could not be read; retried next poll
	GivenUp int   // items dropped after maxAttempts failed polls
	Err     error // the list could not be read at all
	Took    time.Duration
}

// Poll reads the lists once and announces every unseen item, oldest first.
// Failures of single items are counted, not fatal: the rest go on, and the
// failed ones are kept in the source state and tried again at the next
// poll even when they have slipped off the pages an incremental poll reads.
func (c *Crawler) Poll(ctx context.Context) PollResult {
	start := time.Now()
	var prev SourceState
	if _, err := c.state.GetState(ctx, bucketSources, c.src.ID, &prev); err != nil {
		c.log.Warn().Err(err).Msg("cannot read source state")
	}
	res := PollResult{}
	entries, listErr := c.readLists(ctx)
	res.Listed = len(entries)
	res.Err = listErr
	var retry []RetryEntry
	for _, e := range c.withRetries(entries, prev.Retry) {
		if ctx.Err() != nil {
			break
		}
		isNew, err := c.discover(ctx, e.ListEntry)
		switch {
		case err != nil:
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
		}
	}
	res.Took = time.Since(start)
	c.recordHealth(ctx, prev, res, retry)
	return res
}

// maxAttempts bounds how many polls retry an item that keeps failing.
const maxAttempts = 20

// RetryEntry is a list entry that failed and is tried again next poll.
type RetryEntry struct {
	extract.ListEntry
	Attempts  int    `json:"attempts"`
	LastError string `json:"last_error"`
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

// readLists reads page 1 (and up to Pages pages) of every list URL and
// returns the distinct entries, newest first.
func (c *Crawler) readLists(ctx context.Context) ([]extract.ListEntry, error) {
	var all []extract.ListEntry
	seen := map[string]bool{}
	var firstErr error
	pages := max(c.src.Resolved.List.Pages, 1)
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
				if firstErr == nil {
					firstErr = err
				}
				break
			}
			fresh := 0
			for _, e := range entries {
				id := c.itemID(e.URL)
				if id == "" || seen[id] {
					continue
				}
				seen[id] = true
				all = append(all, e)
				if known, _ := c.known(ctx, id); !known {
					fresh++
				}
			}
			if fresh == 0 {
				break // nothing new on this page: older pages hold nothing new either
			}
		}
	}
	return all, firstErr
}

func (c *Crawler) itemID(rawURL string) string {
	canon, err := syndicator.CanonicalURL(rawURL, nil)
	if err != nil {
		return ""
	}
	return syndicator.ItemID(canon)
}

// ItemState is the crawler's record of an item in KV synd_items.
type ItemState struct {
	ID            string    `json:"id"`
	Source        string    `json:"source"`
	URL           string    `json:"url"`
	Revision      int       `json:"revision"`
	ContentSHA256 string    `json:"content_sha256"`
	DiscoveredAt  time.Time `json:"discovered_at"`
}

func (c *Crawler) known(ctx context.Context, id string) (bool, error) {
	var st ItemState
	return c.state.GetState(ctx, bucketItems, id, &st)
}
