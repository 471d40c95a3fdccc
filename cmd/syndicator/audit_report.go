package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/gyeco/syndicator/syndicator/audit"
	"github.com/gyeco/syndicator/syndicator/audit/report"
	"github.com/gyeco/syndicator/syndicator/ledger"
)

// entryReader reads the whole ledger (natsbus.Bus).
type entryReader interface {
	ReadEntries(ctx context.Context, fn func(data []byte) error) error
}

// readLedger decodes every ledger entry, oldest first.
func readLedger(ctx context.Context, r entryReader) ([]ledger.Entry, error) {
	var out []ledger.Entry
	err := r.ReadEntries(ctx, func(data []byte) error {
		var e ledger.Entry
		if err := json.Unmarshal(data, &e); err != nil {
			return fmt.Errorf("ledger entry %d: %w", len(out)+1, err)
		}
		out = append(out, e)
		return nil
	})
	return out, err
}

// reportNames are the names of the configured site columns and sources,
// for reports.
func (a *App) reportNames() report.Names {
	n := report.Names{Columns: map[string]string{}, Sources: map[string]string{}}
	if a == nil || a.Config == nil {
		return n
	}
	for _, c := range a.Config.Site.Columns {
		n.Columns[c.ID] = c.Name
	}
	for _, s := range a.Config.Sources {
		n.Sources[s.ID] = s.Name
	}
	return n
}

// judge builds the report of the period from the ledger's entries.
func (a *App) judge(entries []ledger.Entry, from, to time.Time) (audit.Report, error) {
	cal, err := a.Config.AuditCalendar()
	if err != nil {
		return audit.Report{}, err
	}
	return audit.Build(entries, a.Config.AuditPolicy(), cal, from, to, a.now())
}

// AuditReport is `syndicator audit report`. It fails when there is no
// store to read (connect never creates one) and says on stderr when the
// ledger it read is empty.
func (a *App) AuditReport(ctx context.Context, fromDay, toDay, format, out string, stdout, stderr io.Writer) int {
	from, to, err := audit.ParsePeriod(fromDay, toDay, a.now())
	if err == nil {
		_, err = report.ContentType(format)
	}
	if err != nil {
		fmt.Fprintln(stderr, "audit report:", err)
		return 2
	}
	html, err := report.NewRenderer()
	if err != nil {
		fmt.Fprintln(stderr, "audit report:", err)
		return 1
	}
	bus, closeBus, err := a.connect(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "audit report: 无法连接 NATS：", err)
		return 1
	}
	defer closeBus()
	fmt.Fprintln(stderr, "正在读取审计账本……")
	entries, err := readLedger(ctx, bus)
	if err != nil {
		fmt.Fprintln(stderr, "audit report:", err)
		return 1
	}
	if len(entries) == 0 {
		// An empty report must not pass for a quiet period.
		fmt.Fprintf(stderr, "audit report: %s（%s）；报告中没有任何事项。\n", emptyLedgerNote, a.ledgerPlace())
	}
	r, err := a.judge(entries, from, to)
	if err != nil {
		fmt.Fprintln(stderr, "audit report:", err)
		return 1
	}
	data, _, err := report.Render(html, r, format, a.reportNames())
	if err != nil {
		fmt.Fprintln(stderr, "audit report:", err)
		return 1
	}
	if out == "" {
		_, err = stdout.Write(data)
	} else {
		err = os.WriteFile(out, data, 0o644)
	}
	if err != nil {
		fmt.Fprintln(stderr, "audit report:", err)
		return 1
	}
	fmt.Fprintf(stderr, "报告：%d 件，按时 %d，超时 %d，遗漏 %d，待处理 %d，豁免 %d\n", r.Total, r.OnTime, r.Late, r.Missed, r.Pending, r.Exempt)
	if r.Total == 0 && len(entries) > 0 {
		fmt.Fprintf(stderr, "所选期间没有任何事项（账本中共有 %d 条条目）\n", len(entries))
	}
	return 0
}
