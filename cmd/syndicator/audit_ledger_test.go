package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/sinks/blob"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/ledger"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/rs/zerolog"
	"golang.org/x/sync/errgroup"
)

// TestAuditLedgerExportTamperVerify records a few events with the archive
// role's ledger, exports the ledger, and checks that `audit verify` passes
// the untouched export and the live ledger, and names the entry in a
// tampered export.
func TestAuditLedgerExportTamperVerify(t *testing.T) {
	natsURL := natstest.Embedded(t)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "c.yaml")
	yaml := fmt.Sprintf("data_dir: %s\nnats: {url: %q}\narchive: {backend: fs, dir: %s}\n", dir, natsURL, filepath.Join(dir, "archive"))
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	app := &App{Config: cfg, Log: zerolog.Nop()}
	bus := connectBus(t, natsURL)
	ctx := context.Background()
	const n = 6
	for i := range n {
		id := fmt.Sprintf("%032x", i)
		ev := &syndicator.Event{Kind: syndicator.KindDiscovered, ID: id, Revision: 1, Source: "govcn", At: time.Now(),
			Item: &syndicator.Item{ID: id, Source: "govcn", Title: fmt.Sprintf("关于加强生态环境保护的通知（第%d号）", i)}}
		if _, err := bus.Publish(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}

	runCtx, cancel := context.WithCancel(ctx)
	g, gctx := errgroup.WithContext(runCtx)
	app.startLedger(gctx, g, bus, blob.NewFS(cfg.Archive.Dir), nil)
	waitFor(t, 30*time.Second, "ledger entries", func() (bool, string) {
		data, _, err := bus.LastEntry(ctx)
		var e ledger.Entry
		if data != nil {
			_ = json.Unmarshal(data, &e)
		}
		return err == nil && e.Seq == n, fmt.Sprintf("head seq %d, err %v", e.Seq, err)
	})
	cancel()
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	// The anchorer may have run before the last entry: anchor the head now.
	if _, _, err := ledger.NewAnchorer(bus, blob.NewFS(cfg.Archive.Dir), bus, 0, zerolog.Nop()).AnchorNow(ctx); err != nil {
		t.Fatal(err)
	}

	var export, msg bytes.Buffer
	if code := app.AuditExport(ctx, time.Time{}, time.Time{}, &export, &msg); code != 0 {
		t.Fatalf("export exit %d: %s", code, msg.String())
	}
	if !strings.Contains(msg.String(), fmt.Sprintf("已导出 %d 条", n)) {
		t.Errorf("export message %q", msg.String())
	}
	good := strings.Split(strings.TrimSuffix(export.String(), "\n"), "\n")
	if len(good) != n+1 {
		t.Fatalf("export has %d lines, want %d entries and a trailer", len(good), n)
	}

	verify := func(lines []string) (int, string) {
		t.Helper()
		path := filepath.Join(t.TempDir(), "ledger.jsonl")
		if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		var out, errOut bytes.Buffer
		code := app.AuditVerify(ctx, path, &out, &errOut)
		return code, out.String() + errOut.String()
	}
	if code, out := verify(good); code != 0 || !strings.Contains(out, fmt.Sprintf("账本校验通过：%d 条", n)) {
		t.Fatalf("untouched export: exit %d\n%s", code, out)
	}

	tampered := map[string]struct {
		lines []string
		want  string
	}{
		"edited":    {replaceLine(good, 2, strings.Replace(good[2], "第2号", "第9号", 1)), "第 3 行（seq 3）：哈希不符"},
		"deleted":   {append(append([]string(nil), good[:3]...), good[4:]...), "第 4 行（seq 5）：序号不连续"},
		"reordered": {replaceLine(replaceLine(good, 1, good[2]), 2, good[1]), "第 2 行（seq 3）"},
		"truncated": {append([]string(nil), good[:n-1]...), "第 5 行（seq 5）：导出文件不完整"},
		"cut line":  {append(append([]string(nil), good[:4]...), good[4][:len(good[4])/3]), "第 5 行（seq 5）：无法解析"},
	}
	for name, c := range tampered {
		code, out := verify(c.lines)
		if code != 1 || !strings.Contains(out, "账本校验失败："+c.want) {
			t.Errorf("%s: exit %d, output %q; want exit 1 naming %q", name, code, out, c.want)
		}
	}

	var live, errOut bytes.Buffer
	if code := app.AuditVerify(ctx, "", &live, &errOut); code != 0 || !strings.Contains(live.String(), fmt.Sprintf("账本校验通过：%d 条", n)) || strings.Contains(live.String(), "存档锚点 0 个") {
		t.Fatalf("live verify: exit %d\n%s%s", code, live.String(), errOut.String())
	}

	// A partial export (from the third entry's time) verifies as partial.
	var third ledger.Entry
	if err := json.Unmarshal([]byte(good[2]), &third); err != nil {
		t.Fatal(err)
	}
	export.Reset()
	if code := app.AuditExport(ctx, third.At, time.Time{}, &export, &msg); code != 0 {
		t.Fatalf("partial export exit %d", code)
	}
	part := strings.Split(strings.TrimSuffix(export.String(), "\n"), "\n")
	if code, out := verify(part); code != 0 || !strings.Contains(out, "部分导出，seq 3–6") {
		t.Fatalf("partial export: exit %d\n%s", code, out)
	}
}

func replaceLine(lines []string, i int, s string) []string {
	out := append([]string(nil), lines...)
	out[i] = s
	return out
}
