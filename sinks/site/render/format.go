package render

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gyeco/syndicator/syndicator"
)

// Date layouts, all applied in Beijing time.
const (
	layoutMetaDay    = "2006-01-02"
	layoutMetaMinute = "2006-01-02 15:04"
	layoutCNDay      = "2006年01月02日"
	layoutCNMinute   = "2006年01月02日 15:04"
	layoutCNSecond   = "2006年01月02日 15:04:05"
)

// beijing returns t in Asia/Shanghai.
func beijing(t time.Time) time.Time { return t.In(syndicator.Shanghai) }

// pubDateMeta formats the PubDate meta tag: "2026-09-11 17:00", or the
// date alone when only the day is known.
func pubDateMeta(t time.Time, p syndicator.Precision) string {
	if dayOnly(p) {
		return beijing(t).Format(layoutMetaDay)
	}
	return beijing(t).Format(layoutMetaMinute)
}

// pubDateCN formats 发布日期 with the precision the source gave: day
// "2026年09月11日", minute "2026年09月11日 17:00", second with seconds.
func pubDateCN(t time.Time, p syndicator.Precision) string {
	switch {
	case dayOnly(p):
		return beijing(t).Format(layoutCNDay)
	case p == syndicator.PrecisionSecond:
		return beijing(t).Format(layoutCNSecond)
	default:
		return beijing(t).Format(layoutCNMinute)
	}
}

// dayOnly reports whether only the date is known. An unknown precision
// counts as day: no time of day is ever invented (sources.md §2.4).
func dayOnly(p syndicator.Precision) bool {
	return p != syndicator.PrecisionMinute && p != syndicator.PrecisionSecond
}

// writtenDateCN formats 成文日期 (written_at, "YYYY-MM-DD") as
// "YYYY年MM月DD日"; a value in another form is shown as it is.
func writtenDateCN(s string) string {
	t, err := time.Parse(layoutMetaDay, strings.TrimSpace(s))
	if err != nil {
		return s
	}
	return t.Format(layoutCNDay)
}

// listDate is the date shown in article lists: "2026-09-11".
func listDate(t time.Time) string { return beijing(t).Format(layoutMetaDay) }

// known reports whether v is a validity worth showing (not unknown).
func known(v syndicator.Validity) bool {
	switch v {
	case syndicator.ValidityEffective, syndicator.ValidityAmended, syndicator.ValidityRepealed, syndicator.ValidityExpired:
		return true
	}
	return false
}

// banner is the notice at the top of a document that is no longer in
// force as published.
type banner struct {
	Class string
	Text  string
	// Basis links the decision that changed the document's validity.
	Basis *Link
}

// validityBanner returns the banner for v, or nil when none is due.
func validityBanner(v syndicator.Validity) *banner {
	switch v {
	case syndicator.ValidityRepealed:
		return &banner{Class: "banner-repealed", Text: "本文件已废止"}
	case syndicator.ValidityExpired:
		return &banner{Class: "banner-expired", Text: "本文件已失效"}
	case syndicator.ValidityAmended:
		return &banner{Class: "banner-amended", Text: "本文件已修改"}
	}
	return nil
}

// validityBadge marks a listed article that is no longer in force as
// published, e.g. "已废止" with class badge-repealed; nil when in force.
func validityBadge(v syndicator.Validity) *banner {
	if validityBanner(v) == nil {
		return nil
	}
	return &banner{Class: "badge-" + string(v), Text: v.Label()}
}

// contentSource is the ContentSource meta tag: the origin (来源) given by
// the source page, else the issuer, else the name of the source site.
func contentSource(a *Article) string {
	for _, s := range []string{a.Item.Origin, a.Item.Issuer, a.SourceName} {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// sourceLabel is the 来源 row: the origin or issuer, with the source site
// in brackets when it differs, e.g. "国务院办公厅（中国政府网）".
func sourceLabel(a *Article) string {
	primary, site := contentSource(a), strings.TrimSpace(a.SourceName)
	if site == "" || site == primary {
		return primary
	}
	return primary + "（" + site + "）"
}

// summary shortens plain text to at most n runes on one line, with an
// ellipsis when cut.
func summary(text string, n int) string {
	s := strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n])) + "…"
}
