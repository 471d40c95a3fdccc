package extract

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gyeco/syndicator/syndicator"
	"golang.org/x/text/width"
)

// layouts are the source date formats (sources.md §2.4), tried in order on
// the width-folded, space-collapsed value. Single-digit month, day and hour
// layouts also accept zero-padded values.
var layouts = [...]struct {
	layout string
	prec   syndicator.Precision
}{
	{"2006-1-2-15:04:05", syndicator.PrecisionSecond}, // gov.cn firstpublishedtime
	{"2006-1-2 15:04:05", syndicator.PrecisionSecond},
	{"2006-1-2T15:04:05", syndicator.PrecisionSecond},
	{time.RFC3339, syndicator.PrecisionSecond},
	{"2006-1-2 15:04", syndicator.PrecisionMinute}, // Guizhou lists, PubDate
	{"2006-1-2", syndicator.PrecisionDay},          // gov.cn DOCRELPUBTIME
	{"2006.1.2", syndicator.PrecisionDay},          // gov.cn search pubtimeStr
	{"2006.1.2 15:04", syndicator.PrecisionMinute},
	{"2006/1/2", syndicator.PrecisionDay},
	{"2006/1/2 15:04", syndicator.PrecisionMinute},
	{"2006/1/2 15:04:05", syndicator.PrecisionSecond},
	{"2006年1月2日", syndicator.PrecisionDay}, // header tables
	{"2006年1月2日 15:04", syndicator.PrecisionMinute},
	{"2006年1月2日 15:04:05", syndicator.PrecisionSecond},
	{"20060102", syndicator.PrecisionDay}, // tYYYYMMDD in TRS URLs
}

// ParseTime parses a source date or time in Beijing time (sources.md §2.4):
// every layout of the table above, after folding full-width characters and
// collapsing white space ("2019-02-12  16:43"), plus epoch seconds (10
// digits) and milliseconds (13 digits) as the gov.cn search API sends them.
// A date-only value is 00:00 with PrecisionDay: no time of day is invented.
func ParseTime(s string) (time.Time, syndicator.Precision, error) {
	v := collapseSpace(width.Fold.String(s))
	if v == "" {
		return time.Time{}, syndicator.PrecisionDay, fmt.Errorf("extract: parse time: empty")
	}
	if isDigits(v) && (len(v) == 10 || len(v) == 13) {
		n, err := strconv.ParseInt(v, 10, 64)
		if err == nil {
			if len(v) == 13 {
				return time.UnixMilli(n).In(syndicator.Shanghai), syndicator.PrecisionSecond, nil
			}
			return time.Unix(n, 0).In(syndicator.Shanghai), syndicator.PrecisionSecond, nil
		}
	}
	for _, l := range layouts {
		if t, err := time.ParseInLocation(l.layout, v, syndicator.Shanghai); err == nil {
			return t.In(syndicator.Shanghai), l.prec, nil
		}
	}
	return time.Time{}, syndicator.PrecisionDay, fmt.Errorf("extract: parse time %q: no known layout", s)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// reEmbeddedDate finds a date, optionally followed by a time, in running
// text (sources.md §2.4); it runs on width-folded text.
var reEmbeddedDate = regexp.MustCompile(
	`((?:19|20)\d{2})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})(?:\s*日)?` +
		`(?:[\sT-]*(\d{1,2}):(\d{2})(?::(\d{2}))?)?`)

// FindTime returns the first valid date embedded in text, e.g.
// "发布时间：2025-10-21 10:30 来源：…" (minute) or "成文日期：2017年05月15日"
// (day), in Beijing time with the precision actually present. A candidate
// inside a longer number, or with a month, day or time out of range, is
// skipped.
func FindTime(text string) (time.Time, syndicator.Precision, bool) {
	s := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) { // \s below is ASCII only; &nbsp; is common
			return ' '
		}
		return r
	}, width.Fold.String(text))
	for pos := 0; pos < len(s); {
		loc := reEmbeddedDate.FindStringSubmatchIndex(s[pos:])
		if loc == nil {
			break
		}
		start, end := pos+loc[0], pos+loc[1]
		if (start == 0 || !isDigit(s[start-1])) && (end == len(s) || !isDigit(s[end])) {
			parts := make([]string, 6)
			for i := range parts {
				if a, b := loc[2+2*i], loc[3+2*i]; a >= 0 {
					parts[i] = s[pos+a : pos+b]
				}
			}
			if t, prec, ok := dateFromParts(parts); ok {
				return t, prec, true
			}
		}
		pos = start + 1
	}
	return time.Time{}, syndicator.PrecisionDay, false
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// dateFromParts builds a time from year, month, day and optional hour,
// minute and second strings. A date out of range is rejected; a time out of
// range is dropped, leaving the date with PrecisionDay.
func dateFromParts(p []string) (time.Time, syndicator.Precision, bool) {
	num := func(s string) int { n, _ := strconv.Atoi(s); return n }
	y, mo, d := num(p[0]), num(p[1]), num(p[2])
	h, mi, sec := 0, 0, 0
	prec := syndicator.PrecisionDay
	if p[3] != "" {
		h, mi = num(p[3]), num(p[4])
		prec = syndicator.PrecisionMinute
		if p[5] != "" {
			sec = num(p[5])
			prec = syndicator.PrecisionSecond
		}
	}
	if mo < 1 || mo > 12 || d < 1 {
		return time.Time{}, prec, false
	}
	if h > 23 || mi > 59 || sec > 59 { // a broken time does not spoil the date
		h, mi, sec, prec = 0, 0, 0, syndicator.PrecisionDay
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, syndicator.Shanghai)
	if t.Day() != d { // 2 月 30 日 normalises into March
		return time.Time{}, prec, false
	}
	return t, prec, true
}

// dateOnly formats t as YYYY-MM-DD in Beijing time.
func dateOnly(t time.Time) string {
	return t.In(syndicator.Shanghai).Format(time.DateOnly)
}

// parseOrFind parses s as a whole, else searches it for an embedded date.
func parseOrFind(s string) (time.Time, syndicator.Precision, bool) {
	if strings.TrimSpace(s) == "" {
		return time.Time{}, syndicator.PrecisionDay, false
	}
	if t, prec, err := ParseTime(s); err == nil {
		return t, prec, true
	}
	return FindTime(s)
}
