// Package sim simulates the government sites syndicator watches: a
// gov.cn-like site under /govcn/ (the 最新政策 JSON list and 国务院文件 detail
// pages; with govcn-all also the 国务院文件 and 部门文件 lists of the 政策文件库
// and 政策解读), a Guizhou-like TRS site under /guizhou/ (黔府发 and 黔府办发
// list pages and detail pages, and the 国务院文件 reprints of Reprint; with
// guizhou-all also 省政府令, 黔府函, 黔府办函 and 失效废止文件), and on
// request a Guiyang site on the same platform under /guiyang/ and a GB18030
// county site under /county/, with attachments. Each gov.cn JSON list also
// has its HTML page, a shell whose script loads the JSON (govcn_shell.go),
// and gov.cn has a paged JSON search of its 政策文件库 (govcn_search.go). It
// is deterministic for a seed, publishes new releases on demand or on a
// schedule, and exposes the ground truth of everything it serves, for
// tests, demos and benchmarks. Tests drive what happens to documents later
// with PublishGovDoc, Reprint, Interpret, Revise, Remove (lifecycle.go) and
// Repeal (repeal.go).
//
// The markup follows docs/sources.md: see govcn.go, govcn_library.go,
// govcn_jiedu.go, guizhou.go and county.go.
package sim

import (
	"slices"
	"sync"
	"time"
	_ "time/tzdata" // Asia/Shanghai must load without a system zone database
)

// Options configures a Site. The zero value is usable.
type Options struct {
	// Seed selects the simulated history and every release after it: the
	// same seed and options give the same bytes for every path.
	Seed int64
	// Items is the number of historical releases per site name in Sites,
	// published before Start. 0 means 30; a negative value means none. On
	// Guizhou two of three go to 黔府发 and one to 黔府办发. govcn-all and
	// guizhou-all add Items more, spread over their extra lists (govcn-all:
	// one 国务院文件 of its own, two 部门文件 and one 政策解读 in four;
	// guizhou-all: two 黔府函, one 黔府办函 and one 省政府令 in four).
	Items int
	// PublishEvery is the interval at which Run publishes; the n-th release
	// published after New is dated Start + n*PublishEvery (cut to the second
	// on gov.cn, the minute elsewhere), whether it comes from Run, Publish
	// or a lifecycle method (lifecycle.go; Revise takes a tick too), so
	// that dates stay deterministic. 0 means 10 minutes.
	PublishEvery time.Duration
	// Start is the simulated present: history lies before it. The zero value
	// means 2026-09-01 10:00 Beijing time, so that tests are reproducible.
	Start time.Time
	// LargeEvery makes every n-th release of a site (counted per site, from
	// 1, history included; the lists a site name of Sites adds count apart)
	// large: a body of about 1.5 MB. 0 means 10; a negative value means
	// never. 政策解读 and Repeal decisions are never large; a reprint is
	// large if its original is; the releases of the lifecycle methods count
	// apart as well.
	LargeEvery int
	// OnPublish, if set, is called with each release published after New
	// (by Publish, Run, PublishGovDoc, Reprint, Repeal or Interpret),
	// outside the site's lock. It must not block for long. Revise, Remove
	// and the validity changes of Repeal publish nothing and do not call it.
	OnPublish func(Release)
	// Sites names the simulated sites and lists to serve (AllSites lists
	// them): "govcn" (最新政策), "govcn-all" (govcn plus 国务院文件, 部门文件
	// and 政策解读), "guizhou" (黔府发, 黔府办发), "guizhou-all" (guizhou plus
	// 省政府令, 黔府函, 黔府办函 and 失效废止文件), "guiyang" (市政府文件, with
	// reprints of gov.cn and Guizhou documents among them) and "county"
	// (GB18030). nil means govcn and guizhou; an empty slice means none. New
	// panics on an unknown name (see CheckSites). The history of govcn and
	// guizhou is the same whichever other names are given.
	Sites []string
}

// Site is the simulated sites. It is an http.Handler; all methods are safe
// for concurrent use.
type Site struct {
	start     time.Time
	every     time.Duration
	onPublish func(Release)
	sites     siteSet

	mu        sync.RWMutex
	gen       *generator            // govcn and guizhou
	gens      map[string]*generator // the other Options.Sites names, forked from gen
	life      *generator            // the lifecycle methods (lifecycle.go), forked from gen
	n         int                   // clock ticks after New: releases published, revisions
	turn      int                   // Publish calls, which take turns between sites
	published map[string]int        // of those, per Release.Site
	all       []*item               // oldest first
	byPath    map[string]*item      // detail page path → release
	files     map[string]file       // attachment path → bytes
	govcn     []entry               // the 最新政策 JSON list, oldest first
	lists     map[string][]*item    // column slug → releases, oldest first
	touched   map[string]time.Time  // column slug → last change other than a new release
	redesign  map[string]bool       // Release.Site → lists redesigned

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
		sites:     newSiteSet(opts.Sites),
		gen:       newGenerator(opts.Seed, loc, large),
		gens:      map[string]*generator{},
		touched:   map[string]time.Time{},
		published: map[string]int{},
		byPath:    map[string]*item{},
		files:     map[string]file{},
		lists:     map[string][]*item{},
		redesign:  map[string]bool{},
		hits:      map[string]int{},
	}
	for _, group := range optInGroups() {
		if s.sites[group] {
			s.gens[group] = s.gen.fork(group)
		}
	}
	s.life = s.gen.fork("lifecycle") // draws nothing from gen: history and Publish stay as they were
	s.history(items)
	return s
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

// Redesign switches the list pages of a site (GovCN, Guizhou, Guiyang or
// County; "govcn-all" and "guizhou-all" name their site) to a new markup,
// or back. Detail pages and attachments never change, and switching back
// restores the former list bytes exactly. Other names are ignored.
//
// Redesigned, the gov.cn JSON lists wrap their rows in
// {"code":200,"data":{"list":[…],"total":N}} with camel-case keys; the
// Guizhou and Guiyang lists draw rows as div.news-list-v2 > dl > dd instead
// of ul.NewsList > li; the county list draws ul.zcwj-list-v2 > li instead of
// table.zcwj-list rows, with ISO dates.
func (s *Site) Redesign(site string, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch site {
	case GovCNAll:
		site = GovCN
	case GuizhouAll:
		site = Guizhou
	}
	s.redesign[site] = on
}
