package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/gyeco/syndicator/crawler"
	"github.com/gyeco/syndicator/crawler/extract"
	"github.com/mattn/go-isatty"
)

// Backfill is `syndicator backfill ID --pages N`.
func (a *App) Backfill(ctx context.Context, id string, pages int, stderr io.Writer) int {
	src, ok := a.source(id)
	if !ok {
		fmt.Fprintf(stderr, "未知来源 %q。已配置的来源：%s\n", id, strings.Join(a.sourceIDs(), ", "))
		return 2
	}
	bus, stop, err := a.connectQueue(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "无法连接 NATS：", err)
		return 1
	}
	defer stop()
	f, err := a.fetcher()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	c := crawler.New(src, crawler.Deps{
		Fetch: f, Extract: extract.New(nil), Pub: bus, State: bus, Leases: bus,
		Owner: a.instanceID(), Log: a.Log,
	})
	bar := newProgressBar(stderr, "回填 "+id)
	fmt.Fprintf(stderr, "回填 %s：读取列表（最多 %d 页），按每主机每秒 %.1f 次请求的速度抓取…\n", id, pages, a.Config.Crawler.PerHostRPS)
	p, err := c.Backfill(ctx, pages, bar.update)
	bar.finish(p)
	if err != nil {
		fmt.Fprintln(stderr, "回填未完成：", err)
		return 1
	}
	if p.Failed > 0 {
		fmt.Fprintf(stderr, "%d 条读取失败，详见日志；修正后可再次回填（已有条目不会重复）。\n", p.Failed)
		return 1
	}
	return 0
}

// progressBar draws a bar on a terminal and logs a line every 10% or 10s
// elsewhere, so long work always shows progress.
type progressBar struct {
	w        io.Writer
	label    string
	tty      bool
	lastLine time.Time
	lastPct  int
}

func newProgressBar(w io.Writer, label string) *progressBar {
	tty := false
	if f, ok := w.(*os.File); ok {
		tty = isatty.IsTerminal(f.Fd())
	}
	return &progressBar{w: w, label: label, tty: tty, lastPct: -1}
}

func (b *progressBar) update(p crawler.BackfillProgress) {
	pct := 0
	if p.Total > 0 {
		pct = p.Done * 100 / p.Total
	}
	line := b.line(p, pct)
	if b.tty {
		fmt.Fprintf(b.w, "\r%s", line)
		return
	}
	if pct/10 != b.lastPct/10 || time.Since(b.lastLine) > 10*time.Second || p.Done == p.Total {
		fmt.Fprintln(b.w, line)
		b.lastPct, b.lastLine = pct, time.Now()
	}
}

func (b *progressBar) line(p crawler.BackfillProgress, pct int) string {
	const width = 24
	filled := pct * width / 100
	eta := "—"
	if p.Done > 0 && p.Total > p.Done {
		left := time.Duration(float64(p.Elapsed) / float64(p.Done) * float64(p.Total-p.Done))
		eta = left.Round(time.Second).String()
	}
	return fmt.Sprintf("%s [%s%s] %d/%d %3d%%  新增 %d  已有 %d  失败 %d  剩余约 %s",
		b.label, strings.Repeat("█", filled), strings.Repeat("░", width-filled),
		p.Done, p.Total, pct, p.New, p.Known, p.Failed, eta)
}

func (b *progressBar) finish(p crawler.BackfillProgress) {
	if b.tty {
		fmt.Fprintln(b.w)
	}
	fmt.Fprintf(b.w, "完成：共 %d 条，新增 %d，已有 %d，失败 %d，用时 %s\n",
		p.Total, p.New, p.Known, p.Failed, p.Elapsed.Round(time.Millisecond))
}
