package audit

import (
	"fmt"
	"time"

	"github.com/gyeco/syndicator/syndicator"
)

// dateLayout is how calendar days are written in configuration and reports.
const dateLayout = "2006-01-02"

// Calendar says which days are working days, in Beijing time: Monday to
// Friday unless listed as a holiday, and Saturday or Sunday only when
// listed as a make-up working day (调休上班). The zero Calendar has no
// holidays and no make-up days.
type Calendar struct {
	holidays map[string]bool
	workdays map[string]bool
}

// NewCalendar reads holidays and make-up working days given as
// YYYY-MM-DD. A day in both lists is an error, as is a make-up day that is
// already a weekday.
func NewCalendar(holidays, workdays []string) (Calendar, error) {
	c := Calendar{holidays: map[string]bool{}, workdays: map[string]bool{}}
	for _, s := range holidays {
		if _, err := time.ParseInLocation(dateLayout, s, syndicator.Shanghai); err != nil {
			return Calendar{}, fmt.Errorf("holiday %q: want YYYY-MM-DD", s)
		}
		c.holidays[s] = true
	}
	for _, s := range workdays {
		d, err := time.ParseInLocation(dateLayout, s, syndicator.Shanghai)
		if err != nil {
			return Calendar{}, fmt.Errorf("make-up working day %q: want YYYY-MM-DD", s)
		}
		if c.holidays[s] {
			return Calendar{}, fmt.Errorf("%s is listed both as a holiday and as a make-up working day", s)
		}
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			return Calendar{}, fmt.Errorf("make-up working day %s is a %s, already a working day", s, wd)
		}
		c.workdays[s] = true
	}
	return c, nil
}

// IsWorkday reports whether the Beijing calendar day containing t is a
// working day.
func (c Calendar) IsWorkday(t time.Time) bool {
	t = t.In(syndicator.Shanghai)
	key := t.Format(dateLayout)
	switch {
	case c.workdays[key]:
		return true
	case c.holidays[key]:
		return false
	}
	wd := t.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// WorkingDayDeadline is the end (24:00 Beijing time, i.e. 00:00 of the
// following day) of the n-th working day after the day that contains
// start. The start day itself never counts, whatever the time of day or
// whether it is a working day: an item first seen on Friday at 09:00 with
// n = 1 is due by Monday 24:00, one seen on a Saturday too. n < 1 is read
// as 1 and n > MaxWorkingDays as MaxWorkingDays, so the count ends soon
// whatever the policy says.
func (c Calendar) WorkingDayDeadline(start time.Time, n int) time.Time {
	n = min(max(n, 1), MaxWorkingDays)
	day := startOfDay(start)
	for n > 0 {
		day = day.AddDate(0, 0, 1)
		if c.IsWorkday(day) {
			n--
		}
	}
	return day.AddDate(0, 0, 1)
}

// startOfDay is 00:00 Beijing time of the day containing t.
func startOfDay(t time.Time) time.Time {
	t = t.In(syndicator.Shanghai)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, syndicator.Shanghai)
}
