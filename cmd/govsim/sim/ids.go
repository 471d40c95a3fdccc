package sim

import (
	"slices"
	"time"
)

// idSeq hands out the numeric ids of one id space (gov.cn content_ ids, the
// Guizhou platform's t…_ ids) to several generators, so that ids stay
// unique and increase with publication time across every list of the
// space, whichever generator made a release and in whatever order.
//
// A generator draws a step; the id is the step above the id of the latest
// release published at or before the same time. When that would reach the
// id of a later release, the id is squeezed into the gap; in the rare case
// of no gap at all, it goes above every id given so far (unique, but out of
// time order).
type idSeq struct {
	base   int     // the id before the first one given
	stamps []stamp // every id given, by publication time, then in order given
	taken  map[int]bool
	top    int // the highest id given, or base
}

type stamp struct {
	at time.Time
	id int
}

func newIDSeq(base int) *idSeq {
	return &idSeq{base: base, top: base, taken: map[int]bool{}}
}

// take returns a new id for a release published at at, step (>= 1) above
// its predecessor in time where room allows.
func (s *idSeq) take(at time.Time, step int) int {
	i, _ := slices.BinarySearchFunc(s.stamps, at, func(st stamp, t time.Time) int {
		if st.at.After(t) {
			return 1
		}
		return -1 // equal times sort before at: at goes after them
	})
	prev := s.base
	if i > 0 {
		prev = s.stamps[i-1].id
	}
	id := prev + step
	if i < len(s.stamps) {
		next := s.stamps[i].id
		switch room := next - prev - 1; {
		case room <= 0:
			id = s.top + step
		case id >= next:
			id = prev + 1 + (step-1)%max(1, (room+1)/2)
		}
	}
	for s.taken[id] {
		id++
	}
	s.taken[id] = true
	s.top = max(s.top, id)
	s.stamps = slices.Insert(s.stamps, i, stamp{at: at, id: id})
	return id
}
