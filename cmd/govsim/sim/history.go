package sim

import (
	"slices"
	"time"
)

// history publishes n releases per site name before start. Two rows a
// crawler must filter out are mixed into the gov.cn 最新政策 list, just below
// the 4th and the 13th newest historical release (so only with n >= 4 and
// n >= 13).
//
// govcn and guizhou come first, from the main generator and whether or not
// they are enabled, so that their history never depends on the other
// names; each other name has a generator of its own.
func (s *Site) history(n int) {
	var made []*item
	for i, at := range s.gen.pastTimes(s.start, n, time.Second) {
		var noise *noiseRow
		if k := n - 1 - i; k == 3 || k == 12 {
			nr := noiseFor(at, k, s.gen.newsID(at))
			noise = &nr
		}
		it := s.gen.release(colZuixin, at, true)
		if !s.sites[GovCN] {
			continue
		}
		if noise != nil {
			s.govcn = append(s.govcn, entry{noise: *noise})
		}
		made = append(made, s.list(it))
	}
	for i, at := range s.gen.pastTimes(s.start, n, time.Minute) {
		it := s.gen.release(historyColumn(i), at, true)
		if s.sites[Guizhou] {
			made = append(made, s.list(it))
		}
	}
	for _, group := range optInGroups() {
		if s.sites[group] {
			made = append(made, s.groupHistory(group, n)...)
		}
	}
	slices.SortStableFunc(made, func(a, b *item) int { return a.PublishedAt.Compare(b.PublishedAt) })
	for _, it := range made {
		s.index(it)
	}
	if s.sites[GuizhouAll] {
		s.listRepealed()
	}
}

// groupHistory makes the n historical releases of an Options.Sites name
// other than govcn and guizhou, in publication order, and lists them.
func (s *Site) groupHistory(group string, n int) []*item {
	g := s.gens[group]
	cols := historySpread(group)
	prec := time.Second
	if cols[0].prec == byMinute {
		prec = time.Minute
	}
	var made []*item
	for i, at := range g.pastTimes(s.start, n, prec) {
		it := s.make(g, cols[i%len(cols)], at, true)
		if it.Validity != "" && it.SameAs == "" {
			it.Validity = validityAt(g, i, n)
		}
		made = append(made, s.list(it))
	}
	return made
}

// list puts a new release on top of its list and returns it.
func (s *Site) list(it *item) *item {
	if it.Column == colZuixin.slug {
		s.govcn = append(s.govcn, entry{it: it})
		if s.sites[GovCNAll] {
			it.AlsoListed = append(it.AlsoListed, colGWYWJ.list)
		}
	}
	s.lists[it.Column] = append(s.lists[it.Column], it)
	return it
}

// index makes a release reachable by path.
func (s *Site) index(it *item) {
	s.all = append(s.all, it)
	s.byPath[it.Path] = it
	for i, a := range it.Attachments {
		s.files[a.Path] = file{data: it.files[i], it: it}
	}
}

// make makes the next release of col at at with generator g: a 政策解读 of
// a recent gov.cn document (a 部门文件 instead while there is none), a
// Guiyang reprint of a recent ecological gov.cn or Guizhou document (one
// in three in history, one in two after), or a document of col's own.
func (s *Site) make(g *generator, col column, at time.Time, history bool) *item {
	if col.tmpl == tmplGovB {
		if target := s.toInterpret(g, at, history); target != nil {
			target.interpreted++
			return g.interpretation(col, at, target, history)
		}
		col = colBMWJ
	}
	if col.site == Guiyang {
		odds := 2
		if history {
			odds = 3
		}
		if g.rng.IntN(odds) == 0 {
			if orig := s.toReprint(g, at, history); orig != nil {
				orig.reprinted++
				return g.reprint(col, at, orig)
			}
		}
	}
	return g.release(col, at, history)
}
