package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/audit"
	"github.com/gyeco/syndicator/syndicator/ledger"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/readmodel"
)

// checkIndexedAPI compares what serve's API answers from its read model
// with the CLI's report (rep, read from the whole ledger) and with the
// timelines of the whole ledger, and searches the items.
func checkIndexedAPI(t *testing.T, base string, clk *testClock, rep audit.Report, entries []ledger.Entry, from string) {
	t.Helper()
	to := clk.now().In(syndicator.Shanghai).Format("2006-01-02")
	code, body := getBody(t, base+"/api/v1/audit/report?format=json&from="+from+"&to="+to, auditorToken)
	if code != http.StatusOK {
		t.Fatalf("API report: %d %s", code, body)
	}
	var got audit.Report
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	// The two were judged a few milliseconds apart on a running clock:
	// what is measured to "now" is left out of the comparison.
	want, _ := json.Marshal(asOfNowless(rep))
	again, _ := json.Marshal(asOfNowless(got))
	if !bytes.Equal(want, again) {
		t.Errorf("the API's report from the read model differs from the CLI's from the whole ledger:\n api %.3000s\n cli %.3000s", again, want)
	}
	whole := audit.Timelines(entries)
	checked := 0
	for _, row := range rep.Items {
		code, body := getBody(t, base+"/api/v1/audit/items/"+row.ItemID+"/timeline", auditorToken)
		if code != http.StatusOK {
			t.Errorf("timeline of %s: %d %s", row.ItemID, code, body)
			continue
		}
		var tl audit.Timeline
		if err := json.Unmarshal([]byte(body), &tl); err != nil {
			t.Fatal(err)
		}
		for _, w := range whole {
			if w.DocKey == tl.DocKey {
				a, _ := json.Marshal(w)
				b, _ := json.Marshal(tl)
				if !bytes.Equal(a, b) {
					t.Errorf("timeline of %s differs:\n api %s\n ledger %s", row.ItemID, b, a)
				}
				checked++
			}
		}
	}
	if checked == 0 || checked != len(rep.Items) {
		t.Errorf("compared %d timelines of %d report rows", checked, len(rep.Items))
	}

	// Search: a piece of a title, and a state filter.
	title := []rune(rep.Items[0].Title)
	q := string(title[2:min(len(title), 8)])
	code, body = getBody(t, base+"/api/v1/items?q="+url.QueryEscape(q), auditorToken)
	if code != http.StatusOK || !strings.Contains(body, rep.Items[0].ItemID) {
		t.Errorf("search %q: %d %.500s", q, code, body)
	}
	var pending []string
	for _, r := range rep.Items {
		if r.Status == audit.StatusPending && r.Class == syndicator.ClassReview {
			pending = append(pending, r.ItemID)
		}
	}
	code, body = getBody(t, base+"/api/v1/items?state=review", auditorToken)
	var page struct {
		Items []struct {
			ID         string `json:"id"`
			StateLabel string `json:"state_label"`
		} `json:"items"`
		Total int `json:"total"`
	}
	if err := json.Unmarshal([]byte(body), &page); code != http.StatusOK || err != nil || page.Total != len(pending) || len(pending) == 0 {
		t.Errorf("items waiting for review: %d %.500s (want %v)", code, body, pending)
	}
	for _, it := range page.Items {
		if !slices.Contains(pending, it.ID) || it.StateLabel != "待审核" {
			t.Errorf("review filter gave %s (%s)", it.ID, it.StateLabel)
		}
	}
	if code, body := getBody(t, base+"/api/v1/items?page=0", auditorToken); code != http.StatusBadRequest {
		t.Errorf("page=0: %d %s", code, body)
	}
}

// checkIndexRebuild runs `syndicator index rebuild` beside the running
// serve and checks the new file holds every event.
func checkIndexRebuild(t *testing.T, cfgPath, dataDir string, events int) {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := run([]string{"index", "rebuild", "--config", cfgPath}, &out, &errOut); code != 0 || !strings.Contains(errOut.String(), "已重建") {
		t.Fatalf("index rebuild: exit %d\n%s", code, errOut.String())
	}
	st, err := readmodel.Open(context.Background(), filepath.Join(dataDir, "readmodel.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	pos, err := st.Positions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.Search(context.Background(), readmodel.Query{PerPage: 200})
	if err != nil || p.Total == 0 || pos[natsbus.StreamEvents] < uint64(events) {
		t.Errorf("rebuilt read model: %d items, events applied to %d of at least %d, %v", p.Total, pos[natsbus.StreamEvents], events, err)
	}
}

// asOfNowless is r without what depends on the moment it was judged: its
// time, the open stretches measured to it, the columns' rates.
func asOfNowless(r audit.Report) audit.Report {
	r.Now = time.Time{}
	for i := range r.Items {
		it := &r.Items[i]
		for j := range it.Segments {
			if it.Segments[j].Open {
				it.Segments[j].To, it.Segments[j].Hours = time.Time{}, 0
			}
		}
		it.Where, it.LagHours = "", 0
	}
	for i := range r.Columns {
		r.Columns[i].PerWeek, r.Columns[i].DaysSince = 0, 0
	}
	return r
}
