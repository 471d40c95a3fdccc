package extract

import (
	"syscall"
	"testing"
	"time"
)

// BenchmarkDetail reads every golden detail page once per iteration with
// one Extractor, as a crawler does (issue 14: extraction CPU per page).
// cpu-µs/page is user+system CPU of the process from getrusage, the figure
// to compare on a shared machine; µs/page is wall time.
func BenchmarkDetail(b *testing.B) {
	type page struct {
		body []byte
		tc   int
	}
	var pages []page
	for i, tc := range detailCases {
		pages = append(pages, page{readCase(b, tc.name, tc.encode), i})
	}
	e := New(nil)
	before := cpuTime(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, p := range pages {
			tc := detailCases[p.tc]
			if _, err := e.Detail(p.body, tc.contentType, mustURL(b, tc.url), tc.rule); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.StopTimer()
	n := float64(b.N * len(pages))
	b.ReportMetric(float64((cpuTime(b)-before).Microseconds())/n, "cpu-µs/page")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/n, "µs/page")
}

// cpuTime is the user and system CPU the process has used, from the kernel.
func cpuTime(b *testing.B) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
