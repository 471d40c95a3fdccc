package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/audit"
	"github.com/gyeco/syndicator/syndicator/ledger"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/rs/zerolog"
	"golang.org/x/net/html"
)

// limitHours is the SLA of every class in TestAuditReport: 18 seconds,
// so that a sink held down for longer makes items late.
const limitHours = 0.005

// testClock is the wall clock plus what the test has advanced it by: the
// pipeline stamps its events with it and the report is judged by it, so a
// test moves past a deadline instead of sleeping through it.
type testClock struct{ offset atomic.Int64 }

func (c *testClock) now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

func (c *testClock) advance(d time.Duration) { c.offset.Add(int64(d)) }

// advanceTo moves the clock on to at, unless it is there already.
func (c *testClock) advanceTo(at time.Time) {
	if d := at.Sub(c.now()); d > 0 {
		c.advance(d)
	}
}

// TestAuditReport runs govsim through the pipeline with the site sink held
// down at first, one item approved late and one left in review, and checks
// the auditor's report against counts computed here from the ledger alone.
// Time is the test's clock: each release is published when the clock
// reaches its date, and the clock is advanced past deadlines.
func TestAuditReport(t *testing.T) {
	t.Parallel() // own govsim, NATS, ports and data dirs: shares nothing
	clk := &testClock{}
	firstDay := clk.now().In(syndicator.Shanghai).Format("2006-01-02")
	// Releases a minute apart: each is dated ahead of the clock however
	// long the one before took to go through on a slow machine.
	opts := sim.Options{Seed: 41, Items: -1, Sites: []string{sim.GovCN}, Start: clk.now().Truncate(time.Second), PublishEvery: time.Minute}
	// The same seed and options give the same releases: learn the 3rd and
	// 5th, which this source's own rule sends to review.
	probe := sim.New(opts)
	var want []sim.Release
	for range 6 {
		want = append(want, probe.Publish())
	}
	approveNo, leaveNo := want[2].DocNumber, want[4].DocNumber
	s := sim.New(opts)
	// publish puts the next release out when the clock reaches its date.
	publish := func() {
		clk.advanceTo(want[len(s.Releases())].PublishedAt)
		s.Publish()
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)

	dir := t.TempDir()
	port, httpPort := natstest.FreePort(t), natstest.FreePort(t)
	yaml := fmt.Sprintf(`data_dir: %[1]s/data
nats: {port: %[2]d}
http:
  listen: "127.0.0.1:%[3]d"
  tokens: [{name: 审核员, role: operator, token: %[4]s}, {name: 审计, role: auditor, token: %[5]s}]
crawler: {per_host_rps: 500, allow_private: [%[6]q]}
archive: {backend: fs, dir: %[1]s/archive}
site: {backend: fs, dir: %[1]s/site, columns: [{id: zcwj, name: 政策文件}, {id: sthj, name: 生态环境}]}
sla: {timely: {hours: %[9]v}, sync: {hours: %[9]v}, review: {hours: %[9]v}, date_only: start}
sources:
  - id: govcn-zuixin
    level: national
    preset: govcn-zuixin
    base_url: %[7]s/govcn
    interval: 1s
    # govsim starts with an empty list here: every release is new and
    # measured (an empty first poll takes no baseline, see crawler/baseline.go).
    baseline: false
    rules: [{name: 指定待审, class: review, when: [{field: doc_number, in: [%[8]s]}]}]
`, dir, port, httpPort, operatorToken, auditorToken, strings.TrimPrefix(srv.URL, "http://"), srv.URL,
		fmt.Sprintf("%q, %q", approveNo, leaveNo), limitHours)
	cfgPath := dir + "/syndicator.yaml"
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatalf("config: %v\n%s", err, yaml)
	}
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	// Everything but the site: it is "held down" for the first releases.
	go func() {
		done <- (&App{Config: cfg, Embedded: true, Log: log, Now: clk.now}).Run(ctx, RoleCrawl, RoleArchive, RoleServe)
	}()
	url := fmt.Sprintf("nats://127.0.0.1:%d", port)
	waitFor(t, 20*time.Second, "embedded nats", func() (bool, string) { return dialable(url), "" })
	bus := connectBus(t, url)

	ids := func(rs []sim.Release) []string {
		var out []string
		for _, r := range rs {
			canon, _ := syndicator.CanonicalURL(srv.URL+r.Path, nil)
			out = append(out, syndicator.ItemID(canon))
		}
		return out
	}
	wantIDs := ids(want)
	decidedIDs := func() map[string]bool {
		got := map[string]bool{}
		for _, ev := range natstest.Events(t, bus, "synd.item.decided.>") {
			got[ev.ID] = true
		}
		return got
	}
	// allDecided reports whether every id has a decided event.
	allDecided := func(ids []string) (bool, string) {
		d, n := decidedIDs(), 0
		for _, id := range ids {
			if d[id] {
				n++
			}
		}
		return n == len(ids), fmt.Sprintf("%d of %d decided", n, len(ids))
	}
	published := func() map[string]bool {
		out := map[string]bool{}
		for _, ev := range natstest.Events(t, bus, "synd.item.published.site.>") {
			out[ev.ID] = true
		}
		return out
	}
	// onSite waits until the n-th release is published on the site: the
	// clock moves on only afterwards, so that no step of it takes longer
	// than it did.
	onSite := func(n int) {
		t.Helper()
		waitFor(t, 60*time.Second, fmt.Sprintf("release %d published", n+1), func() (bool, string) {
			return published()[wantIDs[n]], "not yet"
		})
	}
	for n := range 2 {
		publish()
		waitFor(t, 60*time.Second, fmt.Sprintf("release %d decided", n+1), func() (bool, string) { return allDecided(wantIDs[n : n+1]) })
	}
	clk.advance(time.Duration(limitHours*float64(time.Hour)) + 3*time.Second) // past their deadline

	// While the site is down, a relevant item past its deadline is missed.
	held := auditReport(t, clk, cfgPath, "json", firstDay)
	for _, id := range wantIDs[:2] {
		if row := rowOf(held, id); row == nil || row.Status != audit.StatusMissed {
			t.Errorf("%s while the site is down: %+v, want missed", id, row)
		}
	}

	// The site comes up; the held items go out late.
	sitePath := dir + "/site.yaml"
	siteYAML := strings.Replace(yaml, fmt.Sprintf("nats: {port: %d}", port), fmt.Sprintf("nats: {url: %q}", url), 1)
	if err := os.WriteFile(sitePath, []byte(siteYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	siteCfg, err := config.Load(sitePath)
	if err != nil {
		t.Fatal(err)
	}
	// The site process is a client of the first one's embedded NATS: it
	// stops first, as it would in a real deployment.
	siteCtx, stopSite := context.WithCancel(ctx)
	siteDone := make(chan error, 1)
	go func() { siteDone <- (&App{Config: siteCfg, Log: log, Now: clk.now}).Run(siteCtx, RoleSite) }()
	onSite(0)
	onSite(1)
	publish()
	api := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	waitFor(t, 60*time.Second, "the review entry to approve", func() (bool, string) {
		_, body := getBody(t, api+"/api/v1/review", auditorToken)
		return strings.Contains(body, wantIDs[2]), body
	})
	clk.advance(time.Duration(limitHours*float64(time.Hour)) + time.Second) // approved late
	req, _ := http.NewRequest("POST", api+"/api/v1/review/"+wantIDs[2], strings.NewReader(`{"outcome":"approved","comment":"审核通过"}`))
	req.Header.Set("Authorization", "Bearer "+operatorToken)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("approve: %v %v", resp, err)
	}
	onSite(2)
	// The rest go out while the site is up: on time, but for the 5th, left
	// in review.
	for n := 3; n < len(want); n++ {
		publish()
		if n == 4 {
			waitFor(t, 60*time.Second, "release 5 decided", func() (bool, string) { return allDecided(wantIDs[4:5]) })
		} else {
			onSite(n)
		}
	}
	waitFor(t, 60*time.Second, "six releases decided", func() (bool, string) { return allDecided(wantIDs) })
	// Every release govsim put out, also the last ones, is decided before
	// anything is counted.
	all := ids(s.Releases())
	waitFor(t, 60*time.Second, "every release decided", func() (bool, string) { return allDecided(all) })
	waitFor(t, 60*time.Second, "every item decided for publication published", func() (bool, string) {
		pub, missing := published(), 0
		for _, ev := range natstest.Events(t, bus, "synd.item.decided.>") {
			if ev.Decision.Publish && !pub[ev.ID] {
				missing++
			}
		}
		return missing == 0, fmt.Sprintf("%d not yet published", missing)
	})
	// The ledger has recorded every item event, so the report below reads
	// the same entries as the count here.
	var entries []ledger.Entry
	waitFor(t, 30*time.Second, "the ledger to record every item event", func() (bool, string) {
		events := len(natstest.Events(t, bus, "synd.item.>"))
		var err error
		if entries, err = readLedger(context.Background(), bus); err != nil {
			t.Fatal(err)
		}
		return len(entries) == events, fmt.Sprintf("%d entries for %d events", len(entries), events)
	})

	// Counts computed from the ledger alone.
	onTime, late := independentCounts(entries)
	rep := auditReport(t, clk, cfgPath, "json", firstDay)
	if rep.OnTime != onTime || rep.Late != late {
		t.Errorf("report on time %d late %d; from the ledger: on time %d late %d", rep.OnTime, rep.Late, onTime, late)
	}
	if late < 3 || onTime < 1 {
		t.Errorf("the run should give late and on-time items: on time %d late %d", onTime, late)
	}
	for _, id := range wantIDs[:2] {
		if row := rowOf(rep, id); row == nil || row.Status != audit.StatusLate || !strings.Contains(row.Where, "发布") {
			t.Errorf("held item %s: %+v, want late with the time in 发布", id, row)
		}
	}
	if row := rowOf(rep, wantIDs[2]); row == nil || row.Status != audit.StatusLate || !strings.Contains(row.Where, "审核") {
		t.Errorf("approved-late item: %+v, want late with the time in 审核", row)
	}
	if row := rowOf(rep, wantIDs[4]); row == nil || row.Status == audit.StatusOnTime || row.Status == audit.StatusLate {
		t.Errorf("item left in review: %+v", row)
	}
	cols := map[string]audit.ColumnFreshness{}
	for _, c := range rep.Columns {
		cols[c.Column] = c
	}
	if !cols["sthj"].Stale || cols["zcwj"].Stale {
		t.Errorf("column freshness: %+v", rep.Columns)
	}

	// The HTML report: its charts carry the data they draw.
	checkHTMLReport(t, clk, cfgPath, rep, firstDay)

	// serve answers the same from its read model.
	checkIndexedAPI(t, fmt.Sprintf("http://127.0.0.1:%d", httpPort), clk, rep, entries, firstDay)
	checkIndexRebuild(t, cfgPath, cfg.DataDir, len(natstest.Events(t, bus, "synd.item.>")))

	// The ledger verifies, live and exported; an edited export does not.
	var out, errOut bytes.Buffer
	if code := run([]string{"audit", "verify", "--config", cfgPath}, &out, &errOut); code != 0 {
		t.Fatalf("live verify: %d %s %s", code, out.String(), errOut.String())
	}
	out.Reset()
	if code := run([]string{"audit", "export", "--config", cfgPath}, &out, &errOut); code != 0 {
		t.Fatalf("export: %d %s", code, errOut.String())
	}
	lines := strings.Split(out.String(), "\n")
	lines[4] = strings.Replace(lines[4], `"revision":1`, `"revision":2`, 1)
	bad := dir + "/tampered.jsonl"
	if err := os.WriteFile(bad, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if code := run([]string{"audit", "verify", "--file", bad, "--config", cfgPath}, &out, &errOut); code == 0 || !strings.Contains(out.String()+errOut.String(), "第 5 行") {
		t.Errorf("tampered export: exit %d, %s %s", code, out.String(), errOut.String())
	}
	stopSite()
	if err := <-siteDone; err != nil {
		t.Errorf("site run: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run: %v", err)
	}
}

func getBody(t *testing.T, url, token string) (int, string) {
	t.Helper()
	resp, body := get(t, url, token)
	return resp.StatusCode, body
}

// auditReport runs `syndicator audit report` as of the test's clock, from
// the day the test started (from) to today, Beijing time, so a run across
// midnight loses nothing.
func auditReport(t *testing.T, clk *testClock, cfgPath, format, from string) audit.Report {
	t.Helper()
	out, errOut := reportCmd(t, clk, cfgPath, format, from)
	if out == nil {
		t.Fatalf("audit report: %s", errOut)
	}
	var r audit.Report
	if format == "json" {
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatalf("report json: %v", err)
		}
	}
	return r
}

// reportCmd is `syndicator audit report --from from --to <today> --format
// format --config cfgPath` run as of the test's clock: its output, nil on a
// non-zero exit, and its stderr.
func reportCmd(t *testing.T, clk *testClock, cfgPath, format, from string) ([]byte, string) {
	t.Helper()
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	to := clk.now().In(syndicator.Shanghai).Format("2006-01-02")
	app := &App{Config: cfg, Log: zerolog.Nop(), Now: clk.now}
	var out, errOut bytes.Buffer
	if code := app.AuditReport(context.Background(), from, to, format, "", &out, &errOut); code != 0 {
		return nil, fmt.Sprintf("exit %d: %s", code, errOut.String())
	}
	return out.Bytes(), errOut.String()
}

func rowOf(r audit.Report, id string) *audit.ItemRow {
	for i := range r.Items {
		if r.Items[i].ItemID == id {
			return &r.Items[i]
		}
	}
	return nil
}

// independentCounts judges every published item from raw ledger facts:
// on time when the site published it within limitHours of its upstream
// time (of its first sighting for an item that went through review).
func independentCounts(entries []ledger.Entry) (onTime, late int) {
	upstream, seen, published := map[string]time.Time{}, map[string]time.Time{}, map[string]time.Time{}
	class := map[string]syndicator.Class{}
	for _, e := range entries {
		f := e.Fact
		switch f.Kind {
		case syndicator.KindDiscovered:
			upstream[f.ID], seen[f.ID] = f.PublishedAt, f.EventAt
		case syndicator.KindDecided:
			if f.Step == syndicator.StepRules {
				class[f.ID] = f.Class
			}
		case syndicator.KindPublished:
			if f.Sink == "site" && published[f.ID].IsZero() {
				published[f.ID] = f.EventAt
			}
		}
	}
	limit := time.Duration(limitHours * float64(time.Hour))
	for id, pub := range published {
		start := upstream[id]
		if class[id] == syndicator.ClassReview {
			start = seen[id]
		}
		if pub.Sub(start) <= limit {
			onTime++
		} else {
			late++
		}
	}
	return onTime, late
}

// checkHTMLReport parses the HTML report and compares every chart's bars
// with the data embedded beside them.
func checkHTMLReport(t *testing.T, clk *testClock, cfgPath string, rep audit.Report, from string) {
	t.Helper()
	out, errOut := reportCmd(t, clk, cfgPath, "html", from)
	if out == nil {
		t.Fatalf("html report: %s", errOut)
	}
	doc, err := html.Parse(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	var charts []string
	bars := 0
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				if n.Data == "script" && a.Key == "id" && strings.HasPrefix(a.Val, "chart-") && n.FirstChild != nil {
					charts = append(charts, n.FirstChild.Data)
				}
				if n.Data == "rect" && a.Key == "class" && strings.Contains(a.Val, "bar") {
					bars++
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if len(charts) < 2 || bars == 0 {
		t.Fatalf("html report: %d charts, %d bars", len(charts), bars)
	}
	for _, c := range charts {
		if !json.Valid([]byte(c)) {
			t.Errorf("chart data is not JSON: %.80s", c)
		}
	}
	page := string(out)
	for _, r := range rep.Items {
		if r.Status == audit.StatusLate && (!strings.Contains(page, html.EscapeString(r.Title)) || !strings.Contains(page, r.Where)) {
			t.Errorf("html report lacks late item %s (%s)", r.Title, r.Where)
		}
	}
	if !strings.Contains(page, "逾期条目") {
		t.Error("html report has no late-items section")
	}
}
