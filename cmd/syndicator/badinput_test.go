package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/audit"
	"github.com/gyeco/syndicator/syndicator/audit/report"
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
		if _, _, err := parsePeriod(tt.from, tt.to, now); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parsePeriod(%q, %q): err = %v, want %q", tt.from, tt.to, err, tt.want)
		}
	}
	from, to, err := parsePeriod("2000-01-01", "2100-12-31", now)
	if err != nil || from.Year() != 2000 || !to.Equal(time.Date(2101, 1, 1, 0, 0, 0, 0, syndicator.Shanghai)) {
		t.Errorf("the widest period: %s – %s, %v", from, to, err)
	}
}

// TestAuditReportBadPeriodExits2: the command exits 2 with the reason,
// before it looks for NATS.
func TestAuditReportBadPeriodExits2(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "c.yml")
	if err := os.WriteFile(cfg, []byte("data_dir: "+filepath.Dir(cfg)+"/data\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := run([]string{"audit", "report", "--config", cfg, "--to", "9999-12-31", "--format", "json"}, &out, &errOut)
	if code != 2 || !strings.Contains(errOut.String(), "2100-12-31") || out.Len() != 0 {
		t.Errorf("exit %d, stdout %q, stderr %q; want 2 and the allowed days", code, out.String(), errOut.String())
	}
}

// TestAPIAuditReportBadPeriod: GET /api/v1/audit/report?to=9999-12-31
// dropped the connection with a stack trace; it is a 400 naming the
// allowed days, and the widest allowed period renders in every format.
func TestAPIAuditReportBadPeriod(t *testing.T) {
	cfg, err := config.Load("")
	if err != nil {
		t.Fatal(err)
	}
	index, ends := indexOf(t, nil)
	s := &Server{index: index, streams: ends, app: &App{Config: cfg}, reports: testReports(t)}
	get := func(query string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		s.apiAuditReport(rec, httptest.NewRequest(http.MethodGet, "/api/v1/audit/report?"+query, nil))
		return rec
	}
	rec := get("to=9999-12-31")
	var body struct{ Error string }
	if err := json.Unmarshal(rec.Body.Bytes(), &body); rec.Code != http.StatusBadRequest || err != nil || !strings.Contains(body.Error, "2100-12-31") {
		t.Errorf("to=9999-12-31: %d %s", rec.Code, rec.Body)
	}
	for _, format := range []string{"json", "csv", "html"} {
		if rec := get("from=2000-01-01&to=2100-12-31&format=" + format); rec.Code != http.StatusOK || rec.Body.Len() == 0 {
			t.Errorf("%s over 2000..2100: %d %s", format, rec.Code, rec.Body)
		}
	}
}

// testReports is the HTML audit report renderer of a test's Server.
func testReports(t testing.TB) *report.Renderer {
	t.Helper()
	r, err := report.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestRenderReportReturnsErrors: a report JSON cannot hold is an error
// of renderReport, not a panic.
func TestRenderReportReturnsErrors(t *testing.T) {
	r := audit.Report{To: time.Date(10000, 1, 1, 0, 0, 0, 0, syndicator.Shanghai)}
	if data, _, err := renderReport(nil, r, "json", report.Names{}); err == nil || data != nil || !strings.Contains(err.Error(), "生成报告失败") {
		t.Errorf("year 10000 as JSON: %d bytes, err %v", len(data), err)
	}
	if _, _, err := renderReport(nil, audit.Report{}, "pdf", report.Names{}); err == nil || !strings.Contains(err.Error(), "html、csv、json") {
		t.Errorf("format pdf: err %v", err)
	}
}

// TestFlagValuesThatMeanNothing: --log-level bogus fell back to info,
// --limit -1 panicked in the dry run, --pages -5 read one page; each is
// a usage error (exit 2) saying what is allowed, before anything runs.
func TestFlagValuesThatMeanNothing(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"config", "check", "--log-level", "bogus"}, `--log-level "bogus"：无效的日志级别，可选 debug、info、warn、error`},
		{[]string{"config", "check", "--log-level", ""}, "可选 debug、info、warn、error"},
		{[]string{"source", "test", "nosuch", "--limit", "-1"}, "--limit -1：详情页数不能为负"},
		{[]string{"backfill", "nosuch", "--pages", "-5"}, "--pages -5：列表页数须为正整数"},
		{[]string{"backfill", "nosuch", "--pages", "0"}, "--pages 0：列表页数须为正整数"},
	} {
		var out, errOut bytes.Buffer
		if code := run(tt.args, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), tt.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tt.args, code, errOut.String(), tt.want)
		}
	}
	for _, args := range [][]string{
		{"source", "test", "x", "--limit", "0"},
		{"backfill", "x", "--pages", "1"},
		{"serve", "--log-level", "WARN"},
		{"crawl", "--log-level", "debug"},
	} {
		var errOut bytes.Buffer
		if _, ok := parse(args, &errOut); !ok {
			t.Errorf("%q refused: %s", args, errOut.String())
		}
	}
}
