package extract

import (
	"testing"
)

// BenchmarkDetail reads every golden detail page once per iteration with
// one Extractor, as a crawler does (issue 14: extraction CPU per page).
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
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(pages)), "µs/page")
}
