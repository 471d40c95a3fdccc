package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/crawler"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/rs/zerolog"
	"github.com/vbauerster/mpb/v8"
)

// TestBackfillThousandItems imports 1,000 historical releases: progress is
// shown, every release is announced once and marked as backfilled, and a
// second backfill adds nothing.
func TestBackfillThousandItems(t *testing.T) {
	t.Parallel() // own stores, ports and data dirs
	natsURL := natstest.Embedded(t)
	p := newPipeline(t, sim.Options{Seed: 19, Items: 1000, LargeEvery: -1}, natsURL, 0, "fs")
	p.yaml = strings.Replace(p.yaml, "per_host_rps: 200", "per_host_rps: 100000", 1)
	cfgPath := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(cfgPath, []byte(p.yaml), 0o644)

	var out, errOut bytes.Buffer
	start := time.Now()
	if code := run([]string{"backfill", "govcn-zuixin", "--config", cfgPath, "--log-level", "error"}, &out, &errOut); code != 0 {
		t.Fatalf("backfill exit %d\n%s", code, errOut.String())
	}
	t.Logf("backfill of 1000 items took %s", time.Since(start).Round(time.Millisecond))
	progress := errOut.String()
	for _, want := range []string{"100/1000", "500/1000", "1000/1000 100%", "新增 1000"} {
		if !strings.Contains(progress, want) {
			t.Errorf("progress output lacks %q:\n%s", want, tail([]byte(progress), 1500))
		}
	}

	bus := connectBus(t, natsURL)
	ids := map[string]int{}
	notBackfilled := 0
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := bus.ReadAll(ctx, natsbus.StreamEvents, "synd.item.discovered.govcn-zuixin", func(_ string, data []byte) error {
		var ev syndicator.Event
		if err := json.Unmarshal(data, &ev); err != nil {
			return err
		}
		it, err := bus.Item(ctx, &ev)
		if err != nil {
			return err
		}
		ids[ev.ID]++
		if !it.Backfilled {
			notBackfilled++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, r := range p.sim.Releases() {
		if r.Site == sim.GovCN {
			want++
			id, _ := p.itemIDOf(t, r)
			if ids[id] != 1 {
				t.Errorf("%s announced %d times, want 1", r.Path, ids[id])
			}
		}
	}
	if want != 1000 || len(ids) != want || notBackfilled != 0 {
		t.Errorf("govsim has %d gov.cn releases; %d announced, %d not marked backfilled", want, len(ids), notBackfilled)
	}

	errOut.Reset()
	if code := run([]string{"backfill", "govcn-zuixin", "--config", cfgPath, "--log-level", "error"}, &out, &errOut); code != 0 {
		t.Fatalf("second backfill exit %d\n%s", code, errOut.String())
	}
	if !strings.Contains(errOut.String(), "新增 0，已有 1000") {
		t.Errorf("second backfill should add nothing:\n%s", tail(errOut.Bytes(), 600))
	}
}

// lockedBuffer is a bytes.Buffer written from several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var ansiEscape = regexp.MustCompile(`\x1b\[[0-9;]*[A-Za-z]`)

// TestBackfillBarKeepsLogLinesWhole: on a terminal the bar was redrawn
// with \r, and a log line written meanwhile landed on the bar's line
// ("… 剩余约 3s12:00:01 WRN backfill: item not read"), each overwriting the
// other. The bar is now drawn by mpb and log lines go above it: every log
// line comes out whole, on a line of its own, and the bar ends complete.
func TestBackfillBarKeepsLogLinesWhole(t *testing.T) {
	var out lockedBuffer
	bar := newProgressBar(&out, "回填 t", true, mpb.ForceTTY(), mpb.WithAutoRefresh(), mpb.WithRefreshRate(time.Millisecond), mpb.WithWidth(120))
	log := bar.logger(zerolog.New(io.Discard).Level(zerolog.InfoLevel))
	log.Info().Msg("日志行 开始") // before the bar: straight out
	const total = 200
	var p crawler.BackfillProgress
	for i := 1; i <= total; i++ {
		p = crawler.BackfillProgress{Done: i, Total: total, New: i, Elapsed: time.Duration(i) * 10 * time.Millisecond}
		bar.update(p)
		if i%20 == 0 {
			log.Warn().Int("n", i).Msg("日志行 backfill: item not read")
		}
		if i%50 == 0 {
			time.Sleep(5 * time.Millisecond) // let the bar be drawn meanwhile
		}
	}
	bar.finish(p, true)
	log.Info().Msg("日志行 结束") // after the bar: straight out again

	raw := out.String()
	if !strings.Contains(raw, "A\x1b[J") {
		t.Errorf("the bar is not redrawn in place (no cursor-up and erase):\n%q", tail([]byte(raw), 600))
	}
	var logLines []string
	lastBar := ""
	for _, l := range strings.Split(ansiEscape.ReplaceAllString(raw, ""), "\n") {
		isBar := strings.Contains(l, "回填 t") || strings.Contains(l, "/200")
		if strings.Contains(l, "日志行") {
			if isBar || strings.Contains(l, "\r") {
				t.Errorf("a log line shares its line with the bar: %q", l)
			}
			logLines = append(logLines, l)
		} else if isBar {
			lastBar = l
		}
	}
	if len(logLines) != total/20+2 {
		t.Errorf("%d log lines, want %d:\n%s", len(logLines), total/20+2, strings.Join(logLines, "\n"))
	}
	for _, want := range []string{"200/200 100%", "新增 200", "█"} {
		if !strings.Contains(lastBar, want) {
			t.Errorf("last bar %q lacks %q", lastBar, want)
		}
	}
	if !strings.Contains(raw, "完成：共 200 条，新增 200") || !strings.HasSuffix(strings.TrimSpace(ansiEscape.ReplaceAllString(raw, "")), "日志行 结束") {
		t.Errorf("summary or last log line missing:\n%s", tail([]byte(raw), 600))
	}
}

// TestBackfillPlainProgressLines: not on a terminal there is no bar: a
// plain line every 10% (and at the end), each on its own line between log
// lines, which are written as the logger writes them.
func TestBackfillPlainProgressLines(t *testing.T) {
	var out lockedBuffer
	bar := newProgressBar(&out, "回填 t", false)
	log := bar.logger(zerolog.New(&out))
	const total = 100
	var p crawler.BackfillProgress
	for i := 1; i <= total; i++ {
		p = crawler.BackfillProgress{Done: i, Total: total, Known: i}
		bar.update(p)
		if i%25 == 0 {
			log.Warn().Msg("item not read")
		}
	}
	bar.finish(p, true)
	var progress, logs int
	for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		switch {
		case strings.HasPrefix(l, "回填 t [") && !strings.Contains(l, "\r") && !strings.Contains(l, "\x1b"):
			progress++
		case l == `{"level":"warn","message":"item not read"}`:
			logs++
		case strings.HasPrefix(l, "完成：共 100 条"):
		default:
			t.Errorf("unexpected line %q", l)
		}
	}
	if progress != 11 || logs != 4 { // 1%, then 10%, 20%, … 100%
		t.Errorf("%d progress lines, %d log lines; want 11 and 4:\n%s", progress, logs, out.String())
	}
}
