package sim

import (
	"slices"
	"sort"
	"time"
)

// This file picks the documents that other releases refer to: the target
// of a 政策解读 and the original of a Guiyang reprint.

// toInterpret returns the gov.cn document a 政策解读 published at at should
// interpret: one of the three newest documents of the last ten days not
// yet interpreted, else the newest interpreted only once, else nil. In
// history the document is at least half an hour old.
func (s *Site) toInterpret(g *generator, at time.Time, history bool) *item {
	to := at
	if history {
		to = at.Add(-30 * time.Minute)
	}
	docs := s.recent(at.AddDate(0, 0, -10), to, colZuixin, colGWYWJ, colBMWJ)
	if it, ok := newestOf(g, docs, func(it *item) bool { return it.interpreted == 0 }); ok {
		return it
	}
	for _, it := range slices.Backward(docs) {
		if it.interpreted < 2 {
			return it
		}
	}
	return nil
}

// toReprint returns the document a Guiyang release published at at should
// reprint: one of the three newest ecological gov.cn 国务院文件 or Guizhou
// 黔府发 and 黔府办发 documents of the last five days that are in force and
// not reprinted yet, or nil. In history the document is at least two hours
// old.
func (s *Site) toReprint(g *generator, at time.Time, history bool) *item {
	to := at
	if history {
		to = at.Add(-2 * time.Hour)
	}
	docs := s.recent(at.AddDate(0, 0, -5), to, colZuixin, colGWYWJ, colQFF, colQFBF)
	it, _ := newestOf(g, docs, func(it *item) bool {
		return it.tp.eco && it.reprinted == 0 && (it.Validity == "" || it.Validity == "有效")
	})
	return it
}

// recent returns the releases of cols published in [from, to), oldest first.
func (s *Site) recent(from, to time.Time, cols ...column) []*item {
	var out []*item
	for _, col := range cols {
		list := s.lists[col.slug] // oldest first
		i := sort.Search(len(list), func(i int) bool { return !list[i].PublishedAt.Before(from) })
		j := sort.Search(len(list), func(i int) bool { return !list[i].PublishedAt.Before(to) })
		out = append(out, list[i:j]...)
	}
	slices.SortStableFunc(out, func(a, b *item) int { return a.PublishedAt.Compare(b.PublishedAt) })
	return out
}

// newestOf picks one of the three newest docs that pass ok.
func newestOf(g *generator, docs []*item, ok func(*item) bool) (*item, bool) {
	var fresh []*item
	for _, it := range slices.Backward(docs) {
		if ok(it) {
			fresh = append(fresh, it)
			if len(fresh) == 3 {
				break
			}
		}
	}
	if len(fresh) == 0 {
		return nil, false
	}
	return pick(g.rng, fresh), true
}
