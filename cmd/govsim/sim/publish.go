package sim

import (
	"context"
	"time"
)

// Publish publishes the next release at once and returns it. Sites take
// turns in the order gov.cn, Guizhou, Guiyang, county, each going round its
// own lists; with the default sites: gov.cn, 黔府发, gov.cn, 黔府办发, …
// The new release is on top of its list (JSON list or page 1) from now on.
// With no site enabled, Publish returns the zero Release.
func (s *Site) Publish() Release {
	s.mu.Lock()
	hosts := s.sites.hosts()
	if len(hosts) == 0 {
		s.mu.Unlock()
		return Release{}
	}
	s.n++
	s.turn++
	host := hosts[(s.turn-1)%len(hosts)]
	cycle := s.sites.publishCycle(host)
	col := cycle[s.published[host]%len(cycle)]
	s.published[host]++
	prec := time.Second
	if col.prec == byMinute {
		prec = time.Minute
	}
	at := s.start.Add(time.Duration(s.n) * s.every).Truncate(prec)
	g := s.gen
	if col.group != GovCN && col.group != Guizhou {
		g = s.gens[col.group]
	}
	it := s.list(s.make(g, col, at, false))
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
