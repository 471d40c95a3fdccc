package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/ledger"
)

var update = flag.Bool("update", false, "rewrite golden files")

// readLedger reads a JSON-lines ledger export.
func readLedger(t *testing.T, path string) []ledger.Entry {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var es []ledger.Entry
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e ledger.Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		es = append(es, e)
	}
	return es
}

// periodReport is the report of testdata/period.jsonl under the default
// policy and the test calendar.
func periodReport(t *testing.T) Report {
	p := DefaultPolicy()
	p.Columns = []string{"zcwj", "sthj"}
	r, err := Build(readLedger(t, "testdata/period.jsonl"), p, testCalendar(t),
		bj(t, "2026-06-01"), bj(t, "2026-10-01"), bj(t, "2026-09-30 08:00"))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestBuildGolden(t *testing.T) {
	r := periodReport(t)
	got, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	const golden = "testdata/period.golden.json"
	if *update {
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(append(got, '\n'), want) {
		t.Errorf("report differs from %s (run go test -update and review the diff)", golden)
	}
}

func TestBuildCounts(t *testing.T) {
	r := periodReport(t)
	status := map[string]Status{}
	for _, it := range r.Items {
		status[it.ItemID] = it.Status
	}
	want := map[string]Status{"a1": StatusOnTime, "b1": StatusLate, "c1": StatusLate, "d1": StatusMissed,
		"e1": StatusExempt, "f1": StatusExempt, "g1": StatusOnTime, "h1": StatusPending, "i1": StatusLate,
		"j1": StatusExempt}
	for id, s := range want {
		if status[id] != s {
			t.Errorf("%s: status %s, want %s", id, status[id], s)
		}
	}
	if len(status) != len(want) {
		t.Errorf("items %v, want one per document: %v", status, want)
	}
	// Counts agree with the rows.
	n := map[Status]int{}
	for _, it := range r.Items {
		n[it.Status]++
	}
	if r.OnTime != n[StatusOnTime] || r.Late != n[StatusLate] || r.Missed != n[StatusMissed] || r.Pending != n[StatusPending] ||
		r.Exempt != n[StatusExempt] || r.Total != len(r.Items) {
		t.Errorf("counts %d/%d/%d/%d/%d of %d disagree with rows %v", r.OnTime, r.Late, r.Missed, r.Pending, r.Exempt, r.Total, n)
	}
	if r.OnTimeRate != 0.333 {
		t.Errorf("on-time rate %v, want 2/6 (the baseline document j1 not counted)", r.OnTimeRate)
	}
	if r.Baseline != 1 {
		t.Errorf("baseline count %d, want 1 (j1)", r.Baseline)
	}
	if r.DateOnly != 3 || r.Uncertain != 1 {
		t.Errorf("date-only %d, uncertain %d; want 3 and 1 (i1 is on time read leniently)", r.DateOnly, r.Uncertain)
	}
	for _, it := range r.Items {
		switch it.ItemID {
		case "a1":
			if len(it.Timeline.Sightings) != 2 || it.WARC != "govcn-zuixin/a1/r1/capture.warc.gz" ||
				it.OriginalSHA256 == "" || it.PublishedSHA256 == "" || it.Location != "zcwj/202609/t20260901_a1.html" {
				t.Errorf("a1 evidence: %+v", it)
			}
		case "b1":
			if it.Where != "发布 50.5 小时" {
				t.Errorf("b1 where = %q", it.Where)
			}
		case "c1":
			if it.Where != "审核 102 小时" || !it.DateOnly || it.LagMinHours != 88.1 || it.LagMaxHours != 112.1 {
				t.Errorf("c1 where %q dateOnly %v range %v–%v", it.Where, it.DateOnly, it.LagMinHours, it.LagMaxHours)
			}
		case "j1":
			// On the municipal list at its first poll: 1,700 hours after
			// its upstream date, yet not late.
			if !it.Baseline || it.Reason != BaselineReason || !it.Timeline.Baseline || !it.Timeline.Sightings[0].Baseline || it.LagHours < 1000 {
				t.Errorf("j1 baseline %v (timeline %v), reason %q, lag %v", it.Baseline, it.Timeline.Baseline, it.Reason, it.LagHours)
			}
			if it.Location == "" || it.WARC == "" {
				t.Errorf("j1, a baseline document, lost its evidence: %+v", it)
			}
		case "d1":
			if !it.Deadline.Equal(bj(t, "2026-09-15 09:10")) {
				t.Errorf("d1 deadline %s, want the municipal sighting + 24h", it.Deadline)
			}
		}
	}
	cols := map[string]ColumnFreshness{}
	for _, c := range r.Columns {
		cols[c.Column] = c
	}
	if c := cols["zcwj"]; c.Stale || c.DaysSince != 4 || c.Articles != 7 {
		t.Errorf("zcwj freshness %+v", c)
	}
	if c := cols["sthj"]; !c.Stale || c.DaysSince != -1 {
		t.Errorf("sthj (never used) freshness %+v", c)
	}
	var lagTotal int
	for _, s := range r.LagBuckets {
		for _, b := range s.Buckets {
			lagTotal += b.Count
		}
	}
	if lagTotal != r.OnTime+r.Late {
		t.Errorf("lag buckets hold %d, want every published item (%d)", lagTotal, r.OnTime+r.Late)
	}
}

func TestTimelineSteps(t *testing.T) {
	tls := Timelines(readLedger(t, "testdata/period.jsonl"))
	var a, c *Timeline
	for i := range tls {
		switch tls[i].ItemID {
		case "a1":
			a = &tls[i]
		case "c1":
			c = &tls[i]
		}
	}
	if a == nil || c == nil {
		t.Fatalf("timelines %+v", tls)
	}
	if a.DocKey != "国发〔2026〕1号" || len(a.Sightings) != 2 || a.Sightings[1].Source != "guiyang-gfxwj" || a.Sightings[1].Seq != 6 {
		t.Errorf("a sightings %+v", a.Sightings)
	}
	if a.Decided == nil || a.Decided.Seq != 3 || a.Decided.Class != "timely" || !a.Decided.Publish {
		t.Errorf("a decided %+v", a.Decided)
	}
	if len(a.Published) != 2 || a.PublishedOn("site").Seq != 4 || a.PublishedOn("webhook").Seq != 5 || a.PublishedOn("site").Column != "zcwj" {
		t.Errorf("a published %+v", a.Published)
	}
	if len(a.Archived) != 1 || a.Archived[0].Seq != 2 || a.Archived[0].OriginalSHA256[:4] != "c0a1" {
		t.Errorf("a archived %+v", a.Archived)
	}
	if c.Reviewed == nil || c.Reviewed.Reviewer != "王审核" || c.Reviewed.Outcome != "approved" || c.Upstream.Precision != syndicator.PrecisionDay {
		t.Errorf("c reviewed %+v upstream %+v", c.Reviewed, c.Upstream)
	}
}

func TestColumnStaleAt15DaysNot14(t *testing.T) {
	last := bj(t, "2026-09-01 10:00")
	es := []ledger.Entry{
		{Seq: 1, Fact: ledger.Fact{Kind: syndicator.KindPublished, ID: "x", Sink: "site", EventAt: last, Location: "sthj/202609/t20260901_x.html"}},
		{Seq: 2, Fact: ledger.Fact{Kind: syndicator.KindPublished, ID: "x", Sink: "site", EventAt: last.Add(10 * 24 * time.Hour), Location: "sthj/202609/t20260901_x.html"}}, // a revision: not a new article
		{Seq: 3, Fact: ledger.Fact{Kind: syndicator.KindPublished, ID: "y", Sink: "webhook", EventAt: last.Add(12 * 24 * time.Hour), Location: "https://cms/x"}},
	}
	p := DefaultPolicy()
	for _, tt := range []struct {
		after time.Duration
		stale bool
		days  int
	}{
		{14 * 24 * time.Hour, false, 14},
		{15*24*time.Hour - time.Minute, false, 14},
		{15 * 24 * time.Hour, true, 15},
	} {
		cs := Freshness(es, p, last.Add(-7*24*time.Hour), last.Add(tt.after))
		if len(cs) != 1 || cs[0].Column != "sthj" || cs[0].Stale != tt.stale || cs[0].DaysSince != tt.days || cs[0].Articles != 1 {
			t.Errorf("after %v: %+v, want stale %v, %d days", tt.after, cs, tt.stale, tt.days)
		}
	}
	p.StaleDays = 10
	if cs := Freshness(es, p, last, last.Add(10*24*time.Hour)); !cs[0].Stale {
		t.Errorf("threshold 10 ignored: %+v", cs)
	}
}

func TestEmptyPeriodHasAnEmptyItemList(t *testing.T) {
	r, err := Build(nil, DefaultPolicy(), Calendar{}, time.Time{}, time.Now(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"items":[]`) {
		t.Errorf("empty report: %s", data)
	}
}
