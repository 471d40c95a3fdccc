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
	page := string(render(t, func(r audit.Report) ([]byte, error) { return HTMLNamed(r, names) }, r))
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
