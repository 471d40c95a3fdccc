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
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/rs/zerolog"
	"golang.org/x/sync/errgroup"
)

// TestAuditLedgerExportTamperVerify records a few events with the archive
// role's ledger, exports the ledger, and checks that `audit verify` passes
// the untouched export and the live ledger, and names the entry in a
// tampered export.
func TestAuditLedgerExportTamperVerify(t *testing.T) {
	t.Parallel() // own NATS and data dir: shares nothing
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

	stop := runComponents(t, app.ledgerComponents(bus, blob.NewFS(cfg.Archive.Dir), nil))
	waitLedgerHead(t, bus, n)
	stop()
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

	verifyWith := func(lines []string, anchors bool) (int, string) {
		t.Helper()
		path := filepath.Join(t.TempDir(), "ledger.jsonl")
		if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		var out, errOut bytes.Buffer
		code := app.AuditVerify(ctx, path, anchors, &out, &errOut)
		return code, out.String() + errOut.String()
	}
	verify := func(lines []string) (int, string) { return verifyWith(lines, false) }
	if code, out := verify(good); code != 0 || !strings.Contains(out, fmt.Sprintf("账本校验通过：%d 条", n)) || !strings.Contains(out, "--anchors") {
		t.Fatalf("untouched export: exit %d\n%s", code, out)
	}
	if code, out := verifyWith(good, true); code != 0 || !strings.Contains(out, "已核对存档锚点") || strings.Contains(out, "锚点 0 个") {
		t.Fatalf("untouched export against the anchors: exit %d\n%s", code, out)
	}

	// A forger who edits entry 3 and recomputes every later hash and the
	// trailer gets past the file check; the archive's anchor stops him.
	forged := rechain(t, good[:n], 2, func(e *ledger.Entry) { e.Fact.Title = "伪造的标题" })
	if code, out := verify(forged); code != 0 {
		t.Fatalf("a consistently rehashed export should pass the file-only check (that is why --anchors exists): exit %d\n%s", code, out)
	}
	if code, out := verifyWith(forged, true); code != 1 || !strings.Contains(out, "与存档锚点不符") {
		t.Errorf("rehashed forgery against the anchors: exit %d\n%s", code, out)
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
	if code := app.AuditVerify(ctx, "", false, &live, &errOut); code != 0 || !strings.Contains(live.String(), fmt.Sprintf("账本校验通过：%d 条", n)) || strings.Contains(live.String(), "存档锚点 0 个") {
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

	// The ledger grows and its new head is anchored: the earlier export
	// still verifies against the anchors and says one is beyond it.
	if _, err := bus.Publish(ctx, &syndicator.Event{Kind: syndicator.KindDiscovered, ID: fmt.Sprintf("%032x", n), Revision: 1, Source: "govcn", At: time.Now(),
		Item: &syndicator.Item{ID: fmt.Sprintf("%032x", n), Source: "govcn", Title: "后来的通知"}}); err != nil {
		t.Fatal(err)
	}
	stop = runComponents(t, app.ledgerComponents(bus, blob.NewFS(cfg.Archive.Dir), nil))
	waitLedgerHead(t, bus, n+1)
	stop()
	if _, _, err := ledger.NewAnchorer(bus, blob.NewFS(cfg.Archive.Dir), bus, 0, zerolog.Nop()).AnchorNow(ctx); err != nil {
		t.Fatal(err)
	}
	if code, out := verifyWith(good, true); code != 0 || !strings.Contains(out, "另有 1 个锚点晚于本导出") {
		t.Errorf("earlier export against a later anchor: exit %d\n%s", code, out)
	}
	// The same export with its last entry cut and a fresh trailer claiming
	// the original export time: the anchor of seq 6 proves the cut.
	cut := rechain(t, good[:n-1], n-1, nil)
	if code, out := verifyWith(withExportedAt(t, cut, good[n]), true); code != 1 || !strings.Contains(out, "短于存档锚点") {
		t.Errorf("tail cut from an export, trailer rewritten: exit %d\n%s", code, out)
	}
}

// rechain decodes exported entry lines, applies edit to entry from (nil:
// none), reseals every entry from there on and writes a fresh export
// whose trailer agrees: what a careful forger would produce.
func rechain(t *testing.T, lines []string, from int, edit func(*ledger.Entry)) []string {
	t.Helper()
	entries := make([]*ledger.Entry, len(lines))
	for i, l := range lines {
		entries[i] = &ledger.Entry{}
		if err := json.Unmarshal([]byte(l), entries[i]); err != nil {
			t.Fatal(err)
		}
	}
	for i := from; i < len(entries); i++ {
		if i == from && edit != nil {
			edit(entries[i])
		}
		var prev *ledger.Entry
		if i > 0 {
			prev = entries[i-1]
		}
		if err := ledger.Seal(prev, entries[i]); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	x := ledger.NewWriter(&buf, time.Now())
	for _, e := range entries {
		if err := x.Write(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
}

// withExportedAt gives lines' trailer the exported_at of trailer from.
func withExportedAt(t *testing.T, lines []string, from string) []string {
	t.Helper()
	var src, dst ledger.Trailer
	if err := json.Unmarshal([]byte(from), &src); err != nil {
		t.Fatal(err)
	}
	last := len(lines) - 1
	if err := json.Unmarshal([]byte(lines[last]), &dst); err != nil {
		t.Fatal(err)
	}
	dst.ExportedAt = src.ExportedAt
	b, err := json.Marshal(&dst)
	if err != nil {
		t.Fatal(err)
	}
	out := append([]string(nil), lines...)
	out[last] = string(b)
	return out
}

// waitLedgerHead waits until the ledger's last entry has seq.
func waitLedgerHead(t *testing.T, bus *natsbus.Bus, seq uint64) {
	t.Helper()
	waitFor(t, 30*time.Second, fmt.Sprintf("ledger head seq %d", seq), func() (bool, string) {
		data, _, err := bus.LastEntry(context.Background())
		var e ledger.Entry
		if data != nil {
			_ = json.Unmarshal(data, &e)
		}
		return err == nil && e.Seq == seq, fmt.Sprintf("head seq %d, err %v", e.Seq, err)
	})
}

func replaceLine(lines []string, i int, s string) []string {
	out := append([]string(nil), lines...)
	out[i] = s
	return out
}

// runComponents runs cs until stop is called; a component that returns
// anything but the end of its context fails the test.
func runComponents(t *testing.T, cs []component) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	g, gctx := errgroup.WithContext(ctx)
	for _, c := range cs {
		g.Go(func() error {
			if err := c.run(gctx); err != nil && ctx.Err() == nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			return nil
		})
	}
	return func() {
		cancel()
		if err := g.Wait(); err != nil {
			t.Error(err)
		}
	}
}
