package extract

import (
	"maps"
	"regexp"
	"slices"
	"strings"
)

// Field names JSON lists use, as hints: a row's keys are chosen by what
// their values look like first, and by these names among equals.
var (
	urlKeyHint   = regexp.MustCompile(`(?i)url|link|href|path`)
	dateKeyHint  = regexp.MustCompile(`(?i)time|date|pub|rq|sj`)
	titleKeyHint = regexp.MustCompile(`(?i)title|^name$|^bt$|^biaoti$`)
	// Prose fields hold Chinese text longer than the title: never a title.
	proseKey = regexp.MustCompile(`(?i)summary|content|abstract|desc|intro|body|text|zy|zhaiyao`)
)

// pageLike says whether s is a link to a page: a URL or path whose path
// ends in a page's extension (.htm, .html, .shtml, .jsp).
func pageLike(s string) bool {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	for _, ext := range []string{".htm", ".html", ".shtml", ".jsp"} {
		if strings.HasSuffix(strings.ToLower(s), ext) {
			return true
		}
	}
	return false
}

// jsonRowFields picks, from a list's first row, the keys holding the page
// URL, the title and the date. A date must read as one between 2000 and
// 2100 (an id of ten digits would otherwise pass as epoch seconds).
func jsonRowFields(row map[string]any) (urlField, titleField, dateField string) {
	keys := slices.Sorted(maps.Keys(row))
	// Named keys before the others, each group in sorted order.
	byHint := func(hint *regexp.Regexp) []string {
		out := slices.Clone(keys)
		slices.SortStableFunc(out, func(a, b string) int {
			ha, hb := hint.MatchString(a), hint.MatchString(b)
			switch {
			case ha && !hb:
				return -1
			case hb && !ha:
				return 1
			}
			return 0
		})
		return out
	}
	for _, k := range byHint(urlKeyHint) {
		if pageLike(scalar(row[k])) {
			urlField = k
			break
		}
	}
	// A written date before an epoch number: an epoch claims a second's
	// precision that a list's midnight timestamps do not have.
	for _, epoch := range []bool{false, true} {
		for _, k := range byHint(dateKeyHint) {
			v := scalar(row[k])
			if k == urlField || dateField != "" || isDigits(v) != epoch {
				continue
			}
			if t, _, err := ParseTime(v); err == nil && t.Year() >= 2000 && t.Year() <= 2100 {
				dateField = k
			}
		}
	}
	// The title: a title-named key with Chinese text, else the longest
	// Chinese text that is not prose, the URL or the date.
	for _, k := range keys {
		s := scalar(row[k])
		if k == urlField || k == dateField || proseKey.MatchString(k) || !hasHan(s) {
			continue
		}
		rank, best := titleRank(k), titleRank(titleField)
		if titleField == "" || rank > best || (rank == best && len(s) > len(scalar(row[titleField]))) {
			titleField = k
		}
	}
	return urlField, titleField, dateField
}

// titleRank orders the keys that may hold a row's title: TITLE before
// SUB_TITLE or doc_title, those before keys with no such name.
func titleRank(k string) int {
	switch {
	case strings.EqualFold(k, "title"):
		return 2
	case titleKeyHint.MatchString(k):
		return 1
	}
	return 0
}
