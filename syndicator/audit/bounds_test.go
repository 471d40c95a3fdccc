package audit

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
)

// TestBuildRejectsAPeriodJSONCannotWrite: `audit report --to 9999-12-31`
// ends the period at 10000-01-01 00:00, which encoding/json refuses to
// write (the renderer panicked on it). Build says so instead; the widest
// period it can write still builds and encodes.
func TestBuildRejectsAPeriodJSONCannotWrite(t *testing.T) {
	es := readLedger(t, "testdata/period.jsonl")
	now := bj(t, "2026-09-30 08:00")
	end := time.Date(9999, 12, 31, 0, 0, 0, 0, syndicator.Shanghai)
	for _, tt := range []struct {
		name     string
		from, to time.Time
		want     string
	}{
		{"to year 10000", time.Time{}, end.AddDate(0, 0, 1), "to 10000-01-01"},
		{"from year -1", time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), end, "from -0001"},
		{"to before from", bj(t, "2026-10-01"), bj(t, "2026-06-01"), "before from"},
	} {
		if _, err := Build(es, DefaultPolicy(), testCalendar(t), tt.from, tt.to, now); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want one naming %q", tt.name, err, tt.want)
		}
	}
	r, err := Build(es, DefaultPolicy(), testCalendar(t), time.Time{}, end, now)
	if err != nil {
		t.Fatal(err)
	}
	if r.Total != 10 {
		t.Errorf("the widest period holds %d items, want all 10", r.Total)
	}
	if _, err := json.Marshal(r); err != nil {
		t.Errorf("the widest period does not encode: %v", err)
	}
}

// TestLimitsAreBounded: a working-day count of MaxInt looped for ever and
// 1e300 hours overflowed into a deadline before the start. Both are read
// as the largest limit.
func TestLimitsAreBounded(t *testing.T) {
	cal := testCalendar(t)
	start := bj(t, "2026-09-01 10:00")
	done := make(chan time.Time, 1)
	go func() { done <- cal.WorkingDayDeadline(start, math.MaxInt) }()
	select {
	case got := <-done:
		if want := cal.WorkingDayDeadline(start, MaxWorkingDays); !got.Equal(want) {
			t.Errorf("MaxInt working days: %s, want the bound %s", got, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("WorkingDayDeadline(MaxInt) still counting after 10 s")
	}
	for _, h := range []float64{1e300, math.Inf(1), MaxHours + 1} {
		if got, want := (Limit{Hours: h}).Deadline(start, cal), start.Add(MaxHours*time.Hour); !got.Equal(want) {
			t.Errorf("%v hours: deadline %s, want %s", h, got, want)
		}
	}
	if got := (Limit{Hours: math.NaN()}).Deadline(start, cal); !got.Equal(start) {
		t.Errorf("NaN hours: deadline %s, want the start", got)
	}
}
