package report

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"strconv"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/audit"
)

//go:embed report.html.tmpl
var pageTemplate string

//go:embed report.css
var style string

// StyleSource is the Content-Security-Policy source that allows the
// report's one inline <style> element and nothing else:
// "'sha256-<base64>'" of its text. Serve the HTML report with
// "style-src " + StyleSource.
var StyleSource = func() string {
	sum := sha256.Sum256([]byte(style))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}()

// Names maps the ids in a report to the names people read.
type Names struct {
	// Columns maps a committee-site column id to its name (栏目名称);
	// an id without a name is shown as it is.
	Columns map[string]string
	// Sources maps a source id to its name (来源名称), likewise.
	Sources map[string]string
}

// name is id's name in names, or id when it has none.
func name(names map[string]string, id string) string {
	if n := names[id]; n != "" {
		return n
	}
	return id
}

// page is what the HTML template shows.
type page struct {
	Style    template.CSS
	R        audit.Report
	Lag      []chart
	Month    chart
	Late     []audit.ItemRow
	Missed   []audit.ItemRow
	Pending  []audit.ItemRow
	DateOnly []audit.ItemRow
	names    Names
}

// ColumnName is the name of column id, for the template: the names are
// data of the page, not functions of the template, so one parsed
// template serves every report.
func (p page) ColumnName(id string) string { return name(p.names.Columns, id) }

// SourceName is the name of source id, for the template.
func (p page) SourceName(id string) string { return name(p.names.Sources, id) }

// Renderer renders reports as self-contained HTML pages. Its template is
// parsed once, by NewRenderer, rather than for every report; a Renderer
// is safe for concurrent use.
type Renderer struct {
	tmpl *template.Template
}

// NewRenderer parses the report's template.
func NewRenderer() (*Renderer, error) {
	tmpl, err := template.New("report").Funcs(template.FuncMap{
		"when":   when,
		"status": statusName,
		"row":    rowStatus,
		"class":  syndicator.Class.Label,
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
	return &Renderer{tmpl: tmpl}, nil
}

// HTML renders the report as one self-contained page, with the names of n
// wherever a person reads an id (an id without a name is shown as it is).
func (rr *Renderer) HTML(r audit.Report, n Names) ([]byte, error) {
	p := page{Style: template.CSS(style), R: r, Month: monthChart(r.OnTimeByMonth), names: n}
	for i, s := range r.LagBuckets {
		p.Lag = append(p.Lag, lagChart(i, s, name(n.Sources, s.Source)))
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
	var buf bytes.Buffer
	if err := rr.tmpl.Execute(&buf, p); err != nil {
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
