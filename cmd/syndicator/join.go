package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"time"

	"github.com/gyeco/syndicator/syndicator/natsbus"
)

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
	lock, err := a.lockPastOneOff(ctx, command, create)
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
	bus, err := natsbus.Connect(ctx, url, "syndicator-cli", a.busOptions(), a.Log)
	if err != nil {
		release()
		return nil, nil, err
	}
	return bus, func() {
		bus.Close()
		release()
	}, nil
}

// emptyLedgerNote is what a read-only command says of a store that exists
// but holds no ledger entry: reading nothing must never look like a
// ledger that was read and found in order.
const emptyLedgerNote = "账本为空：存储存在但没有任何账本条目（尚未归档任何条目？）"

// ledgerPlace names the store a read-only command reads, for its output:
// the embedded store's directory, or the external NATS (never its URL,
// which may carry credentials).
func (a *App) ledgerPlace() string {
	if a.Config.NATS.URL.IsSet() {
		return "外部 NATS（nats.url）"
	}
	return "NATS 存储 " + absPath(a.Config.NATS.StoreDir)
}

// absPath is path made absolute for a message, or as it is when the
// current directory cannot be read.
func absPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

// noStore is the error of a read-only command without a store to read.
// The directory is named absolute: a relative data_dir in a configuration
// file is relative to the file, in the built-in one to the current
// directory.
func (a *App) noStore() error {
	where := "相对路径以配置文件所在目录为准"
	if a.Config.File == "" {
		where = "内置默认配置的相对路径以当前目录为准"
	}
	return fmt.Errorf("没有 NATS 存储可读：%s 下没有 JetStream 数据（尚未运行过 syndicator run？请检查 data_dir 与 nats.store_dir，%s；或用 nats.url 指向外部 NATS）",
		absPath(a.Config.NATS.StoreDir), where)
}

// holderURL is the NATS URL of the process holding data_dir, waiting a
// little for one that is still starting its server.
func (a *App) holderURL(ctx context.Context, held *lockedError) (string, error) {
	const wait = 15 * time.Second
	lockPath := filepath.Join(held.dir, lockFileName)
	deadline := time.Now().Add(wait)
	url := ""
	for {
		info := readLockInfo(lockPath)
		url = info.NATSURL
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

// sleepCtx waits d, or less when ctx ends first (then it returns false).
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
