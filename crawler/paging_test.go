package crawler_test

import (
	"context"
	"testing"
	"time"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
)

// A JSON API paged by a query parameter (govsim's gov.cn search API, 3
// rows a page) is read page after page with page_param: a poll announces
// every 国务院文件 the preset's JSON file lists, each once, and paging
// stops at the first page with nothing new.
func TestQueryParamPaging(t *testing.T) {
	t.Parallel()
	h := newHarness(t, sim.Options{Seed: 7, Items: 30, LargeEvery: -1, Sites: sim.AllSites()})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	file := h.crawler(t, source(t, `
  - id: %[1]s
    preset: govcn-gwywj
    base_url: %[2]s/govcn
`, "file", h.srv.URL), "owner-1").Test(ctx, 0)
	if len(file.Problems) > 0 || len(file.Report.List) <= 6 {
		t.Fatalf("the JSON file lists %d 国务院文件 (problems %q): too few to need 3 pages of 3", len(file.Report.List), file.Problems)
	}
	c := h.crawler(t, source(t, `
  - id: %[1]s
    preset: govcn-gwywj
    base_url: %[2]s/govcn
    interval: 200ms
    jitter: 10ms
    list:
      urls: ["/search-gov/data?t=zhengcelibrary_gw&q=&p=1&n=3&sort=pubtime"]
      items_path: searchVO.listVO
      url_field: url
      title_field: title
      date_field: pubtimeStr
      page_param: p
      pages: 50
`, "api", h.srv.URL), "owner-1")
	res := poll(t, c)
	want := len(file.Report.List)
	if res.Err != nil || res.New != want || res.Failed != 0 {
		t.Fatalf("poll of the paged API = %+v, want %d new", res, want)
	}
	seen := map[string]bool{}
	for _, ev := range discovered(t, h.bus, "api") {
		if seen[ev.Item.URL] {
			t.Errorf("%s announced twice", ev.Item.URL)
		}
		seen[ev.Item.URL] = true
	}
	if len(seen) != want {
		t.Errorf("%d items announced, want %d", len(seen), want)
	}
	// ⌈want/3⌉ pages with rows and one empty page at most.
	if n := h.sim.Hits("/govcn/search-gov/data"); n > (want+2)/3+1 {
		t.Errorf("%d requests for %d rows of 3 a page: paging did not stop at the end", n, want)
	}
}
