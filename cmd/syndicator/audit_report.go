package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/audit"
	"github.com/gyeco/syndicator/syndicator/audit/report"
	"github.com/gyeco/syndicator/syndicator/ledger"
	"github.com/gyeco/syndicator/syndicator/readmodel"
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

// Years a period may name: the ledger starts after 2000 and nothing is
// due after 2100. Wider dates are refused rather than carried into a
// report (the day after --to 9999-12-31 cannot even be written as JSON).
const (
	firstYear = 2000
	lastYear  = 2100
)

// parsePeriod reads --from/--to days (Beijing time); to is included, so
// the period ends at the next midnight. Empty from is the epoch, empty to
// the end of today. Given days must lie in the years firstYear..lastYear.
func parsePeriod(from, to string, now time.Time) (time.Time, time.Time, error) {
	day := func(flag, s string) (time.Time, error) {
		d, err := time.ParseInLocation("2006-01-02", s, syndicator.Shanghai)
		if err != nil {
			return d, fmt.Errorf("%s %q: 日期格式应为 YYYY-MM-DD", flag, s)
		}
		if d.Year() < firstYear || d.Year() > lastYear {
			return d, fmt.Errorf("%s %s: 日期须在 %d-01-01 至 %d-12-31 之间", flag, s, firstYear, lastYear)
		}
		return d, nil
	}
	var f, t time.Time
	var err error
	if from != "" {
		if f, err = day("--from", from); err != nil {
			return f, t, err
		}
	}
	if to == "" {
		n := now.In(syndicator.Shanghai)
		t = time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, syndicator.Shanghai).AddDate(0, 0, 1)
	} else {
		if t, err = day("--to", to); err != nil {
			return f, t, err
		}
		t = t.AddDate(0, 0, 1)
	}
	if !f.IsZero() && !t.After(f) {
		return f, t, fmt.Errorf("--to %s 早于 --from %s", to, from)
	}
	return f, t, nil
}

// reportType is the content type of a report format; an unknown format
// is the caller's error.
func reportType(format string) (string, error) {
	switch format {
	case "", "html":
		return "text/html; charset=utf-8", nil
	case "csv":
		return "text/csv; charset=utf-8", nil
	case "json":
		return "application/json", nil
	}
	return "", fmt.Errorf("--format %q: 可选 html、csv、json", format)
}

// renderReport formats a report, with the names people read in place of
// ids (the HTML report shows column names); the content type goes with it
// for the API. html renders the HTML format: it is built once, not per
// report, and only the HTML format uses it. An unknown format is the
// caller's error; a report the format cannot hold is returned as an error
// too, never a panic.
func renderReport(html *report.Renderer, r audit.Report, format string, names report.Names) ([]byte, string, error) {
	ctype, err := reportType(format)
	if err != nil {
		return nil, "", err
	}
	var data []byte
	switch format {
	case "", "html":
		data, err = html.HTML(r, names)
	case "csv":
		data, err = report.CSV(r)
	case "json":
		data, err = report.JSON(r)
	}
	if err != nil {
		return nil, "", fmt.Errorf("生成报告失败：%w", err)
	}
	return data, ctype, nil
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
	from, to, err := parsePeriod(fromDay, toDay, a.now())
	if err == nil {
		_, err = reportType(format)
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
	data, _, err := renderReport(html, r, format, a.reportNames())
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

func (s *Server) apiAuditReport(w http.ResponseWriter, r *http.Request) {
	if s.index == nil {
		writeJSONError(w, http.StatusServiceUnavailable, "未连接 NATS，无法读取审计账本：请为 serve 配置 nats.url")
		return
	}
	q := r.URL.Query()
	from, to, err := parsePeriod(q.Get("from"), q.Get("to"), s.app.now())
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	format := q.Get("format")
	if format == "" {
		format = "json"
	}
	if _, err := reportType(format); err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), time.Minute)
	defer cancel()
	rep, err := s.indexedReport(ctx, from, to)
	if err != nil {
		writeJSONError(w, http.StatusServiceUnavailable, "生成报告失败："+err.Error())
		return
	}
	data, ctype, err := renderReport(s.reports, rep, format, s.app.reportNames())
	if err != nil {
		writeJSONError(w, http.StatusInternalServerError, err.Error())
		return
	}
	if format == "html" {
		w.Header().Set("Content-Security-Policy", reportSecurityPolicy)
	}
	w.Header().Set("Content-Type", ctype)
	_, _ = w.Write(data)
}

func (s *Server) apiAuditTimeline(w http.ResponseWriter, r *http.Request) {
	if s.index == nil {
		writeJSONError(w, http.StatusServiceUnavailable, "未连接 NATS，无法读取审计账本：请为 serve 配置 nats.url")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), time.Minute)
	defer cancel()
	tl, err := s.indexedTimeline(ctx, r.PathValue("id"))
	switch {
	case errors.Is(err, readmodel.ErrNotFound):
		writeJSONError(w, http.StatusNotFound, "审计账本中没有该条目")
	case err != nil:
		writeJSONError(w, http.StatusServiceUnavailable, "读取审计账本失败："+err.Error())
	default:
		writeJSON(w, http.StatusOK, tl)
	}
}
