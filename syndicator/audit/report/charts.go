package report

import (
	"fmt"
	"strconv"

	"github.com/gyeco/syndicator/syndicator/audit"
)

// chart is one inline SVG bar chart and the data it draws, which the page
// also embeds as JSON (id = ID) so the bars can be checked against it.
type chart struct {
	ID     string
	Title  string
	Data   any
	Width  int
	Height int
	Bars   []bar
	// Axis is the y of the base line.
	Axis int
}

// bar is one rect; Attrs become its data-* attributes.
type bar struct {
	X, Y, W, H    int
	TextX, LabelY int
	ValueY        int
	Label, Value  string
	Key           string
	Count         int
	Rate          string
	OnTime, Of    int
}

const (
	chartHeight = 180
	plotTop     = 24  // room for the value above the tallest bar
	plotBottom  = 150 // base line; labels below
	barWidth    = 56
	barGap      = 16
)

// lagChart draws one source×class lag distribution.
// lagChart draws series s; source is the name its title shows.
func lagChart(i int, s audit.LagSeries, source string) chart {
	c := chart{ID: fmt.Sprintf("chart-lag-%d", i), Title: fmt.Sprintf("%s · %s（%d 篇）", source, s.Class.Label(), s.Total),
		Data: s, Height: chartHeight, Axis: plotBottom}
	top := 0
	for _, b := range s.Buckets {
		top = max(top, b.Count)
	}
	for j, b := range s.Buckets {
		h := scale(float64(b.Count), float64(top))
		c.Bars = append(c.Bars, place(j, h, b.Label, strconv.Itoa(b.Count), bar{Key: b.Key, Count: b.Count}))
	}
	c.Width = len(c.Bars)*(barWidth+barGap) + barGap
	return c
}

// monthChart draws the on-time rate per month.
func monthChart(ms []audit.MonthRate) chart {
	c := chart{ID: "chart-ontime-month", Title: "按月按时率", Data: ms, Height: chartHeight, Axis: plotBottom}
	for j, m := range ms {
		h := scale(m.Rate, 1)
		pct := strconv.FormatFloat(m.Rate*100, 'f', 1, 64) + "%"
		c.Bars = append(c.Bars, place(j, h, m.Month, pct, bar{Key: m.Month, Rate: strconv.FormatFloat(m.Rate, 'f', -1, 64),
			OnTime: m.OnTime, Of: m.OnTime + m.Late + m.Missed, Count: m.OnTime + m.Late + m.Missed}))
	}
	c.Width = max(len(c.Bars), 1)*(barWidth+barGap) + barGap
	return c
}

// scale maps v of top to a bar height in pixels.
func scale(v, top float64) int {
	if top <= 0 || v <= 0 {
		return 0
	}
	return int(v / top * float64(plotBottom-plotTop))
}

func place(j, h int, label, value string, b bar) bar {
	b.X = barGap + j*(barWidth+barGap)
	b.W, b.H = barWidth, h
	b.Y = plotBottom - h
	b.TextX = b.X + barWidth/2
	b.ValueY = b.Y - 6
	b.LabelY = plotBottom + 18
	b.Label, b.Value = label, value
	return b
}
