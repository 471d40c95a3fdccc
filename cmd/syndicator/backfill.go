package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gyeco/syndicator/crawler"
	"github.com/gyeco/syndicator/crawler/extract"
	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// Backfill is `syndicator backfill ID --pages N`.
func (a *App) Backfill(ctx context.Context, id string, pages int, stderr io.Writer) int {
	src, ok := a.source(id)
	if !ok {
		fmt.Fprintf(stderr, "未知来源 %q。已配置的来源：%s\n", id, strings.Join(a.sourceIDs(), ", "))
		return 2
	}
	bar := newProgressBar(stderr, "回填 "+id, isTerminal(stderr))
	// On a terminal every log line of the backfill goes above the bar.
	defer func(log zerolog.Logger) { a.Log = log }(a.Log)
	a.Log = bar.logger(a.Log)
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
	fmt.Fprintf(stderr, "回填 %s：读取列表（最多 %d 页），按每主机每秒 %.1f 次请求的速度抓取…\n", id, pages, a.Config.Crawler.PerHostRPS)
	p, err := c.Backfill(ctx, pages, bar.update)
	bar.finish(p, err == nil)
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

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isatty.IsTerminal(f.Fd())
}

// progressBar shows the progress of long work. On a terminal it is a bar
// drawn by mpb, and log lines written through logger are printed above it,
// so neither overwrites the other. Elsewhere (a file, a pipe, journald)
// it writes a plain line every 10% or 10 s, and at the end.
type progressBar struct {
	w     io.Writer
	label string
	tty   bool

	// plain lines
	lastLine time.Time
	lastPct  int

	// terminal: the container and its bar are made at the first update,
	// when the total is known; until then logs go straight to w.
	opts      []mpb.ContainerOption
	container *mpb.Progress
	bar       *mpb.Bar
	logs      *switchWriter

	mu   sync.Mutex
	last crawler.BackfillProgress // read by the bar's decorators
}

// newProgressBar shows progress on w; tty chooses the bar (for a
// terminal) or plain lines.
func newProgressBar(w io.Writer, label string, tty bool, opts ...mpb.ContainerOption) *progressBar {
	return &progressBar{w: w, label: label, tty: tty, lastPct: -1, logs: &switchWriter{to: w},
		opts: append([]mpb.ContainerOption{mpb.WithOutput(w)}, opts...)}
}

// logger is log writing where the progress does not get in the way: on
// a terminal, above the bar while it is shown (and in the console format
// newLogger gives a terminal); elsewhere log itself.
func (b *progressBar) logger(log zerolog.Logger) zerolog.Logger {
	if !b.tty {
		return log
	}
	return log.Output(zerolog.ConsoleWriter{Out: b.logs, TimeFormat: "15:04:05"})
}

func (b *progressBar) update(p crawler.BackfillProgress) {
	pct := percent(p)
	if !b.tty {
		if pct/10 != b.lastPct/10 || time.Since(b.lastLine) > 10*time.Second || p.Done == p.Total {
			fmt.Fprintln(b.w, b.line(p, pct))
			b.lastPct, b.lastLine = pct, time.Now()
		}
		return
	}
	b.mu.Lock()
	b.last = p
	b.mu.Unlock()
	if b.bar == nil {
		b.container = mpb.New(b.opts...)
		b.bar = b.container.New(int64(p.Total),
			mpb.BarStyle().Lbound("[").Filler("█").Tip("█").Padding("░").Rbound("]"),
			mpb.BarWidth(24),
			mpb.PrependDecorators(decor.Name(b.label+" ")),
			mpb.AppendDecorators(decor.Any(func(decor.Statistics) string {
				b.mu.Lock()
				defer b.mu.Unlock()
				return " " + stats(b.last, percent(b.last))
			})),
		)
		b.logs.set(b.container)
	}
	b.bar.SetTotal(int64(p.Total), false)
	b.bar.SetCurrent(int64(p.Done))
}

func percent(p crawler.BackfillProgress) int {
	if p.Total <= 0 {
		return 0
	}
	return p.Done * 100 / p.Total
}

// line is one plain progress line.
func (b *progressBar) line(p crawler.BackfillProgress, pct int) string {
	const width = 24
	filled := pct * width / 100
	return fmt.Sprintf("%s [%s%s] %s", b.label, strings.Repeat("█", filled), strings.Repeat("░", width-filled), stats(p, pct))
}

// stats is what a progress line says besides the bar.
func stats(p crawler.BackfillProgress, pct int) string {
	eta := "—"
	if p.Done > 0 && p.Total > p.Done {
		left := time.Duration(float64(p.Elapsed) / float64(p.Done) * float64(p.Total-p.Done))
		eta = left.Round(time.Second).String()
	}
	return fmt.Sprintf("%d/%d %3d%%  新增 %d  已有 %d  失败 %d  剩余约 %s",
		p.Done, p.Total, pct, p.New, p.Known, p.Failed, eta)
}

// finish completes the bar (or, when the work stopped short, leaves it
// where it stopped), waits until it is drawn, and writes the summary.
func (b *progressBar) finish(p crawler.BackfillProgress, complete bool) {
	if b.bar != nil {
		if complete {
			b.bar.SetTotal(int64(p.Total), true)
		} else {
			b.bar.Abort(false)
		}
		b.container.Wait()
		b.logs.set(b.w)
	}
	fmt.Fprintf(b.w, "完成：共 %d 条，新增 %d，已有 %d，失败 %d，用时 %s\n",
		p.Total, p.New, p.Known, p.Failed, p.Elapsed.Round(time.Millisecond))
}

// switchWriter writes to the progress container while a bar is shown and
// to the plain output otherwise.
type switchWriter struct {
	mu sync.Mutex
	to io.Writer
}

func (s *switchWriter) set(w io.Writer) {
	s.mu.Lock()
	s.to = w
	s.mu.Unlock()
}

func (s *switchWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.to.Write(p)
}
