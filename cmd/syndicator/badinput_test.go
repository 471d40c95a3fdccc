package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

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
