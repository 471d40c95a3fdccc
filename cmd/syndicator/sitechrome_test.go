package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/sinks/blob"
	"github.com/gyeco/syndicator/syndicator/audit/report"
)

func getSite(t *testing.T, h http.Handler, target, token string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest("GET", "http://syndicator.test"+target, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Result(), string(body)
}

// TestServeStyledNotFound: an unknown path is answered 404 with the site's
// own 404.html when the site sink has written it, else the inline page.
func TestServeStyledNotFound(t *testing.T) {
	dir := t.TempDir()
	s := &Server{site: blob.NewFS(dir), log: zerolog.Nop()}
	resp, body := getSite(t, s.Handler(), "/zcwj/nope.html", "")
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "页面不存在") {
		t.Errorf("without 404.html: %d %q", resp.StatusCode, body)
	}
	styled := "<!DOCTYPE html><title>页面不存在_委员会</title><link rel=\"stylesheet\" href=\"/style.css\"><p class=\"site-record\">网站标识码：5201000047</p>"
	if err := os.WriteFile(filepath.Join(dir, "404.html"), []byte(styled), 0o644); err != nil {
		t.Fatal(err)
	}
	resp, body = getSite(t, s.Handler(), "/zcwj/nope.html", "")
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
	cfg, err := config.Parse("r.yml", []byte(browserConfig))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("../../syndicator/audit/testdata/period.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var led fileLedger
	for _, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) != "" {
			led.lines = append(led.lines, []byte(line))
		}
	}
	index, ends := indexOf(t, led.lines)
	s := &Server{site: blob.NewFS(t.TempDir()), tokens: tokensOf(cfg), app: &App{Config: cfg, Log: zerolog.Nop()}, index: index, streams: ends, log: zerolog.Nop(), reports: testReports(t)}
	resp, body := getSite(t, s.Handler(), "/api/v1/audit/report?from=2026-06-01&to=2026-09-30&format=html", auditorToken)
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
	resp, _ = getSite(t, s.Handler(), "/api/v1/audit/report?from=2026-06-01&to=2026-09-30&format=json", auditorToken)
	if csp := resp.Header.Get("Content-Security-Policy"); csp != apiSecurityPolicy {
		t.Errorf("JSON report CSP = %q, want %q", csp, apiSecurityPolicy)
	}
}
