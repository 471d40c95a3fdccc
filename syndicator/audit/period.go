package audit

import (
	"fmt"
	"time"

	"github.com/gyeco/syndicator/syndicator"
)

// Years a period may name: the ledger starts after 2000 and nothing is
// due after 2100. Wider dates are refused rather than carried into a
// report (the day after --to 9999-12-31 cannot even be written as JSON).
const (
	firstYear = 2000
	lastYear  = 2100
)

// ParsePeriod reads the days of `audit report|export --from/--to` and of
// the API's ?from=&to= (YYYY-MM-DD, Beijing time); to is included, so the
// period ends at the next midnight. Empty from is the epoch, empty to the
// end of today. Given days must lie in the years 2000..2100; the errors
// are in Chinese, for the user, and name the flag.
func ParsePeriod(from, to string, now time.Time) (time.Time, time.Time, error) {
	day := func(flag, s string) (time.Time, error) {
		d, err := time.ParseInLocation("2006-01-02", s, syndicator.Shanghai)
		if err != nil {
			return d, fmt.Errorf("%s %q: 日期格式应为 YYYY-MM-DD", flag, s)
		}
		if d.Year() < firstYear || d.Year() > lastYear {
			return d, fmt.Errorf("%s %s: 日期须在 %d-01-01 至 %d-12-31 之间", flag, s, firstYear, lastYear)
		}
		return d, nil
	}
	var f, t time.Time
	var err error
	if from != "" {
		if f, err = day("--from", from); err != nil {
			return f, t, err
		}
	}
	if to == "" {
		n := now.In(syndicator.Shanghai)
		t = time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, syndicator.Shanghai).AddDate(0, 0, 1)
	} else {
		if t, err = day("--to", to); err != nil {
			return f, t, err
		}
		t = t.AddDate(0, 0, 1)
	}
	if !f.IsZero() && !t.After(f) {
		return f, t, fmt.Errorf("--to %s 早于 --from %s", to, from)
	}
	return f, t, nil
}
