// Package crawler watches one source: it polls the source's lists on a
// schedule, reads every unseen detail page, captures the original bytes and
// attachments, and announces each new item once as
// synd.item.discovered.<source>.
package crawler

import (
	"cmp"
	"context"
	"math/rand/v2"
	"sync"
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

// leaseKeeper is Leases that can hold a lease across polls
// (natsbus.Bus): Run takes its source's lease once and keeps it, instead
// of writing a lease around every poll. The lost channel closes when the
// lease is lost; nil, nil means another instance holds it.
type leaseKeeper interface {
	Acquire(ctx context.Context, key, owner string) (lost <-chan struct{}, err error)
	Release(key, owner string)
}

// Deps are the parts a crawler works with; one set is shared by all sources.
type Deps struct {
	Fetch   *fetch.Fetcher
	Extract *extract.Extractor
	Pub     Publisher
	State   StateStore
	Leases  Leases
	// Owner names this instance in synd_leases.
	Owner string
	// Controls are the operators' pause and poll-now requests; nil: none.
	Controls *Controls
	// Observer is told how each poll went (metrics); nil: nobody.
	Observer Observer
	// MissingShare is the share of detail pages in one poll that may lack a
	// required field before the source turns degraded. Default 0.2.
	MissingShare float64
	// MaxAttachmentBytes caps one attachment; 0 = the fetcher's body cap.
	MaxAttachmentBytes int64
	// Recheck is how often items discovered in the last two days are read
	// again for revisions (older ones less often). Default 1h.
	Recheck time.Duration
	Log     zerolog.Logger
	// Now stamps events, health and baselines; nil means time.Now. Tests
	// advance it instead of sleeping through service levels.
	Now func() time.Time
}

// Crawler polls one source. Build it with New; Run it until ctx ends.
type Crawler struct {
	src    config.Source
	fetch  *fetch.Fetcher
	ext    *extract.Extractor
	pub    Publisher
	state  StateStore
	leases Leases
	owner  string
	ctl    *Controls
	obs    Observer
	// missingShare: see Deps.MissingShare.
	missingShare  float64
	maxAttachment int64
	recheckBase   time.Duration
	log           zerolog.Logger
	now           func() time.Time

	// mu serializes polls: memo is theirs.
	mu   sync.Mutex
	memo *stateMemo // the source state as last read or written; nil: read it
}

// New returns a crawler for src; it does no I/O.
func New(src config.Source, d Deps) *Crawler {
	now := d.Now
	if now == nil {
		now = time.Now
	}
	obs := d.Observer
	if obs == nil {
		obs = noObserver{}
	}
	return &Crawler{
		src: src, fetch: d.Fetch, ext: d.Extract, pub: d.Pub, state: d.State, leases: d.Leases, owner: d.Owner, ctl: d.Controls, obs: obs,
		missingShare: cmp.Or(d.MissingShare, 0.2), maxAttachment: d.MaxAttachmentBytes,
		recheckBase: cmp.Or(d.Recheck, time.Hour),
		log:         d.Log.With().Str("source", src.ID).Logger(),
		now:         func() time.Time { return now().UTC() },
	}
}

// Run polls at once (after a small random delay, so many sources don't
// start together), then every Interval plus up to Jitter, until ctx ends.
// It polls only while it holds the source's lease, which it keeps across
// polls and releases when it returns (sourceLease); while another instance
// holds it, Run asks again at every tick, at least every 10 s.
func (c *Crawler) Run(ctx context.Context) error {
	if c.src.IgnoreRobots != "" {
		c.log.Warn().Str("reason", c.src.IgnoreRobots).Msg("robots.txt is ignored for this source, as configured")
	}
	wait := randDuration(min(c.src.Jitter, 2*time.Second))
	wake := c.ctl.Wake(c.src.ID)
	lease := c.newSourceLease()
	defer lease.release()
	for {
		t := time.NewTimer(wait)
		asked := false
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		case <-wake:
			t.Stop()
			asked = true
		}
		if !asked && c.ctl.Paused(c.src.ID) {
			// Paused by an operator: not polled until resumed (a poll
			// asked for by hand still runs).
			wait = c.src.Interval
			c.log.Debug().Msg("poll skipped: source paused by an operator")
			continue
		}
		res, held, err := lease.poll(ctx)
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
		switch {
		case res.Err != nil:
			ev = c.log.Warn().Err(res.Err)
		case res.quiet():
			// Nothing happened: one line per source per poll would be
			// most of the log.
			ev = c.log.Debug()
		}
		switch {
		case res.BaselineTaken && c.src.TakesBaseline():
			c.log.Info().Int("baseline", res.Baseline).
				Msg("baseline taken: the items on the lists at this first successful poll are history (基线), archived and republished but not counted by timeliness audits; items found from now on are new releases")
		case res.BaselineTaken:
			c.log.Info().Msg("first successful poll: baseline: false, so its items are counted as new releases")
		}
		ev.Int("listed", res.Listed).Int("new", res.New).Int("baseline", res.Baseline).Int("failed", res.Failed).
			Dur("took", res.Took).Msg("poll finished")
	}
}

func randDuration(max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(max)))
}

// ListURLs are the first pages of the source's lists.
func (c *Crawler) ListURLs() []string {
	out := make([]string, len(c.src.Resolved.ListURLs))
	for i, u := range c.src.Resolved.ListURLs {
		out[i] = u.String()
	}
	return out
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
	// Backfilled and Baseline are the item's marks, carried into its
	// later revisions.
	Backfilled bool `json:"backfilled,omitempty"`
	Baseline   bool `json:"baseline,omitempty"`
}

func (c *Crawler) known(ctx context.Context, id string) (bool, error) {
	var st ItemState
	return c.state.GetState(ctx, syndicator.BucketItems, id, &st)
}
