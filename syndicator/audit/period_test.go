package audit

import (
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
)

// TestPeriodOutsideBoundsIsRefused: --to 9999-12-31 ended the period in
// the year 10000, which the JSON report panicked on. Days must lie in
// 2000..2100; the bounds themselves are fine.
func TestPeriodOutsideBoundsIsRefused(t *testing.T) {
	now := time.Date(2026, 9, 1, 10, 0, 0, 0, syndicator.Shanghai)
	for _, tt := range []struct{ from, to, want string }{
		{"", "9999-12-31", "--to 9999-12-31: 日期须在 2000-01-01 至 2100-12-31 之间"},
		{"1999-12-31", "", "--from 1999-12-31: 日期须在 2000-01-01 至 2100-12-31 之间"},
		{"0001-01-01", "2026-09-01", "--from 0001-01-01"},
		{"2026-09-01", "2101-01-01", "--to 2101-01-01"},
		{"2026-09-02", "2026-09-01", "早于"},
		{"2026-9-1", "", "YYYY-MM-DD"},
	} {
		if _, _, err := ParsePeriod(tt.from, tt.to, now); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParsePeriod(%q, %q): err = %v, want %q", tt.from, tt.to, err, tt.want)
		}
	}
	from, to, err := ParsePeriod("2000-01-01", "2100-12-31", now)
	if err != nil || from.Year() != 2000 || !to.Equal(time.Date(2101, 1, 1, 0, 0, 0, 0, syndicator.Shanghai)) {
		t.Errorf("the widest period: %s – %s, %v", from, to, err)
	}
}
