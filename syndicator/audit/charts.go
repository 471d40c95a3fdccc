package audit

import (
	"cmp"
	"slices"

	"github.com/gyeco/syndicator/syndicator"
)

// Bucket is one bar of a lag distribution.
type Bucket struct {
	Key   string `json:"key"`   // lt1h, 1-6h, 6-24h, 1-3d, gt3d
	Label string `json:"label"` // in Chinese
	Count int    `json:"count"`
}

// LagSeries is the lag distribution of the published documents of one
// source and class.
type LagSeries struct {
	Source  string           `json:"source"`
	Class   syndicator.Class `json:"class"`
	Total   int              `json:"total"`
	Buckets []Bucket         `json:"buckets"`
}

// MonthRate is the on-time rate of the documents whose clock started in
// one Beijing month.
type MonthRate struct {
	Month  string  `json:"month"` // 2026-10
	OnTime int     `json:"on_time"`
	Late   int     `json:"late"`
	Missed int     `json:"missed"`
	Rate   float64 `json:"rate"` // OnTime/(OnTime+Late+Missed)
}

// emptyBuckets are the buckets in order, counts zero.
func emptyBuckets() []Bucket {
	return []Bucket{
		{Key: "lt1h", Label: "1 小时内"},
		{Key: "1-6h", Label: "1–6 小时"},
		{Key: "6-24h", Label: "6–24 小时"},
		{Key: "1-3d", Label: "1–3 天"},
		{Key: "gt3d", Label: "3 天以上"},
	}
}

// bucketOf is the index of the bucket a lag in hours falls in.
func bucketOf(h float64) int {
	for i, limit := range []float64{1, 6, 24, 72} {
		if h < limit {
			return i
		}
	}
	return 4
}

// lagBuckets counts the published documents (on time or late) per source
// and class.
func lagBuckets(items []ItemRow) []LagSeries {
	series := map[[2]string]*LagSeries{}
	for _, it := range items {
		if it.Status != StatusOnTime && it.Status != StatusLate {
			continue
		}
		k := [2]string{it.Source, string(it.Class)}
		s := series[k]
		if s == nil {
			s = &LagSeries{Source: it.Source, Class: it.Class, Buckets: emptyBuckets()}
			series[k] = s
		}
		s.Total++
		s.Buckets[bucketOf(it.LagHours)].Count++
	}
	out := make([]LagSeries, 0, len(series))
	for _, s := range series {
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b LagSeries) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Class, b.Class))
	})
	return out
}

// byMonth is the on-time rate per month of clock start.
func byMonth(items []ItemRow) []MonthRate {
	months := map[string]*MonthRate{}
	for _, it := range items {
		if it.Status != StatusOnTime && it.Status != StatusLate && it.Status != StatusMissed {
			continue
		}
		m := anchorOf(&it).In(syndicator.Shanghai).Format("2006-01")
		mr := months[m]
		if mr == nil {
			mr = &MonthRate{Month: m}
			months[m] = mr
		}
		switch it.Status {
		case StatusOnTime:
			mr.OnTime++
		case StatusLate:
			mr.Late++
		default:
			mr.Missed++
		}
	}
	out := make([]MonthRate, 0, len(months))
	for _, m := range months {
		m.Rate = rate(m.OnTime, m.OnTime+m.Late+m.Missed)
		out = append(out, *m)
	}
	slices.SortFunc(out, func(a, b MonthRate) int { return cmp.Compare(a.Month, b.Month) })
	return out
}
