package report

import (
	"strings"
	"testing"

	"github.com/gyeco/syndicator/syndicator/audit"
)

// TestHTMLShowsColumnNames: a person reads column names, not ids; the ids
// stay in data attributes for machines.
func TestHTMLShowsColumnNames(t *testing.T) {
	r := input(t)
	if len(r.Columns) == 0 {
		t.Fatal("input report has no columns")
	}
	names := Names{Columns: map[string]string{}}
	for _, c := range r.Columns {
		names.Columns[c.Column] = "栏目名" + c.Column
	}
	page := string(render(t, htmlOf(names), r))
	for _, c := range r.Columns {
		if want := `<tr data-column="` + c.Column + `" data-stale="`; !strings.Contains(page, want) {
			t.Errorf("column row %s lost its data-column", c.Column)
		}
		if want := "<td>栏目名" + c.Column + "</td>"; !strings.Contains(page, want) {
			t.Errorf("column %s not shown by name %q", c.Column, want)
		}
		if strings.Contains(page, "<td>"+c.Column+"</td>") {
			t.Errorf("column %s shown by its id", c.Column)
		}
	}
}

// TestHTMLShowsSourceNames: the charts' titles and the item tables name
// each source as it is configured, not by its id.
func TestHTMLShowsSourceNames(t *testing.T) {
	r := input(t)
	names := Names{Sources: map[string]string{}}
	ids := map[string]bool{}
	for _, s := range r.LagBuckets {
		ids[s.Source] = true
	}
	for _, it := range r.Items {
		ids[it.Source] = true
	}
	if len(ids) == 0 {
		t.Fatal("input report names no source")
	}
	for id := range ids {
		names.Sources[id] = "来源名" + id
	}
	page := string(render(t, htmlOf(names), r))
	for _, s := range r.LagBuckets {
		if want := "来源名" + s.Source + " · "; !strings.Contains(page, want) {
			t.Errorf("lag chart of %s not titled by name %q", s.Source, want)
		}
	}
	for _, it := range r.Items {
		if it.Status != audit.StatusLate && it.Status != audit.StatusMissed && it.Status != audit.StatusPending {
			continue
		}
		if strings.Contains(page, "<td>"+it.Source+"</td>") {
			t.Errorf("source %s shown by its id in an item table", it.Source)
		}
		if !strings.Contains(page, "<td>来源名"+it.Source+"</td>") {
			t.Errorf("source %s not shown by name in an item table", it.Source)
		}
	}
}
