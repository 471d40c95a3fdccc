package audit

import (
	"time"

	"github.com/gyeco/syndicator/syndicator"
)

// DateOnly is how a publication time known only to the day starts the
// clock.
type DateOnly string

const (
	// DateOnlyStart reads a date-only time as 00:00 Beijing time: strict,
	// the lag can only be overstated.
	DateOnlyStart DateOnly = "start"
	// DateOnlyEnd reads it as 24:00: lenient, the lag can only be
	// understated.
	DateOnlyEnd DateOnly = "end"
)

// Limit is one deadline: Hours after the clock starts (fractional hours
// allowed) or, when WorkingDays > 0, the end of that many working days
// after the start day (Calendar.WorkingDayDeadline).
type Limit struct {
	Hours       float64 `json:"hours,omitempty"`
	WorkingDays int     `json:"working_days,omitempty"`
}

// Deadline is when an item whose clock started at start is due.
func (l Limit) Deadline(start time.Time, cal Calendar) time.Time {
	if l.WorkingDays > 0 {
		return cal.WorkingDayDeadline(start, l.WorkingDays)
	}
	return start.Add(hours(l.Hours))
}

// Policy is the service level per class (issue 6) and the rules the
// report measures it with.
type Policy struct {
	// Timely runs from the upstream publication.
	Timely Limit `json:"timely"`
	// Sync runs from the upstream publication; when the municipal site
	// also carries the document, the copy must in addition be live within
	// MunicipalHours of that sighting (0: not measured).
	Sync           Limit   `json:"sync"`
	MunicipalHours float64 `json:"municipal_hours,omitempty"`
	// Review (approved items) runs from the first sighting on any site.
	Review Limit `json:"review"`
	// DateOnly reads date-only publication times.
	DateOnly DateOnly `json:"date_only"`
	// Sink is the sink whose publication counts ("site", "webhook"); ""
	// takes the first publication on any sink.
	Sink string `json:"sink,omitempty"`
	// StaleDays flags a committee-site column without a new article for
	// that many days (the 2019 inspection indicators: two weeks).
	StaleDays int `json:"stale_days"`
	// Columns are the committee site's columns, reported even when they
	// never had an article.
	Columns []string `json:"columns,omitempty"`
}

// DefaultPolicy is the seed work plan's clock: timely 24 hours, sync one
// working day and 24 hours after the municipal site, review three working
// days, date-only times read strictly, the committee site, columns stale
// after 15 days.
func DefaultPolicy() Policy {
	return Policy{
		Timely:         Limit{Hours: 24},
		Sync:           Limit{WorkingDays: 1},
		MunicipalHours: 24,
		Review:         Limit{WorkingDays: 3},
		DateOnly:       DateOnlyStart,
		Sink:           "site",
		StaleDays:      15,
	}
}

// clockStart reads an upstream time under the date-only rule: a day-precise
// time (kept as 00:00) moves to 24:00 when the rule is end.
func clockStart(at time.Time, p syndicator.Precision, rule DateOnly) time.Time {
	if p == syndicator.PrecisionDay && rule == DateOnlyEnd {
		return startOfDay(at).AddDate(0, 0, 1)
	}
	return at
}

// Bounds of a Limit: a deadline further out measures nothing, and
// counting more working days, or converting more hours to a Duration,
// would only cost time or overflow. Configuration rejects larger values;
// the audit reads them as these bounds.
const (
	MaxWorkingDays = 366
	MaxHours       = 366 * 24
)

// hours is h hours as a Duration, h read within [0, MaxHours] (NaN as 0).
func hours(h float64) time.Duration {
	if !(h > 0) {
		return 0
	}
	return time.Duration(min(h, MaxHours) * float64(time.Hour))
}
