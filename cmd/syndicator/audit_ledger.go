package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/gyeco/syndicator/syndicator/ledger"
	"github.com/gyeco/syndicator/syndicator/natsbus"
)

// errStopExport ends the read of the ledger once past the --to bound.
var errStopExport = errors.New("past the end of the export range")

// AuditExport is `syndicator audit export [--from D --to D]`: the ledger
// as JSON lines on w, one entry a line as stored, then the trailer. With
// from or to set (zero = unbounded) it writes the contiguous run of entries
// from the first recorded at or after from up to the last recorded before
// to (to is exclusive: pass the midnight after the last day), marked
// partial. Messages go to stderr.
func (a *App) AuditExport(ctx context.Context, from, to time.Time, w io.Writer, stderr io.Writer) int {
	bus, stop, err := a.connect(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "无法连接 NATS：", err)
		return 1
	}
	defer stop()
	x := ledger.NewWriter(w, time.Now())
	if !from.IsZero() || !to.IsZero() {
		x.MarkPartial()
	}
	started := from.IsZero()
	read := 0 // entries read, in the range or not
	err = bus.ReadEntries(ctx, func(data []byte) error {
		read++
		var e ledger.Entry
		if err := json.Unmarshal(data, &e); err != nil {
			// Written as stored, so that verify names it.
			return x.WriteRaw(data, &e)
		}
		if !started {
			if e.At.Before(from) {
				return nil
			}
			started = true
		}
		if !to.IsZero() && !e.At.Before(to) {
			return errStopExport
		}
		return x.WriteRaw(data, &e)
	})
	if err != nil && !errors.Is(err, errStopExport) {
		fmt.Fprintln(stderr, "导出中断（文件没有结尾记录，校验会报告不完整）：", err)
		return 1
	}
	if err := x.Close(); err != nil {
		fmt.Fprintln(stderr, "导出失败：", err)
		return 1
	}
	t := x.Trailer()
	switch {
	case read == 0:
		fmt.Fprintf(stderr, "%s（%s）。已导出 0 条账本条目，文件只有结尾记录。\n", emptyLedgerNote, a.ledgerPlace())
	case t.Count == 0:
		fmt.Fprintf(stderr, "已导出 0 条账本条目：读到的 %d 条均不在所选期间内。\n", read)
	case t.Partial:
		fmt.Fprintf(stderr, "已导出 %d 条（部分导出，seq %d–%d），末条哈希 %s\n", t.Count, t.FirstSeq, t.LastSeq, t.Head)
	default:
		fmt.Fprintf(stderr, "已导出 %d 条（seq %d–%d），链头 %s\n", t.Count, t.FirstSeq, t.LastSeq, t.Head)
	}
	return 0
}

// AuditVerify is `syndicator audit verify [--file F [--anchors]]`. With a
// file it checks the export on its own (no NATS, no archive needed) or,
// with anchors, also against the chain heads anchored in the archive: only
// they reveal an export whose entries were rewritten and all rehashed.
// Without a file it checks the live ledger over NATS end to end and against
// every anchor. It prints the outcome on stdout and returns 1 on failure,
// including when there is no store to read (connect never creates one). An
// existing but empty ledger is not reported as passed: it prints
// emptyLedgerNote and the store it read, and returns 0.
func (a *App) AuditVerify(ctx context.Context, file string, anchors bool, stdout, stderr io.Writer) int {
	var (
		s   ledger.Summary
		err error
	)
	switch {
	case file == "":
		s, err = a.withAnchors(ctx, func(bus *natsbus.Bus, an map[uint64]ledger.Anchor) (ledger.Summary, error) {
			return verifyLive(ctx, bus, an)
		})
	case anchors:
		s, err = a.withAnchors(ctx, func(_ *natsbus.Bus, an map[uint64]ledger.Anchor) (ledger.Summary, error) {
			return verifyFile(file, an)
		})
	default:
		s, err = verifyFile(file, nil)
	}
	if err != nil {
		var ve *ledger.VerifyError
		if errors.As(err, &ve) {
			fmt.Fprintf(stdout, "账本校验失败：%s\n", ve)
		} else {
			fmt.Fprintf(stdout, "账本校验失败：%v\n", err)
		}
		return 1
	}
	// An empty ledger is not reported as passed: nothing was checked, and
	// saying so is what tells an auditor that they may be reading the
	// wrong store.
	switch {
	case s.Count == 0 && file == "":
		fmt.Fprintf(stdout, "%s\n账本所在：%s\n", emptyLedgerNote, a.ledgerPlace())
		return 0
	case s.Count == 0:
		fmt.Fprintf(stdout, "账本为空：导出文件 %s 完整，但没有任何账本条目（导出时账本为空，或所选期间没有条目）\n", file)
	case s.Partial:
		fmt.Fprintf(stdout, "账本校验通过：%d 条（部分导出，seq %d–%d），末条哈希 %s\n", s.Count, s.FirstSeq, s.LastSeq, s.Head)
	default:
		fmt.Fprintf(stdout, "账本校验通过：%d 条，链头 %s\n", s.Count, s.Head)
	}
	if file == "" {
		fmt.Fprintf(stdout, "账本所在：%s\n", a.ledgerPlace())
	}
	switch {
	case file == "" || anchors && s.AnchorsAfter == 0:
		fmt.Fprintf(stdout, "已核对存档锚点 %d 个\n", s.Anchors)
	case anchors:
		fmt.Fprintf(stdout, "已核对存档锚点 %d 个；另有 %d 个锚点晚于本导出，未核对（如需核对请重新导出）\n", s.Anchors, s.AnchorsAfter)
	default:
		fmt.Fprintln(stdout, "未核对存档锚点：整条链被改写并重新计算哈希时只有锚点能发现，可加 --anchors 核对")
	}
	return 0
}

func verifyFile(file string, anchors map[uint64]ledger.Anchor) (ledger.Summary, error) {
	f, err := os.Open(file)
	if err != nil {
		return ledger.Summary{}, fmt.Errorf("无法打开 %s：%w", file, err)
	}
	defer f.Close()
	return ledger.Verify(f, ledger.VerifyOptions{Anchors: anchors})
}

// withAnchors connects to NATS, reads every anchor named in its index from
// the archive (each checked against its index record) and hands both to f.
func (a *App) withAnchors(ctx context.Context, f func(*natsbus.Bus, map[uint64]ledger.Anchor) (ledger.Summary, error)) (ledger.Summary, error) {
	bus, stop, err := a.connect(ctx)
	if err != nil {
		return ledger.Summary{}, fmt.Errorf("无法连接 NATS（锚点索引在 NATS 上）：%w", err)
	}
	defer stop()
	cfg := a.Config.Archive
	archive, _, err := a.store("archive", cfg.Backend, cfg.Dir, cfg.S3)
	if err != nil {
		return ledger.Summary{}, fmt.Errorf("无法打开存档：%w", err)
	}
	anchors, err := ledger.LoadAnchors(ctx, bus, archive)
	if err != nil {
		return ledger.Summary{}, fmt.Errorf("存档锚点核对失败：%w", err)
	}
	return f(bus, anchors)
}

// verifyLive checks the ledger on NATS from seq 1 against the anchors.
func verifyLive(ctx context.Context, bus *natsbus.Bus, anchors map[uint64]ledger.Anchor) (ledger.Summary, error) {
	v := ledger.NewVerifier(ledger.VerifyOptions{Live: true, Anchors: anchors})
	if err := bus.ReadEntries(ctx, func(data []byte) error {
		_, err := v.Add(data)
		return err
	}); err != nil {
		var ve *ledger.VerifyError
		if errors.As(err, &ve) {
			return ledger.Summary{}, ve
		}
		return ledger.Summary{}, fmt.Errorf("读取账本：%w", err)
	}
	return v.End()
}

// ledgerComponents are the audit recorder and the anchorer (the archive
// role). ready, when not nil, blocks until the archive store can be written
// (blob S3 Ensure); the recorder does not wait for it, as entries live in
// NATS.
func (a *App) ledgerComponents(bus *natsbus.Bus, archive ledger.AnchorStore, ready func(context.Context) error) []component {
	rec := ledger.NewRecorder(bus, bus, bus, a.Log)
	anc := ledger.NewAnchorer(bus, archive, bus, a.Config.Archive.AnchorEvery, a.Log)
	return []component{{"ledger", rec.Run}, {"anchor", func(ctx context.Context) error {
		if ready != nil {
			if err := ready(ctx); err != nil {
				return err
			}
		}
		return anc.Run(ctx)
	}}}
}
