package syndicator

// SameRelated reports whether a and b link the same document the same
// way: same kind, and the same id (or, without ids, the same URL).
func SameRelated(a, b Related) bool {
	return a.Kind == b.Kind && (a.ID != "" && a.ID == b.ID || a.URL != "" && a.URL == b.URL)
}

// HasRelated reports whether rs holds a link the same as r.
func HasRelated(rs []Related, r Related) bool {
	for _, x := range rs {
		if SameRelated(x, r) {
			return true
		}
	}
	return false
}

// MergeRelated returns the links of cur followed by those of more that cur
// lacks; neither slice is changed.
func MergeRelated(cur []Related, more ...Related) []Related {
	out := append([]Related(nil), cur...)
	for _, r := range more {
		if !HasRelated(out, r) {
			out = append(out, r)
		}
	}
	return out
}
