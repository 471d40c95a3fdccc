package audit

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/gyeco/syndicator/syndicator"
)

// Status is a document's standing against its deadline.
type Status string

const (
	StatusOnTime  Status = "on_time" // published by the deadline
	StatusLate    Status = "late"    // published after it
	StatusPending Status = "pending" // not published, deadline not passed (or not yet decided)
	StatusMissed  Status = "missed"  // relevant, not published, deadline passed
	StatusExempt  Status = "exempt"  // backfilled, baseline, not relevant, or rejected in review
)

// BaselineReason is the reason of a baseline item's verdict.
const BaselineReason = "接入来源时（首次成功轮询）已在其列表上的历史文件，不计时效"

// Steps of "where the time went".
const (
	StepFound     = "发现" // upstream publication → first seen on any site
	StepDecided   = "判定" // first seen → the decision to publish (waiting for the issuer's page included)
	StepReviewed  = "审核" // decision → operator's approval
	StepPublished = "发布" // last step → live on the committee site
)

// Segment is one stretch of a document's way to the committee site.
type Segment struct {
	Step string    `json:"step"`
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Hours is To-From; Open marks a stretch not finished yet, measured to
	// now. Seq is the ledger entry proving To (0 when open).
	Hours float64 `json:"hours"`
	Open  bool    `json:"open,omitempty"`
	Note  string  `json:"note,omitempty"`
	Seq   uint64  `json:"seq,omitempty"`
}

// Verdict is one document measured against its class's service level.
type Verdict struct {
	Status Status `json:"status"`
	// Baseline: exempt as a baseline document (基线).
	Baseline bool `json:"baseline,omitempty"`
	// Reason explains, in Chinese, exempt and pending verdicts and which
	// deadline applied.
	Reason string           `json:"reason,omitempty"`
	Class  syndicator.Class `json:"class,omitempty"`
	// Start is when the clock started (the upstream time under the
	// date-only rule; the first sighting for review items).
	Start    time.Time `json:"start,omitzero"`
	Deadline time.Time `json:"deadline,omitzero"`
	// Published is the counted publication (Policy.Sink), Lag its delay
	// after the upstream time under the date-only rule (to now while
	// unpublished).
	Published time.Time     `json:"published,omitzero"`
	Lag       time.Duration `json:"lag"`
	// DateOnly marks an upstream time known only to the day: the real lag
	// lies in [LagMin, LagMax], and AltStatus is the verdict under the
	// other date-only reading.
	DateOnly  bool          `json:"date_only,omitempty"`
	LagMin    time.Duration `json:"lag_min,omitempty"`
	LagMax    time.Duration `json:"lag_max,omitempty"`
	AltStatus Status        `json:"alt_status,omitempty"`
	Segments  []Segment     `json:"segments,omitempty"`
	// Where names the longest stretch, e.g. "审核 30 小时".
	Where string `json:"where,omitempty"`
}

// Evaluate measures a timeline against the policy as of now. Working-day
// deadlines count from the Beijing day of the upstream time (of the first
// sighting for review items), so the date-only rule changes only the
// hour-based ones.
func Evaluate(tl Timeline, p Policy, cal Calendar, now time.Time) Verdict {
	v := evaluate(&tl, p, cal, now)
	if v.Status == StatusExempt {
		// Nothing is waited for: an exempt item has no open stretch.
		v.Segments = slices.DeleteFunc(v.Segments, func(s Segment) bool { return s.Open })
		v.Where = where(v.Segments)
	}
	if v.DateOnly {
		other := p
		other.DateOnly = DateOnlyEnd
		if p.DateOnly == DateOnlyEnd {
			other.DateOnly = DateOnlyStart
		}
		v.AltStatus = evaluate(&tl, other, cal, now).Status
	}
	return v
}

func evaluate(tl *Timeline, p Policy, cal Calendar, now time.Time) Verdict {
	first := tl.FirstSighting()
	raw := tl.Upstream.At
	if raw.IsZero() && first != nil {
		raw = first.At
	}
	v := Verdict{Start: clockStart(raw, tl.Upstream.Precision, p.DateOnly)}
	pub := tl.PublishedOn(p.Sink)
	if pub != nil {
		v.Published = pub.At
		v.Lag = pub.At.Sub(v.Start)
	} else {
		v.Lag = now.Sub(v.Start)
	}
	if tl.Upstream.Precision == syndicator.PrecisionDay && !tl.Upstream.At.IsZero() {
		v.DateOnly = true
		day := startOfDay(tl.Upstream.At)
		end := v.Published
		if end.IsZero() {
			end = now
		}
		v.LagMin, v.LagMax = end.Sub(day.AddDate(0, 0, 1)), end.Sub(day)
	}
	v.Segments = segments(tl, pub, now)
	v.Where = where(v.Segments)
	if tl.Decided != nil {
		v.Class = tl.Decided.Class
	}

	switch {
	case tl.Backfilled:
		v.Status, v.Reason = StatusExempt, "历史补录，不计时效"
		return v
	case tl.Baseline:
		v.Status, v.Reason, v.Baseline = StatusExempt, BaselineReason, true
		return v
	case tl.Decided == nil:
		v.Status, v.Reason = StatusPending, "尚无判定记录"
		return v
	}
	switch v.Class {
	case syndicator.ClassIgnore:
		v.Status, v.Reason = StatusExempt, "不相关（规则："+tl.Decided.Rule+"）"
		return v
	case syndicator.ClassReview:
		seen := raw
		if first != nil {
			seen = first.At
		}
		v.Start = seen
		v.Deadline = p.Review.deadline(seen, seen, cal)
		switch {
		case tl.Reviewed == nil:
			v.Status, v.Reason = StatusPending, "待审核，时限为首次发现后 "+p.Review.String()
			if now.After(v.Deadline) {
				v.Reason += "，已超过时限"
			}
			return v
		case tl.Reviewed.Outcome == syndicator.OutcomeRejected:
			v.Status, v.Reason = StatusExempt, "审核驳回（"+tl.Reviewed.Reviewer+"）"
			return v
		}
		v.Reason = "审核通过，时限为首次发现后 " + p.Review.String()
	case syndicator.ClassTimely:
		v.Deadline = p.Timely.deadline(raw, v.Start, cal)
		v.Reason = "时限为上游发布后 " + p.Timely.String()
	case syndicator.ClassSync:
		v.Deadline = p.Sync.deadline(raw, v.Start, cal)
		v.Reason = "时限为上游发布后 " + p.Sync.String()
		if m := municipal(tl); m != nil && p.MunicipalHours > 0 {
			if d := m.At.Add(hours(p.MunicipalHours)); d.Before(v.Deadline) {
				v.Deadline = d
				v.Reason = "时限为市级网站发现后 " + fmtHours(p.MunicipalHours) + "（与市级网站同步）"
			}
		}
	default:
		v.Status, v.Reason = StatusExempt, fmt.Sprintf("未知类别 %q，不计时效", v.Class)
		return v
	}
	switch {
	case pub != nil && !pub.At.After(v.Deadline):
		v.Status = StatusOnTime
	case pub != nil:
		v.Status = StatusLate
	case now.After(v.Deadline):
		v.Status = StatusMissed
	default:
		v.Status = StatusPending
	}
	return v
}

// deadline counts working days from raw's Beijing day and hours from the
// clock start.
func (l Limit) deadline(raw, start time.Time, cal Calendar) time.Time {
	if l.WorkingDays > 0 {
		return cal.WorkingDayDeadline(raw, l.WorkingDays)
	}
	return start.Add(hours(l.Hours))
}

// String is the limit in Chinese: "24 小时", "3 个工作日".
func (l Limit) String() string {
	if l.WorkingDays > 0 {
		return strconv.Itoa(l.WorkingDays) + " 个工作日"
	}
	return fmtHours(l.Hours)
}

// municipal is the first sighting on a municipal site.
func municipal(tl *Timeline) *Sighting {
	for i := range tl.Sightings {
		if tl.Sightings[i].Level == syndicator.LevelMunicipal {
			return &tl.Sightings[i]
		}
	}
	return nil
}

// segments splits the way from upstream to publication into its steps.
func segments(tl *Timeline, pub *Published, now time.Time) []Segment {
	var out []Segment
	first := tl.FirstSighting()
	if first == nil {
		return nil
	}
	last := first.At
	if !tl.Upstream.At.IsZero() {
		out = append(out, seg(StepFound, tl.Upstream.At, first.At, first.Seq))
	}
	if d := tl.Decided; d != nil {
		s := seg(StepDecided, last, d.At, d.Seq)
		if first.ItemID != tl.ItemID {
			s.Note = "含等待原文"
		}
		out = append(out, s)
		last = d.At
		if r := tl.Reviewed; r != nil && d.Class == syndicator.ClassReview {
			out = append(out, seg(StepReviewed, last, r.At, r.Seq))
			last = r.At
		}
	}
	switch {
	case pub != nil:
		out = append(out, seg(StepPublished, last, pub.At, pub.Seq))
	case tl.Decided == nil:
		s := seg(StepDecided, last, now, 0)
		s.Open = true
		out = append(out, s)
	case tl.Decided.Class == syndicator.ClassReview && tl.Reviewed == nil:
		s := seg(StepReviewed, last, now, 0)
		s.Open = true
		out = append(out, s)
	default:
		s := seg(StepPublished, last, now, 0)
		s.Open = true
		out = append(out, s)
	}
	return out
}

func seg(step string, from, to time.Time, seq uint64) Segment {
	return Segment{Step: step, From: from, To: to, Hours: round1(to.Sub(from).Hours()), Seq: seq}
}

// where names the longest stretch, "审核 30 小时".
func where(segs []Segment) string {
	var long *Segment
	// Durations, not the rounded hours: stretches under six minutes all
	// round to 0.0 hours.
	for i := range segs {
		if long == nil || segs[i].To.Sub(segs[i].From) > long.To.Sub(long.From) {
			long = &segs[i]
		}
	}
	if long == nil {
		return ""
	}
	s := long.Step + " " + fmtHours(long.To.Sub(long.From).Hours())
	if long.Open {
		s += "（未完成）"
	}
	return s
}

// fmtHours is "40 秒" under a minute, "45 分钟" under an hour, else
// "30 小时", "1.5 小时".
func fmtHours(h float64) string {
	if h*60 < 1 {
		return strconv.Itoa(int(math.Round(h*3600))) + " 秒"
	}
	if h < 1 {
		return strconv.Itoa(int(math.Round(h*60))) + " 分钟"
	}
	return strconv.FormatFloat(round1(h), 'f', -1, 64) + " 小时"
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }
