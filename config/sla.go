package config

import (
	"fmt"
	"math"

	"github.com/gyeco/syndicator/syndicator/audit"
)

// SLA is the republication deadline per class (issue 6), each given in
// hours (fractional allowed) or in working days, never both. Working-day
// deadlines end at 24:00 Beijing time of the N-th working day after the
// start day (calendar). Defaults: timely 24 hours, sync 1 working day and
// 24 hours after the municipal site's sighting, review 3 working days
// after the first sighting, date_only start, columns stale at 15 days.
type SLA struct {
	Timely SLALimit `yaml:"timely"`
	Sync   SyncSLA  `yaml:"sync"`
	Review SLALimit `yaml:"review"`
	// DateOnly reads publication times known only to the day: start =
	// 00:00 (strict, default), end = 24:00 (lenient). Reports show the
	// ±24 h uncertainty either way.
	DateOnly string `yaml:"date_only"`
	// Sink is the sink whose publication counts: site (default) or webhook.
	Sink string `yaml:"sink"`
	// StaleColumnDays flags a committee-site column without a new article
	// for that many days. Default 15 (the 2019 indicators: two weeks).
	StaleColumnDays int `yaml:"stale_column_days"`
}

// SLALimit is one deadline: hours or working_days.
type SLALimit struct {
	Hours       float64 `yaml:"hours"`
	WorkingDays int     `yaml:"working_days"`
}

// SyncSLA is the sync class's deadline after the upstream publication,
// plus MunicipalHours after the municipal site's sighting of the same
// document (whichever comes first).
type SyncSLA struct {
	Hours          float64 `yaml:"hours"`
	WorkingDays    int     `yaml:"working_days"`
	MunicipalHours float64 `yaml:"municipal_hours"`
}

// Calendar lists, as YYYY-MM-DD in Beijing time, the holidays and the
// make-up working days (weekend days worked, 调休上班). Other weekdays are
// working days, weekends are not.
type Calendar struct {
	Holidays []string `yaml:"holidays"`
	Workdays []string `yaml:"workdays"`
}

// fillSLA sets the defaults of sla; called by fill.
func (c *Config) fillSLA() {
	s := &c.SLA
	if s.Timely == (SLALimit{}) {
		s.Timely.Hours = 24
	}
	if s.Sync.Hours == 0 && s.Sync.WorkingDays == 0 {
		s.Sync.WorkingDays = 1
	}
	if s.Sync.MunicipalHours == 0 {
		s.Sync.MunicipalHours = 24
	}
	if s.Review == (SLALimit{}) {
		s.Review.WorkingDays = 3
	}
	if s.DateOnly == "" {
		s.DateOnly = string(audit.DateOnlyStart)
	}
	if s.Sink == "" {
		s.Sink = "site"
	}
	if s.StaleColumnDays == 0 {
		s.StaleColumnDays = 15
	}
}

// checkSLA validates sla and calendar; called by resolve.
func (c *Config) checkSLA(add func(key, format string, args ...any)) {
	limit := func(key string, h float64, wd int) {
		switch {
		case h != 0 && wd != 0:
			add(key, "give hours or working_days, not both")
		case h < 0 || math.IsNaN(h) || math.IsInf(h, 0):
			add(key+".hours", "%v: want a positive number of hours, e.g. 24 or 0.5", h)
		case wd < 0:
			add(key+".working_days", "%d: want a positive number of working days", wd)
		case h > audit.MaxHours:
			add(key+".hours", "%v：时限不能超过 %d 小时（366 天）", h, audit.MaxHours)
		case wd > audit.MaxWorkingDays:
			add(key+".working_days", "%d：时限不能超过 %d 个工作日", wd, audit.MaxWorkingDays)
		}
	}
	limit("sla.timely", c.SLA.Timely.Hours, c.SLA.Timely.WorkingDays)
	limit("sla.sync", c.SLA.Sync.Hours, c.SLA.Sync.WorkingDays)
	limit("sla.review", c.SLA.Review.Hours, c.SLA.Review.WorkingDays)
	if h := c.SLA.Sync.MunicipalHours; h < 0 || math.IsNaN(h) || math.IsInf(h, 0) {
		add("sla.sync.municipal_hours", "%v: want a positive number of hours", h)
	} else if h > audit.MaxHours {
		add("sla.sync.municipal_hours", "%v：时限不能超过 %d 小时（366 天）", h, audit.MaxHours)
	}
	if !oneOf(c.SLA.DateOnly, string(audit.DateOnlyStart), string(audit.DateOnlyEnd)) {
		add("sla.date_only", "%q: want start (date-only times read as 00:00, strict) or end (24:00, lenient)", c.SLA.DateOnly)
	}
	if !oneOf(c.SLA.Sink, "site", "webhook") {
		add("sla.sink", "%q: want site or webhook", c.SLA.Sink)
	}
	if c.SLA.StaleColumnDays < 0 {
		add("sla.stale_column_days", "%d: want a positive number of days", c.SLA.StaleColumnDays)
	}
	if _, err := audit.NewCalendar(c.Calendar.Holidays, c.Calendar.Workdays); err != nil {
		add("calendar", "%v", err)
	}
}

// AuditPolicy is the SLA as the audit package measures it; the committee
// site's columns are watched for freshness.
func (c *Config) AuditPolicy() audit.Policy {
	p := audit.Policy{
		Timely:         audit.Limit{Hours: c.SLA.Timely.Hours, WorkingDays: c.SLA.Timely.WorkingDays},
		Sync:           audit.Limit{Hours: c.SLA.Sync.Hours, WorkingDays: c.SLA.Sync.WorkingDays},
		MunicipalHours: c.SLA.Sync.MunicipalHours,
		Review:         audit.Limit{Hours: c.SLA.Review.Hours, WorkingDays: c.SLA.Review.WorkingDays},
		DateOnly:       audit.DateOnly(c.SLA.DateOnly),
		Sink:           c.SLA.Sink,
		StaleDays:      c.SLA.StaleColumnDays,
	}
	for _, col := range c.Site.Columns {
		p.Columns = append(p.Columns, col.ID)
	}
	return p
}

// AuditCalendar is the calendar of working days. Load has validated it,
// so an error means the configuration was changed after loading.
func (c *Config) AuditCalendar() (audit.Calendar, error) {
	cal, err := audit.NewCalendar(c.Calendar.Holidays, c.Calendar.Workdays)
	if err != nil {
		return audit.Calendar{}, fmt.Errorf("calendar: %w", err)
	}
	return cal, nil
}
