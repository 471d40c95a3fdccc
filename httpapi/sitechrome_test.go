package httpapi

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/gyeco/syndicator/sinks/blob"
	"github.com/gyeco/syndicator/syndicator/audit/report"
	"github.com/gyeco/syndicator/syndicator/readmodel/readmodeltest"
)

// TestServeStyledNotFound: an unknown path is answered 404 with the site's
// own 404.html when the site sink has written it, else the inline page.
func TestServeStyledNotFound(t *testing.T) {
	dir := t.TempDir()
	s := &Server{site: blob.NewFS(dir), log: zerolog.Nop()}
	resp, body := call(t, s.Handler(), "GET", "/zcwj/nope.html", "")
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "页面不存在") {
		t.Errorf("without 404.html: %d %q", resp.StatusCode, body)
	}
	styled := "<!DOCTYPE html><title>页面不存在_委员会</title><link rel=\"stylesheet\" href=\"/style.css\"><p class=\"site-record\">网站标识码：5201000047</p>"
	if err := os.WriteFile(filepath.Join(dir, "404.html"), []byte(styled), 0o644); err != nil {
		t.Fatal(err)
	}
	resp, body = call(t, s.Handler(), "GET", "/zcwj/nope.html", "")
	if resp.StatusCode != http.StatusNotFound || body != styled {
		t.Errorf("with 404.html: %d %q, want 404 with the styled page", resp.StatusCode, body)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); csp != contentSecurityPolicy {
		t.Errorf("404 CSP = %q, want the site's", csp)
	}
}

// TestReportCSPAllowsOnlyItsStyle: the HTML report may apply its one
// inline style sheet (by hash) and nothing else; JSON keeps the API's CSP.
func TestReportCSPAllowsOnlyItsStyle(t *testing.T) {
	cfg := parseConfig(t, `http:
  tokens:
    - {name: 审计, role: auditor, token: `+auditorToken+`}
site:
  columns:
    - {id: zcwj, name: 政策文件}
    - {id: sthj, name: 生态环境}
`)
	index, ends := readmodeltest.Ledger(t, readmodeltest.Lines(t, "../syndicator/audit/testdata/period.jsonl"))
	names := report.Names{Columns: map[string]string{"zcwj": "政策文件", "sthj": "生态环境"}}
	s := &Server{site: blob.NewFS(t.TempDir()), tokens: tokensOf(cfg), started: cfg, names: names, index: index, streams: ends, log: zerolog.Nop(), reports: testReports(t)}
	resp, body := call(t, s.Handler(), "GET", "/api/v1/audit/report?from=2026-06-01&to=2026-09-30&format=html", auditorToken)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("report: %d %.300s", resp.StatusCode, body)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.HasPrefix(csp, apiSecurityPolicy) || !strings.Contains(csp, "style-src "+report.StyleSource) ||
		!strings.Contains(csp, "script-src 'none'") || strings.Contains(csp, "unsafe") {
		t.Errorf("HTML report CSP = %q", csp)
	}
	// Column names, not ids, where a person reads them.
	if !strings.Contains(body, "<td>政策文件</td>") || strings.Contains(body, "<td>zcwj</td>") {
		t.Errorf("report shows column ids, not names")
	}
	resp, _ = call(t, s.Handler(), "GET", "/api/v1/audit/report?from=2026-06-01&to=2026-09-30&format=json", auditorToken)
	if csp := resp.Header.Get("Content-Security-Policy"); csp != apiSecurityPolicy {
		t.Errorf("JSON report CSP = %q, want %q", csp, apiSecurityPolicy)
	}
}
