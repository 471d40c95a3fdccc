package sim

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestBackfillThousandItems walks every list of every site with 1000 items
// per site name, page by page, and checks that each release is reachable
// exactly once through each list that should show it.
func TestBackfillThousandItems(t *testing.T) {
	t.Parallel()
	t0 := time.Now()
	s := New(Options{Seed: 20, Items: 1000, Sites: AllSites(), LargeEvery: -1})
	took := time.Since(t0)
	t.Logf("New with 6 × 1000 items: %v", took)
	if took > 20*time.Second { // about 0.5 s; the bound leaves room for -race
		t.Errorf("New took %v", took)
	}
	rels := s.Releases()
	if len(rels) != 6000 {
		t.Fatalf("%d releases, want 6000", len(rels))
	}

	seen := map[string]map[string]int{} // list → detail path → times linked
	pages := listPaths(s)
	for site, paths := range pages {
		for _, p := range paths {
			if strings.HasSuffix(p, "/") {
				continue // page 1 under its other name
			}
			list := p
			if i := strings.LastIndex(p, "/"); !strings.HasSuffix(p, ".json") {
				list = p[:i+1]
			}
			body, _, _ := s.Body("h", p)
			rows := rowLinks(t, site, p, body)
			if !strings.HasSuffix(p, ".json") && len(rows) > guizhouPageSize {
				t.Errorf("%s: %d rows", p, len(rows))
			}
			if seen[list] == nil {
				seen[list] = map[string]int{}
			}
			for _, row := range rows {
				path, _, _ := strings.Cut(row, "|")
				seen[list][path]++
			}
		}
	}
	for _, r := range rels {
		for _, list := range append([]string{r.List}, r.AlsoListed...) {
			if n := seen[list][r.Path]; n != 1 {
				t.Errorf("%s: linked %d times from %s", r.Path, n, list)
			}
			delete(seen[list], r.Path)
		}
	}
	for list, rest := range seen {
		for path := range rest {
			if _, ok := s.Release(path); ok || list != govcnList {
				t.Errorf("%s links %s, which does not list it", list, path)
			}
		}
	}
	if n := len(seen[govcnList]); n != 2 {
		t.Errorf("%d rows of 最新政策 are no releases, want the 2 noise rows", n)
	}
	if n := len(pages[County]); n < 50 {
		t.Errorf("the county list has %d pages, want 50 and more", n)
	}
	if !slices.Contains(pages[Guizhou], colSXFZWJ.list+"index_1.html") {
		t.Error("the 失效废止文件 list has one page only")
	}
}

func BenchmarkNewThousandItems(b *testing.B) {
	for range b.N {
		New(Options{Seed: 20, Items: 1000, Sites: AllSites()})
	}
}
