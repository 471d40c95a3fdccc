// Package sim simulates the government sites syndicator watches: a
// gov.cn-like site under /govcn/ (the 最新政策 JSON list and 国务院文件 detail
// pages) and a Guizhou-like TRS site under /guizhou/ (黔府发 and 黔府办发 list
// pages and detail pages), with attachments. It is deterministic for a seed,
// publishes new releases on demand or on a schedule, and exposes the ground
// truth of everything it serves, for tests, demos and benchmarks.
//
// The markup follows docs/sources.md: see govcn.go and guizhou.go.
package sim

import (
	"context"
	"slices"
	"sync"
	"time"
	_ "time/tzdata" // Asia/Shanghai must load without a system zone database
)

// Options configures a Site. The zero value is usable.
type Options struct {
	// Seed selects the simulated history and every release after it: the
	// same seed gives the same bytes for every path.
	Seed int64
	// Items is the number of historical releases per site, published before
	// Start. 0 means 30; a negative value means none. On Guizhou two of three
	// go to 黔府发 and one to 黔府办发.
	Items int
	// PublishEvery is the interval at which Run publishes; the n-th release
	// published after New is dated Start + n*PublishEvery (cut to the second
	// on gov.cn, the minute on Guizhou), whether it comes from Run or
	// Publish, so that dates stay deterministic. 0 means 10 minutes.
	PublishEvery time.Duration
	// Start is the simulated present: history lies before it. The zero value
	// means 2026-09-01 10:00 Beijing time, so that tests are reproducible.
	Start time.Time
	// LargeEvery makes every n-th release of a site (counted per site, from
	// 1, history included) large: a body of about 1.5 MB. 0 means 10; a
	// negative value means never.
	LargeEvery int
	// OnPublish, if set, is called with each release published after New,
	// outside the site's lock. It must not block for long.
	OnPublish func(Release)
}

// Site is the simulated sites. It is an http.Handler; all methods are safe
// for concurrent use.
type Site struct {
	start     time.Time
	every     time.Duration
	onPublish func(Release)

	mu     sync.RWMutex
	gen    *generator
	n      int                // releases published after New
	all    []*item            // oldest first
	byPath map[string]*item   // detail page path → release
	files  map[string]file    // attachment path → bytes
	govcn  []entry            // the JSON list, oldest first
	lists  map[string][]*item // Guizhou column slug → releases, oldest first

	hitsMu sync.Mutex
	hits   map[string]int
}

type file struct {
	data []byte
	it   *item
}

// New builds the sites with their history.
func New(opts Options) *Site {
	loc := shanghai()
	items := opts.Items
	switch {
	case items == 0:
		items = 30
	case items < 0:
		items = 0
	}
	every := opts.PublishEvery
	if every <= 0 {
		every = 10 * time.Minute
	}
	start := opts.Start
	if start.IsZero() {
		start = time.Date(2026, 9, 1, 10, 0, 0, 0, loc)
	}
	large := opts.LargeEvery
	if large == 0 {
		large = 10
	}
	s := &Site{
		start:     start.In(loc),
		every:     every,
		onPublish: opts.OnPublish,
		gen:       newGenerator(opts.Seed, loc, large),
		byPath:    map[string]*item{},
		files:     map[string]file{},
		lists:     map[string][]*item{},
		hits:      map[string]int{},
	}
	s.history(items)
	return s
}

// history publishes n releases per site before start. Two rows a crawler
// must filter out are mixed into the gov.cn list, just below the 4th and the
// 13th newest historical release (so only with n >= 4 and n >= 13).
func (s *Site) history(n int) {
	var made []*item
	for i, at := range s.gen.pastTimes(s.start, n, time.Second) {
		var noise *noiseRow
		if k := n - 1 - i; k == 3 || k == 12 {
			nr := noiseFor(at, k, s.gen.newsID())
			noise = &nr
		}
		it := s.gen.release(colZuixin, at, true)
		if noise != nil {
			s.govcn = append(s.govcn, entry{noise: *noise})
		}
		s.govcn = append(s.govcn, entry{it: it})
		made = append(made, it)
	}
	for i, at := range s.gen.pastTimes(s.start, n, time.Minute) {
		it := s.gen.release(historyColumn(i), at, true)
		s.lists[it.Column] = append(s.lists[it.Column], it)
		made = append(made, it)
	}
	slices.SortStableFunc(made, func(a, b *item) int { return a.PublishedAt.Compare(b.PublishedAt) })
	for _, it := range made {
		s.index(it)
	}
}

// index makes a release reachable by path.
func (s *Site) index(it *item) {
	s.all = append(s.all, it)
	s.byPath[it.Path] = it
	for i, a := range it.Attachments {
		s.files[a.Path] = file{data: it.files[i], it: it}
	}
}

// Publish publishes the next release at once and returns it. Releases
// alternate: gov.cn, 黔府发, gov.cn, 黔府办发, … The new release is on top of
// its list (JSON list or page 1) from now on.
func (s *Site) Publish() Release {
	s.mu.Lock()
	s.n++
	col := publishColumn(s.n)
	prec := time.Second
	if col.site == Guizhou {
		prec = time.Minute
	}
	at := s.start.Add(time.Duration(s.n) * s.every).Truncate(prec)
	it := s.gen.release(col, at, false)
	if col.site == GovCN {
		s.govcn = append(s.govcn, entry{it: it})
	} else {
		s.lists[col.slug] = append(s.lists[col.slug], it)
	}
	s.index(it)
	r := it.Release.clone()
	s.mu.Unlock()

	if s.onPublish != nil {
		s.onPublish(r.clone())
	}
	return r
}

// Run publishes one release every PublishEvery until ctx ends, then returns
// nil.
func (s *Site) Run(ctx context.Context) error {
	t := time.NewTicker(s.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			s.Publish()
		}
	}
}

// Releases returns every published release, newest first.
func (s *Site) Releases() []Release {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Release, 0, len(s.all))
	for _, it := range slices.Backward(s.all) {
		out = append(out, it.Release.clone())
	}
	return out
}

// Release returns the release whose detail page is at path.
func (s *Site) Release(path string) (Release, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	it, ok := s.byPath[path]
	if !ok {
		return Release{}, false
	}
	return it.Release.clone(), true
}

// Hits returns the number of requests the handler received for a URL path
// (any method, any status).
func (s *Site) Hits(path string) int {
	s.hitsMu.Lock()
	defer s.hitsMu.Unlock()
	return s.hits[path]
}

func (s *Site) hit(path string) {
	s.hitsMu.Lock()
	s.hits[path]++
	s.hitsMu.Unlock()
}

func shanghai() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err) // unreachable with time/tzdata embedded
	}
	return loc
}
