package extract

import (
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
)

func TestParseTime(t *testing.T) {
	at := func(y int, mo time.Month, d, h, mi, s int) time.Time {
		return time.Date(y, mo, d, h, mi, s, 0, syndicator.Shanghai)
	}
	tests := []struct {
		in   string
		want time.Time
		prec syndicator.Precision
	}{
		{"2026-09-11", at(2026, 9, 11, 0, 0, 0), syndicator.PrecisionDay},
		{"2026-9-1", at(2026, 9, 1, 0, 0, 0), syndicator.PrecisionDay},
		{"2026-09-11-17:00:00", at(2026, 9, 11, 17, 0, 0), syndicator.PrecisionSecond},
		{"2026.09.26", at(2026, 9, 26, 0, 0, 0), syndicator.PrecisionDay},
		{"2026-05-18 09:30:00", at(2026, 5, 18, 9, 30, 0), syndicator.PrecisionSecond},
		{"2019-02-12  16:43", at(2019, 2, 12, 16, 43, 0), syndicator.PrecisionMinute},
		{" 2025-07-14 01:59\n", at(2025, 7, 14, 1, 59, 0), syndicator.PrecisionMinute},
		{"2025-10-21\u00a0\u00a010:30", at(2025, 10, 21, 10, 30, 0), syndicator.PrecisionMinute},
		{"2017年05月15日", at(2017, 5, 15, 0, 0, 0), syndicator.PrecisionDay},
		{"2024年7月25日", at(2024, 7, 25, 0, 0, 0), syndicator.PrecisionDay},
		{"2024年7月25日 10:30", at(2024, 7, 25, 10, 30, 0), syndicator.PrecisionMinute},
		{"２０２４年７月２５日", at(2024, 7, 25, 0, 0, 0), syndicator.PrecisionDay},
		{"2026/09/11", at(2026, 9, 11, 0, 0, 0), syndicator.PrecisionDay},
		{"2026-09-11T17:00:00", at(2026, 9, 11, 17, 0, 0), syndicator.PrecisionSecond},
		{"2026-09-11T09:00:00Z", at(2026, 9, 11, 17, 0, 0), syndicator.PrecisionSecond},
		{"20251021", at(2025, 10, 21, 0, 0, 0), syndicator.PrecisionDay},
		{"1790000000000", time.UnixMilli(1790000000000), syndicator.PrecisionSecond},
		{"1790000000", time.Unix(1790000000, 0), syndicator.PrecisionSecond},
	}
	for _, tc := range tests {
		got, prec, err := ParseTime(tc.in)
		if err != nil {
			t.Errorf("ParseTime(%q): %v", tc.in, err)
			continue
		}
		if !got.Equal(tc.want) || prec != tc.prec || got.Location() != syndicator.Shanghai {
			t.Errorf("ParseTime(%q) = %v, %s; want %v, %s", tc.in, got, prec, tc.want, tc.prec)
		}
	}
	for _, bad := range []string{"", "  ", "昨天", "2026-13-01", "2026-02-30", "2026-09-11 25:00", "12345", "2026-09-11 来源"} {
		if got, _, err := ParseTime(bad); err == nil {
			t.Errorf("ParseTime(%q) = %v, want an error", bad, got)
		}
	}
}

func TestFindTime(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" = not found
		prec syndicator.Precision
	}{
		{"发布时间：2025-10-21 10:30 来源：省政府办公厅", "2025-10-21 10:30:00", syndicator.PrecisionMinute},
		{"发布时间：2025-10-21\u00a0\u00a010:30", "2025-10-21 10:30:00", syndicator.PrecisionMinute},
		{"成文日期：2017年05月15日 发布日期：2017年06月08日", "2017-05-15 00:00:00", syndicator.PrecisionDay},
		{"2024年7月25日10:30发布", "2024-07-25 10:30:00", syndicator.PrecisionMinute},
		{"2026-09-11-17:00:00", "2026-09-11 17:00:00", syndicator.PrecisionSecond},
		{"时间：2026.09.26", "2026-09-26 00:00:00", syndicator.PrecisionDay},
		{"日期 2019/2/3", "2019-02-03 00:00:00", syndicator.PrecisionDay},
		{"２０２５－１０－２１", "2025-10-21 00:00:00", syndicator.PrecisionDay},
		{"编号 120251021 2025-13-01 然后 2025-10-21", "2025-10-21 00:00:00", syndicator.PrecisionDay},
		{"2025-10-21 25:61 更正", "2025-10-21 00:00:00", syndicator.PrecisionDay},
		{"电话 0851-12345678", "", ""},
		{"t20251021_88713156.html", "", ""},
		{"没有日期", "", ""},
		{"", "", ""},
	}
	for _, tc := range tests {
		got, prec, ok := FindTime(tc.in)
		if tc.want == "" {
			if ok {
				t.Errorf("FindTime(%q) = %v, want none", tc.in, got)
			}
			continue
		}
		if !ok || got.Format(time.DateTime) != tc.want || prec != tc.prec || got.Location() != syndicator.Shanghai {
			t.Errorf("FindTime(%q) = %v, %s, %v; want %s, %s", tc.in, got, prec, ok, tc.want, tc.prec)
		}
	}
}
