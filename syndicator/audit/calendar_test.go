package audit

import (
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
)

// testCalendar is this test's own calendar, shaped like a National Day
// week: 10-01..10-07 off, Sunday 09-27 and Saturday 10-10 worked. It is
// not a statement about the real 2026 holidays.
func testCalendar(t *testing.T) Calendar {
	t.Helper()
	cal, err := NewCalendar(
		[]string{"2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07"},
		[]string{"2026-09-27", "2026-10-10"})
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

// bj parses "2006-01-02 15:04" in Beijing time.
func bj(t *testing.T, s string) time.Time {
	t.Helper()
	layout := "2006-01-02 15:04"
	if len(s) == len("2006-01-02") {
		layout = "2006-01-02"
	}
	v, err := time.ParseInLocation(layout, s, syndicator.Shanghai)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestIsWorkday(t *testing.T) {
	cal := testCalendar(t)
	tests := []struct {
		day  string
		want bool
	}{
		{"2026-09-25", true},  // Friday
		{"2026-09-26", false}, // Saturday
		{"2026-09-27", true},  // Sunday, make-up day
		{"2026-09-30", true},  // Wednesday
		{"2026-10-01", false}, // holiday, Thursday
		{"2026-10-05", false}, // holiday, Monday
		{"2026-10-08", true},  // Thursday after the holiday
		{"2026-10-10", true},  // Saturday, make-up day
		{"2026-10-11", false}, // Sunday
	}
	for _, tt := range tests {
		if got := cal.IsWorkday(bj(t, tt.day)); got != tt.want {
			t.Errorf("IsWorkday(%s) = %v, want %v", tt.day, got, tt.want)
		}
	}
	// The day is the Beijing day: 2026-09-26 17:00 UTC is Sunday 01:00 in Beijing.
	if !cal.IsWorkday(time.Date(2026, 9, 26, 17, 0, 0, 0, time.UTC)) {
		t.Error("IsWorkday read a UTC time in UTC, not Beijing time")
	}
}

func TestWorkingDayDeadline(t *testing.T) {
	cal := testCalendar(t)
	tests := []struct {
		name, start string
		n           int
		want        string
	}{
		{"weekday to next day", "2026-09-15 10:00", 1, "2026-09-17"},
		{"late in the day changes nothing", "2026-09-15 23:59", 1, "2026-09-17"},
		{"friday over the weekend", "2026-09-18 09:00", 1, "2026-09-22"},
		{"saturday start", "2026-09-19 09:00", 1, "2026-09-22"},
		{"make-up sunday counts", "2026-09-26 09:00", 1, "2026-09-28"},
		{"three days across a weekend", "2026-09-16 09:00", 3, "2026-09-22"},
		{"three days with a make-up sunday", "2026-09-23 09:00", 3, "2026-09-28"},
		{"crossing the holiday", "2026-09-30 15:00", 1, "2026-10-09"},
		{"crossing the holiday, then make-up saturday", "2026-09-30 15:00", 3, "2026-10-11"},
		{"start on a holiday", "2026-10-03 12:00", 1, "2026-10-09"},
		{"n below 1 is 1", "2026-09-15 10:00", 0, "2026-09-17"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cal.WorkingDayDeadline(bj(t, tt.start), tt.n)
			if want := bj(t, tt.want); !got.Equal(want) {
				t.Errorf("WorkingDayDeadline(%s, %d) = %s, want %s (24:00 of the day before)", tt.start, tt.n, got, want)
			}
		})
	}
}

func TestNewCalendarRejects(t *testing.T) {
	tests := []struct {
		name               string
		holidays, workdays []string
	}{
		{"bad holiday", []string{"2026-10-32"}, nil},
		{"bad workday", nil, []string{"10/10/2026"}},
		{"both", []string{"2026-10-10"}, []string{"2026-10-10"}},
		{"weekday as make-up day", nil, []string{"2026-10-09"}},
	}
	for _, tt := range tests {
		if _, err := NewCalendar(tt.holidays, tt.workdays); err == nil {
			t.Errorf("%s: NewCalendar accepted %v / %v", tt.name, tt.holidays, tt.workdays)
		}
	}
}

func TestZeroCalendarIsMondayToFriday(t *testing.T) {
	var cal Calendar
	if cal.IsWorkday(bj(t, "2026-10-01")) != true || cal.IsWorkday(bj(t, "2026-10-03")) != false {
		t.Error("zero calendar should only know weekends")
	}
}
