package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"strconv"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/audit"
)

//go:embed report.html.tmpl
var pageTemplate string

// page is what the HTML template shows.
type page struct {
	R        audit.Report
	Lag      []chart
	Month    chart
	Late     []audit.ItemRow
	Missed   []audit.ItemRow
	Pending  []audit.ItemRow
	DateOnly []audit.ItemRow
}

// HTML renders the report as one self-contained page.
func HTML(r audit.Report) ([]byte, error) {
	p := page{R: r, Month: monthChart(r.OnTimeByMonth)}
	for i, s := range r.LagBuckets {
		p.Lag = append(p.Lag, lagChart(i, s))
	}
	for _, it := range r.Items {
		switch it.Status {
		case audit.StatusLate:
			p.Late = append(p.Late, it)
		case audit.StatusMissed:
			p.Missed = append(p.Missed, it)
		case audit.StatusPending:
			p.Pending = append(p.Pending, it)
		}
		if it.DateOnly && it.Status != audit.StatusExempt {
			p.DateOnly = append(p.DateOnly, it)
		}
	}
	tmpl, err := template.New("report").Funcs(template.FuncMap{
		"when":   when,
		"status": statusName,
		"row":    rowStatus,
		"class":  className,
		"num":    num,
		"pct": func(f float64) string {
			if f < 0 {
				return "—"
			}
			return strconv.FormatFloat(f*100, 'f', 1, 64) + "%"
		},
	}).Parse(pageTemplate)
	if err != nil {
		return nil, fmt.Errorf("audit report template: %w", err)
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, p); err != nil {
		return nil, fmt.Errorf("audit report as HTML: %w", err)
	}
	return buf.Bytes(), nil
}

// when is a time as Beijing readers write it.
func when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(syndicator.Shanghai).Format("2006-01-02 15:04")
}
