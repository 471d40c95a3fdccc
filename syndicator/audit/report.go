package audit

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/ledger"
)

// Report is the auditor's view of one period: every document whose
// upstream time (first sighting when unknown) falls in [From, To), judged
// as of Now, and the committee site's column freshness at min(To, Now).
type Report struct {
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	Now    time.Time `json:"generated_at"`
	Policy Policy    `json:"policy"`
	// DateOnlyRule says in Chinese how date-only times were read and what
	// uncertainty that leaves.
	DateOnlyRule string `json:"date_only_rule"`

	Total   int `json:"total"`
	OnTime  int `json:"on_time"`
	Late    int `json:"late"`
	Pending int `json:"pending"`
	Missed  int `json:"missed"`
	Exempt  int `json:"exempt"`
	// Baseline counts the exempt documents that are baseline (基线):
	// already on a source's lists at its first successful poll.
	Baseline int `json:"baseline"`
	// OnTimeRate is OnTime / (OnTime+Late+Missed), -1 when none counted.
	OnTimeRate float64 `json:"on_time_rate"`
	// DateOnly counts measured items whose upstream time is only a date;
	// Uncertain those whose status differs under the other reading.
	DateOnly  int `json:"date_only"`
	Uncertain int `json:"uncertain"`

	Items         []ItemRow         `json:"items"`
	LagBuckets    []LagSeries       `json:"lag_buckets"`
	OnTimeByMonth []MonthRate       `json:"on_time_by_month"`
	Columns       []ColumnFreshness `json:"columns"`
}

// ItemRow is one document of the report: its verdict and its evidence.
type ItemRow struct {
	DocKey    string               `json:"doc_key"`
	ItemID    string               `json:"item_id"`
	Title     string               `json:"title"`
	DocNumber string               `json:"doc_number,omitempty"`
	Source    string               `json:"source"`
	Level     syndicator.Level     `json:"level,omitempty"`
	Class     syndicator.Class     `json:"class,omitempty"`
	Rule      string               `json:"rule,omitempty"`
	Column    string               `json:"column,omitempty"`
	Upstream  time.Time            `json:"upstream,omitzero"`
	Precision syndicator.Precision `json:"precision,omitempty"`
	FirstSeen time.Time            `json:"first_seen,omitzero"`
	// FirstSeenSource is the site it was first seen on.
	FirstSeenSource string    `json:"first_seen_source,omitempty"`
	Published       time.Time `json:"published,omitzero"`
	Location        string    `json:"location,omitempty"`
	Deadline        time.Time `json:"deadline,omitzero"`
	Status          Status    `json:"status"`
	// Baseline marks a baseline document (基线; exempt).
	Baseline  bool    `json:"baseline,omitempty"`
	AltStatus Status  `json:"alt_status,omitempty"`
	Reason    string  `json:"reason,omitempty"`
	LagHours  float64 `json:"lag_hours"`
	// LagMinHours and LagMaxHours bound the real lag of a date-only item.
	LagMinHours float64   `json:"lag_min_hours,omitempty"`
	LagMaxHours float64   `json:"lag_max_hours,omitempty"`
	DateOnly    bool      `json:"date_only,omitempty"`
	Segments    []Segment `json:"segments,omitempty"`
	Where       string    `json:"where,omitempty"`
	// Evidence: the archive objects of the counted revision, its WARC, the
	// sha256 of the original as served and of the published copy.
	ArchiveKeys     []string `json:"archive_keys,omitempty"`
	WARC            string   `json:"warc,omitempty"`
	OriginalSHA256  string   `json:"original_sha256,omitempty"`
	PublishedSHA256 string   `json:"published_sha256,omitempty"`
	Timeline        Timeline `json:"timeline"`
}

// Build reads the ledger into the report of [from, to) as of now. A
// period whose ends JSON cannot write (years outside 0..9999, as the day
// after --to 9999-12-31 is) or that ends before it starts is an error.
func Build(entries []ledger.Entry, p Policy, cal Calendar, from, to, now time.Time) (Report, error) {
	return BuildFrom(entries, entries, p, cal, from, to, now)
}

// BuildFrom is Build from the part of the ledger a report reads: docs
// holds every entry of each document the period may count (a read model
// selects them), published at least the published entries of the policy's
// sink, for column freshness. Given the whole ledger for both, it is Build.
func BuildFrom(docs, published []ledger.Entry, p Policy, cal Calendar, from, to, now time.Time) (Report, error) {
	if err := checkPeriod(from, to, now); err != nil {
		return Report{}, err
	}
	// Items is [] rather than null in JSON for an empty period.
	r := Report{From: from, To: to, Now: now, Policy: p, DateOnlyRule: dateOnlyRule(p.DateOnly), Items: []ItemRow{}}
	for _, tl := range Timelines(docs) {
		anchor := tl.Upstream.At
		if first := tl.FirstSighting(); anchor.IsZero() && first != nil {
			anchor = first.At
		}
		if anchor.Before(from) || !anchor.Before(to) {
			continue
		}
		r.add(row(tl, Evaluate(tl, p, cal, now), p))
	}
	slices.SortStableFunc(r.Items, func(a, b ItemRow) int {
		return cmp.Or(anchorOf(&a).Compare(anchorOf(&b)), cmp.Compare(a.DocKey, b.DocKey))
	})
	r.OnTimeRate = rate(r.OnTime, r.OnTime+r.Late+r.Missed)
	r.LagBuckets = lagBuckets(r.Items)
	r.OnTimeByMonth = byMonth(r.Items)
	r.Columns = Freshness(published, p, from, minTime(to, now))
	return r, nil
}

// checkPeriod accepts what a report can state: every time with a year
// in 0..9999, to not before from.
func checkPeriod(from, to, now time.Time) error {
	for _, t := range [...]struct {
		name string
		at   time.Time
	}{{"from", from}, {"to", to}, {"now", now}} {
		if y := t.at.Year(); y < 0 || y > 9999 {
			return fmt.Errorf("audit period: %s %s: the year must lie in 0..9999", t.name, t.at.Format(time.RFC3339))
		}
	}
	if to.Before(from) {
		return fmt.Errorf("audit period: to %s is before from %s", to.Format(time.RFC3339), from.Format(time.RFC3339))
	}
	return nil
}

func (r *Report) add(it ItemRow) {
	r.Items = append(r.Items, it)
	r.Total++
	switch it.Status {
	case StatusOnTime:
		r.OnTime++
	case StatusLate:
		r.Late++
	case StatusPending:
		r.Pending++
	case StatusMissed:
		r.Missed++
	case StatusExempt:
		r.Exempt++
		if it.Baseline {
			r.Baseline++
		}
	}
	if it.DateOnly && it.Status != StatusExempt {
		r.DateOnly++
		if it.AltStatus != "" && it.AltStatus != it.Status {
			r.Uncertain++
		}
	}
}

func row(tl Timeline, v Verdict, p Policy) ItemRow {
	r := ItemRow{
		DocKey: tl.DocKey, ItemID: tl.ItemID, Title: tl.Title, DocNumber: tl.DocNumber, Source: tl.Source,
		Level: tl.Level, Class: v.Class, Column: tl.Column, Upstream: tl.Upstream.At, Precision: tl.Upstream.Precision,
		Published: v.Published, Deadline: v.Deadline, Status: v.Status, AltStatus: v.AltStatus, Reason: v.Reason,
		Baseline: v.Baseline,
		LagHours: round1(v.Lag.Hours()), DateOnly: v.DateOnly, Segments: v.Segments, Where: v.Where, Timeline: tl,
	}
	if v.DateOnly {
		r.LagMinHours, r.LagMaxHours = round1(v.LagMin.Hours()), round1(v.LagMax.Hours())
	}
	if tl.Decided != nil {
		r.Rule = tl.Decided.Rule
	}
	if s := tl.FirstSighting(); s != nil {
		r.FirstSeen, r.FirstSeenSource = s.At, s.Source
	}
	rev := 0
	if pub := tl.PublishedOn(p.Sink); pub != nil {
		r.Location, r.PublishedSHA256, rev = pub.Location, pub.Digest, pub.Revision
	}
	// The evidence is the archived revision that was published, else the
	// canonical item's first.
	for _, a := range tl.Archived {
		if a.ItemID == tl.ItemID && (a.Revision == rev || rev == 0) {
			r.ArchiveKeys, r.WARC, r.OriginalSHA256 = a.Keys, a.WARC, a.OriginalSHA256
			break
		}
	}
	return r
}

func anchorOf(r *ItemRow) time.Time {
	if !r.Upstream.IsZero() {
		return r.Upstream
	}
	return r.FirstSeen
}

func dateOnlyRule(d DateOnly) string {
	if d == DateOnlyEnd {
		return "仅有日期的发布时间按当日 24:00 计（宽松）：实际滞后可能比所示最多多 24 小时（±24 小时）"
	}
	return "仅有日期的发布时间按当日 00:00 计（严格）：实际滞后可能比所示最多少 24 小时（±24 小时）"
}

// rate is n/of rounded to 0.001, -1 when of is 0.
func rate(n, of int) float64 {
	if of == 0 {
		return -1
	}
	return math.Round(float64(n)/float64(of)*1000) / 1000
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
