package crawler_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/crawler"
	"github.com/gyeco/syndicator/crawler/extract"
	"github.com/gyeco/syndicator/crawler/fetch"
	"github.com/rs/zerolog"
)

// TestDryRunLimitBelowOneReadsTheListOnly: `source test --limit -1` used
// to slice entries[:-1] and panic; a limit of 0 or less lists without
// reading any detail page.
func TestDryRunLimitBelowOneReadsTheListOnly(t *testing.T) {
	srv := httptest.NewServer(sim.New(sim.Options{Seed: 5, Items: 4, LargeEvery: -1}))
	t.Cleanup(srv.Close)
	f, err := fetch.New(fetch.Options{Timeout: 10 * time.Second, BackoffBase: time.Millisecond,
		AllowPrivate: []string{strings.TrimPrefix(srv.URL, "http://")}})
	if err != nil {
		t.Fatal(err)
	}
	c := crawler.New(source(t, govcnSource, "g", srv.URL), crawler.Deps{Fetch: f, Extract: extract.New(nil), Log: zerolog.Nop()})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, limit := range []int{-1, -1 << 40, 0} {
		d := c.Test(ctx, limit)
		if len(d.Report.List) == 0 || len(d.Report.Items) != 0 || len(d.Problems) != 0 {
			t.Errorf("limit %d: %d list rows, %d items, problems %q; want the list and no detail", limit,
				len(d.Report.List), len(d.Report.Items), d.Problems)
		}
	}
	if d := c.Test(ctx, 2); len(d.Report.Items) != 2 {
		t.Errorf("limit 2: %d items", len(d.Report.Items))
	}
}
