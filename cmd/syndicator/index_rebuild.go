package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/readmodel"
)

// IndexRebuild is `syndicator index rebuild`: serve's read model built
// anew from the streams into a new file, which then replaces the old one.
// It shows its progress per stream; a serve process already running keeps
// the file it opened until it is restarted.
func (a *App) IndexRebuild(ctx context.Context, stderr io.Writer) int {
	bus, closeBus, err := a.connect(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "index rebuild: 无法连接 NATS：", err)
		return 1
	}
	defer closeBus()
	target := map[string]uint64{}
	for _, s := range []string{natsbus.StreamEvents, natsbus.StreamAudit, natsbus.StreamDead} {
		if target[s], err = bus.LastSeq(ctx, s); err != nil {
			fmt.Fprintln(stderr, "index rebuild:", err)
			return 1
		}
	}
	path := a.readModelPath()
	tmp := path + ".rebuild"
	if err := readmodel.Remove(tmp); err != nil {
		fmt.Fprintln(stderr, "index rebuild:", err)
		return 1
	}
	st, err := readmodel.Open(ctx, tmp)
	if err != nil {
		fmt.Fprintln(stderr, "index rebuild:", err)
		return 1
	}
	start := time.Now()
	fmt.Fprintf(stderr, "正在重建条目索引 %s：事件 %d 条，账本 %d 条，死信 %d 条\n", path, target[natsbus.StreamEvents], target[natsbus.StreamAudit], target[natsbus.StreamDead])
	var mu sync.Mutex
	var shown time.Time
	p := readmodel.NewProjector(st, bus, a.Log)
	p.OnProgress(func(stream string, seq, _ uint64) {
		mu.Lock()
		defer mu.Unlock()
		if time.Since(shown) < time.Second || target[stream] == 0 {
			return
		}
		shown = time.Now()
		fmt.Fprintf(stderr, "  %s %d/%d（%d%%）\n", stream, min(seq, target[stream]), target[stream], min(seq, target[stream])*100/target[stream])
	})
	pctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.Run(pctx) }()
	err = waitCaughtUp(ctx, st, target, done)
	cancel()
	if rerr := <-done; err == nil {
		err = rerr
	}
	st.Close()
	if err != nil {
		readmodel.Remove(tmp)
		fmt.Fprintln(stderr, "index rebuild:", err)
		return 1
	}
	if err = readmodel.Remove(path); err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		fmt.Fprintln(stderr, "index rebuild:", err)
		return 1
	}
	took := time.Since(start)
	fmt.Fprintf(stderr, "已重建：事件 %d 条，用时 %s（每秒 %.0f 条）。正在运行的 serve 进程重启后使用新索引。\n",
		target[natsbus.StreamEvents], took.Round(time.Millisecond), float64(target[natsbus.StreamEvents])/max(took.Seconds(), 0.001))
	return 0
}

// waitCaughtUp waits until st has applied every stream up to target, the
// projector stops (its error), or ctx ends.
func waitCaughtUp(ctx context.Context, st *readmodel.Store, target map[string]uint64, done <-chan error) error {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		pos, err := st.Positions(ctx)
		if err != nil {
			return err
		}
		caught := true
		for s, seq := range target {
			caught = caught && pos[s] >= seq
		}
		if caught {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("中断：%w", ctx.Err())
		case err := <-done:
			if err == nil {
				err = fmt.Errorf("projector stopped early")
			}
			return err
		case <-tick.C:
		}
	}
}
