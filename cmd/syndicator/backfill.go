package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gyeco/syndicator/crawler"
	"github.com/gyeco/syndicator/crawler/extract"
	"github.com/gyeco/syndicator/syndicator/natsbus"
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

// connect reaches the bus for a command that only reads (audit report,
// export, verify). With nats.url empty it joins the process that holds
// data_dir (a running `syndicator run`, or another one-off command) through
// the NATS URL in its lock file; when none does, it takes the lock itself
// for its duration and opens the store with its own embedded server — but
// never creates one: with no store there is nothing to read.
func (a *App) connect(ctx context.Context) (*natsbus.Bus, func(), error) {
	return a.connectAs(ctx, "audit", false)
}

// connectQueue is connect for backfill, which writes: without a running
// `run` it creates the store if needed and queues its items there for the
// next `run`.
func (a *App) connectQueue(ctx context.Context) (*natsbus.Bus, func(), error) {
	return a.connectAs(ctx, "backfill", true)
}

func (a *App) connectAs(ctx context.Context, command string, create bool) (*natsbus.Bus, func(), error) {
	if url := a.Config.NATS.URL.Value(); url != "" {
		return a.dialCLI(ctx, url, func() {})
	}
	if !create && !storeExists(a.Config.NATS.StoreDir) {
		// Nothing to read, and nothing is created to find that out.
		return nil, nil, a.noStore()
	}
	lock, err := a.lockData(command, create)
	var held *lockedError
	if errors.As(err, &held) {
		url, err := a.holderURL(ctx, held)
		if err != nil {
			return nil, nil, err
		}
		a.Log.Debug().Str("url", url).Int("pid", held.holder.PID).Msg("joining the NATS server of the process holding data_dir")
		return a.dialCLI(ctx, url, func() {})
	}
	if err != nil {
		return nil, nil, err
	}
	if !create && !storeExists(a.Config.NATS.StoreDir) {
		lock.release()
		return nil, nil, a.noStore()
	}
	emb, err := a.openStore(lock)
	if err != nil {
		lock.release()
		return nil, nil, err
	}
	return a.dialCLI(ctx, emb.ClientURL(), func() {
		emb.Shutdown()
		lock.release()
	})
}

// dialCLI connects a one-off command; release runs after the connection
// is closed, or at once when it cannot be made.
func (a *App) dialCLI(ctx context.Context, url string, release func()) (*natsbus.Bus, func(), error) {
	bus, err := natsbus.Connect(ctx, url, "syndicator-cli", natsbus.Options{}, a.Log)
	if err != nil {
		release()
		return nil, nil, err
	}
	return bus, func() {
		bus.Close()
		release()
	}, nil
}

// noStore is the error of a read-only command without a store to read.
func (a *App) noStore() error {
	return fmt.Errorf("没有 NATS 存储可读：%s 下没有 JetStream 数据（尚未运行过 syndicator run？请检查 data_dir 与 nats.store_dir，或用 nats.url 指向外部 NATS）",
		a.Config.NATS.StoreDir)
}

// holderURL is the NATS URL of the process holding data_dir, waiting a
// little for one that is still starting its server.
func (a *App) holderURL(ctx context.Context, held *lockedError) (string, error) {
	const wait = 15 * time.Second
	lockPath := filepath.Join(a.dataDirs()[0], lockFileName)
	deadline := time.Now().Add(wait)
	url := ""
	for {
		info := readLockInfo(lockPath)
		url = info.NATSURL
		if url == "" {
			if b, err := os.ReadFile(embeddedURLFile(a.Config.NATS.StoreDir)); err == nil {
				url = strings.TrimSpace(string(b))
			}
		}
		if url != "" && dialable(url) {
			return url, nil
		}
		if time.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	if url == "" {
		url = "未记录"
	}
	return "", fmt.Errorf("%w；该进程的 NATS（%s）在 %s 内无法连接，请稍后再试", held, url, wait)
}

// dialable reports whether a NATS URL's address accepts connections.
func dialable(natsURL string) bool {
	c, err := net.DialTimeout("tcp", strings.TrimPrefix(natsURL, "nats://"), 200*time.Millisecond)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// embeddedURLFile is where `run` records its embedded server's URL.
func embeddedURLFile(storeDir string) string { return filepath.Join(storeDir, "client-url") }

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
