package audit

import (
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
)

// doc is a timeline for Evaluate tests: upstream at up, first seen at
// seen on a source of level lvl, decided at dec, published at pub ("" for
// none).
type doc struct {
	up        string
	precision syndicator.Precision
	seen      string
	lvl       syndicator.Level
	class     syndicator.Class
	dec       string
	review    syndicator.Outcome // outcome
	reviewed  string
	pub       string
	muni      string // a municipal copy first seen then
	backfill  bool
	baseline  bool
}

func (d doc) timeline(t *testing.T) Timeline {
	t.Helper()
	tl := Timeline{DocKey: "k", ItemID: "x", Source: "src", Level: d.lvl, Backfilled: d.backfill, Baseline: d.baseline,
		Upstream:  Upstream{At: bj(t, d.up), Precision: d.precision, ItemID: "x", Seq: 1},
		Sightings: []Sighting{{ItemID: "x", Source: "src", Level: d.lvl, At: bj(t, d.seen), Seq: 1, Backfilled: d.backfill, Baseline: d.baseline}},
	}
	if d.precision == "" {
		tl.Upstream.Precision = syndicator.PrecisionMinute
	}
	if d.class != "" {
		tl.Decided = &Decided{At: bj(t, d.dec), ItemID: "x", Class: d.class, Rule: "r", Publish: d.class != syndicator.ClassReview, Seq: 2}
	}
	if d.review != "" {
		tl.Reviewed = &Reviewed{At: bj(t, d.reviewed), ItemID: "x", Reviewer: "王审核", Outcome: d.review, Seq: 3}
	}
	if d.pub != "" {
		tl.Published = []Published{{Sink: "webhook", At: bj(t, d.pub).Add(-time.Hour), ItemID: "x", Seq: 4},
			{Sink: "site", At: bj(t, d.pub), ItemID: "x", Location: "zcwj/x.html", Seq: 5}}
	}
	if d.muni != "" {
		tl.Sightings = append(tl.Sightings, Sighting{ItemID: "y", Source: "guiyang", Level: syndicator.LevelMunicipal, At: bj(t, d.muni), Seq: 6})
	}
	return tl
}

func TestEvaluate(t *testing.T) {
	cal := testCalendar(t)
	now := "2026-09-30 12:00"
	tests := []struct {
		name     string
		doc      doc
		policy   func(*Policy)
		status   Status
		deadline string
		lag      float64
		where    string
	}{
		{name: "timely on time", doc: doc{up: "2026-09-14 10:00", seen: "2026-09-14 10:10", class: "timely", dec: "2026-09-14 10:11", pub: "2026-09-14 12:00"},
			status: StatusOnTime, deadline: "2026-09-15 10:00", lag: 2, where: "发布 1.8 小时"},
		{name: "timely late, held at the sink", doc: doc{up: "2026-09-14 10:00", seen: "2026-09-14 10:30", class: "timely", dec: "2026-09-14 10:30", pub: "2026-09-16 10:30"},
			status: StatusLate, deadline: "2026-09-15 10:00", lag: 48.5, where: "发布 48 小时"},
		{name: "timely pending", doc: doc{up: "2026-09-30 08:00", seen: "2026-09-30 08:10", class: "timely", dec: "2026-09-30 08:10"},
			status: StatusPending, deadline: "2026-10-01 08:00", lag: 4, where: "发布 3.8 小时（未完成）"},
		{name: "timely missed", doc: doc{up: "2026-09-20 08:00", seen: "2026-09-20 08:10", class: "timely", dec: "2026-09-20 08:10"},
			status: StatusMissed, deadline: "2026-09-21 08:00", lag: 244},
		{name: "fractional hours", doc: doc{up: "2026-09-14 10:00", seen: "2026-09-14 10:10", class: "timely", dec: "2026-09-14 10:11", pub: "2026-09-14 10:40"},
			policy: func(p *Policy) { p.Timely = Limit{Hours: 0.5} }, status: StatusLate, deadline: "2026-09-14 10:30", lag: 0.7},
		{name: "timely in working days over the holiday", doc: doc{up: "2026-09-30 10:00", seen: "2026-09-30 10:10", class: "timely", dec: "2026-09-30 10:11", pub: "2026-10-08 18:00"},
			policy: func(p *Policy) { p.Timely = Limit{WorkingDays: 1} }, status: StatusOnTime, deadline: "2026-10-09 00:00", lag: 200},
		{name: "backfilled exempt", doc: doc{up: "2026-01-14 10:00", seen: "2026-09-14 10:10", class: "timely", dec: "2026-09-14 10:11", pub: "2026-09-14 12:00", backfill: true},
			status: StatusExempt},
		{name: "baseline exempt", doc: doc{up: "2026-01-14 10:00", seen: "2026-09-14 10:10", class: "sync", dec: "2026-09-14 10:11", pub: "2026-09-14 12:00", baseline: true},
			status: StatusExempt},
		{name: "baseline exempt before it is decided", doc: doc{up: "2026-01-14 10:00", seen: "2026-09-14 10:10", baseline: true},
			status: StatusExempt},
		{name: "ignore exempt", doc: doc{up: "2026-09-14 10:00", seen: "2026-09-14 10:10", class: "ignore", dec: "2026-09-14 10:11"}, status: StatusExempt},
		{name: "rejected exempt", doc: doc{up: "2026-09-14 10:00", seen: "2026-09-14 10:10", class: "review", dec: "2026-09-14 10:11", review: "rejected", reviewed: "2026-09-15 10:00"},
			status: StatusExempt, deadline: "2026-09-18 00:00"},
		{name: "review waiting", doc: doc{up: "2026-09-28 10:00", seen: "2026-09-28 10:10", class: "review", dec: "2026-09-28 10:11"},
			status: StatusPending, deadline: "2026-10-09 00:00", where: "审核 49.8 小时（未完成）"},
		{name: "review approved late, 30 hours in review", doc: doc{up: "2026-09-14 08:00", seen: "2026-09-14 09:00", class: "review", dec: "2026-09-14 09:00", review: "approved", reviewed: "2026-09-15 15:00", pub: "2026-09-18 08:00"},
			policy: func(p *Policy) { p.Review = Limit{Hours: 24} }, status: StatusLate, deadline: "2026-09-15 09:00", lag: 96, where: "发布 65 小时"},
		{name: "review approved: where names review", doc: doc{up: "2026-09-14 08:00", seen: "2026-09-14 09:00", class: "review", dec: "2026-09-14 09:00", review: "approved", reviewed: "2026-09-15 15:00", pub: "2026-09-15 15:10"},
			status: StatusOnTime, deadline: "2026-09-18 00:00", lag: 31.2, where: "审核 30 小时"},
		{name: "sync measured against the municipal sighting", doc: doc{up: "2026-09-14 08:00", seen: "2026-09-14 09:00", lvl: syndicator.LevelProvincial, class: "sync", dec: "2026-09-14 09:00", muni: "2026-09-14 10:00", pub: "2026-09-15 12:00"},
			status: StatusLate, deadline: "2026-09-15 10:00", lag: 28},
		{name: "sync within both limits", doc: doc{up: "2026-09-14 08:00", seen: "2026-09-14 09:00", lvl: syndicator.LevelProvincial, class: "sync", dec: "2026-09-14 09:00", muni: "2026-09-14 10:00", pub: "2026-09-15 09:00"},
			status: StatusOnTime, deadline: "2026-09-15 10:00", lag: 25},
		{name: "sync, municipal limit off", doc: doc{up: "2026-09-14 08:00", seen: "2026-09-14 09:00", lvl: syndicator.LevelProvincial, class: "sync", dec: "2026-09-14 09:00", muni: "2026-09-14 10:00", pub: "2026-09-15 12:00"},
			policy: func(p *Policy) { p.MunicipalHours = 0 }, status: StatusOnTime, deadline: "2026-09-16 00:00", lag: 28},
		{name: "sink any counts the webhook", doc: doc{up: "2026-09-14 10:00", seen: "2026-09-14 10:10", class: "timely", dec: "2026-09-14 10:11", pub: "2026-09-15 10:30"},
			policy: func(p *Policy) { p.Sink = "" }, status: StatusOnTime, deadline: "2026-09-15 10:00", lag: 23.5},
		{name: "undecided", doc: doc{up: "2026-09-14 10:00", seen: "2026-09-14 10:10"}, status: StatusPending},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := DefaultPolicy()
			if tt.policy != nil {
				tt.policy(&p)
			}
			v := Evaluate(tt.doc.timeline(t), p, cal, bj(t, now))
			if v.Status != tt.status {
				t.Errorf("status = %s (%s), want %s", v.Status, v.Reason, tt.status)
			}
			if tt.deadline != "" && !v.Deadline.Equal(bj(t, tt.deadline)) {
				t.Errorf("deadline = %s, want %s", v.Deadline.In(syndicator.Shanghai), tt.deadline)
			}
			if tt.lag != 0 && round1(v.Lag.Hours()) != tt.lag {
				t.Errorf("lag = %.2f h, want %v", v.Lag.Hours(), tt.lag)
			}
			if tt.where != "" && v.Where != tt.where {
				t.Errorf("where = %q, want %q (segments %+v)", v.Where, tt.where, v.Segments)
			}
			if v.Reason == "" && v.Status != StatusOnTime && v.Status != StatusLate && v.Status != StatusMissed {
				t.Error("no reason given")
			}
		})
	}
}

func TestEvaluateDateOnly(t *testing.T) {
	cal := testCalendar(t)
	d := doc{up: "2026-09-15", precision: syndicator.PrecisionDay, seen: "2026-09-15 09:00", class: "timely", dec: "2026-09-15 09:01", pub: "2026-09-16 10:00"}
	tests := []struct {
		rule       DateOnly
		status     Status
		alt        Status
		lag        float64
		deadline   string
		lagMinMaxH [2]float64
	}{
		{DateOnlyStart, StatusLate, StatusOnTime, 34, "2026-09-16 00:00", [2]float64{10, 34}},
		{DateOnlyEnd, StatusOnTime, StatusLate, 10, "2026-09-17 00:00", [2]float64{10, 34}},
	}
	for _, tt := range tests {
		t.Run(string(tt.rule), func(t *testing.T) {
			p := DefaultPolicy()
			p.DateOnly = tt.rule
			v := Evaluate(d.timeline(t), p, cal, bj(t, "2026-09-30 12:00"))
			if v.Status != tt.status || v.AltStatus != tt.alt || !v.DateOnly {
				t.Errorf("status %s alt %s dateOnly %v, want %s alt %s", v.Status, v.AltStatus, v.DateOnly, tt.status, tt.alt)
			}
			if v.Lag.Hours() != tt.lag || !v.Deadline.Equal(bj(t, tt.deadline)) {
				t.Errorf("lag %v deadline %s, want %v %s", v.Lag.Hours(), v.Deadline, tt.lag, tt.deadline)
			}
			if got := [2]float64{v.LagMin.Hours(), v.LagMax.Hours()}; got != tt.lagMinMaxH {
				t.Errorf("lag range %v, want %v", got, tt.lagMinMaxH)
			}
		})
	}
	// Working-day limits count from the date either way.
	p := DefaultPolicy()
	p.Timely = Limit{WorkingDays: 1}
	for _, rule := range []DateOnly{DateOnlyStart, DateOnlyEnd} {
		p.DateOnly = rule
		if v := Evaluate(d.timeline(t), p, cal, bj(t, "2026-09-30 12:00")); !v.Deadline.Equal(bj(t, "2026-09-17")) || v.AltStatus != v.Status {
			t.Errorf("%s: working-day deadline %s, status %s alt %s", rule, v.Deadline, v.Status, v.AltStatus)
		}
	}
	// A minute-precise time has no uncertainty.
	d.precision = syndicator.PrecisionMinute
	if v := Evaluate(d.timeline(t), DefaultPolicy(), cal, bj(t, "2026-09-30 12:00")); v.DateOnly || v.AltStatus != "" {
		t.Errorf("minute precision marked uncertain: %+v", v)
	}
}
