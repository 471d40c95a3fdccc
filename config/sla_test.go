package config

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/audit"
)

func TestSLADefaults(t *testing.T) {
	c, err := Parse("sla.yml", []byte("data_dir: /tmp/x\n"))
	if err != nil {
		t.Fatal(err)
	}
	p := c.AuditPolicy()
	want := audit.DefaultPolicy()
	want.Columns = []string{"zcwj"}
	if p.Timely != want.Timely || p.Sync != want.Sync || p.Review != want.Review || p.MunicipalHours != want.MunicipalHours ||
		p.DateOnly != want.DateOnly || p.Sink != want.Sink || p.StaleDays != want.StaleDays || strings.Join(p.Columns, ",") != "zcwj" {
		t.Errorf("default policy = %+v, want %+v", p, want)
	}
}

func TestSLAAndCalendarParsed(t *testing.T) {
	yml := `
sla:
  timely: {hours: 0.5}
  sync: {working_days: 2, municipal_hours: 12}
  review: {hours: 72}
  date_only: end
  stale_column_days: 14
calendar:
  holidays: [2026-10-01, "2026-10-02"]
  workdays: [2026-10-10]
`
	c, err := Parse("sla.yml", []byte(yml))
	if err != nil {
		t.Fatal(err)
	}
	p := c.AuditPolicy()
	if p.Timely.Hours != 0.5 || p.Sync.WorkingDays != 2 || p.MunicipalHours != 12 || p.Review.Hours != 72 ||
		p.DateOnly != audit.DateOnlyEnd || p.StaleDays != 14 {
		t.Errorf("policy = %+v", p)
	}
	cal, err := c.AuditCalendar()
	if err != nil {
		t.Fatal(err)
	}
	day := func(s string) time.Time {
		d, _ := time.ParseInLocation("2006-01-02", s, syndicator.Shanghai)
		return d
	}
	if cal.IsWorkday(day("2026-10-01")) || cal.IsWorkday(day("2026-10-02")) || !cal.IsWorkday(day("2026-10-10")) {
		t.Errorf("calendar lost holidays or make-up days: %+v", c.Calendar)
	}
}

func TestSLAProblems(t *testing.T) {
	tests := []struct{ yml, key, msg string }{
		{"sla:\n  timely: {hours: 24, working_days: 1}\n", "sla.timely", "not both"},
		{"sla:\n  review: {hours: -1}\n", "sla.review.hours", "positive"},
		{"sla:\n  sync: {municipal_hours: -2}\n", "sla.sync.municipal_hours", "positive"},
		{"sla:\n  date_only: middle\n", "sla.date_only", "want start"},
		{"sla:\n  sink: ftp\n", "sla.sink", "site or webhook"},
		{"sla:\n  timely: {minutes: 5}\n", "sla.timely.minutes", "unknown key"},
		{"calendar:\n  holidays: [2026-13-01]\n", "calendar", "YYYY-MM-DD"},
		{"calendar:\n  holidays: [2026-10-10]\n  workdays: [2026-10-10]\n", "calendar", "both"},
		{"calendar:\n  workdays: [2026-10-12]\n", "calendar", "already a working day"},
	}
	for _, tt := range tests {
		t.Run(tt.key+" "+tt.msg, func(t *testing.T) {
			_, err := Parse("sla.yml", []byte(tt.yml))
			var probs Problems
			if !errors.As(err, &probs) {
				t.Fatalf("Parse error = %v, want Problems", err)
			}
			for _, p := range probs {
				if p.Key == tt.key && strings.Contains(p.Msg, tt.msg) && p.Line > 0 {
					return
				}
			}
			t.Errorf("no problem at %s with %q and a line; got:\n%v", tt.key, tt.msg, err)
		})
	}
}
