package console

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/gyeco/syndicator/syndicator/audit"
)

// period reads ?from=&to= (Beijing days, to included); the default is
// the current month up to today.
func (c *Console) period(r *http.Request) (from, to time.Time, fromS, toS string, err error) {
	now := c.now().In(beijing)
	fromS, toS = r.URL.Query().Get("from"), r.URL.Query().Get("to")
	if fromS == "" {
		fromS = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, beijing).Format("2006-01-02")
	}
	if toS == "" {
		toS = now.Format("2006-01-02")
	}
	if from, err = time.ParseInLocation("2006-01-02", fromS, beijing); err != nil {
		return from, to, fromS, toS, fmt.Errorf("起始日期 %q 应为 YYYY-MM-DD", fromS)
	}
	if to, err = time.ParseInLocation("2006-01-02", toS, beijing); err != nil {
		return from, to, fromS, toS, fmt.Errorf("截止日期 %q 应为 YYYY-MM-DD", toS)
	}
	to = to.AddDate(0, 0, 1)
	if to.Before(from) {
		return from, to, fromS, toS, fmt.Errorf("截止日期早于起始日期")
	}
	return from, to, fromS, toS, nil
}

// Audit is 审计: the period's report with its charts, late and missed
// items linking to their timelines, exports and a live verify.
func (c *Console) Audit(w http.ResponseWriter, r *http.Request) {
	if c.d.Audit == nil {
		c.fail(w, r, http.StatusServiceUnavailable, "未连接 NATS：审计需要为 serve 配置 nats.url。")
		return
	}
	from, to, fromS, toS, err := c.period(r)
	data := map[string]any{"From": fromS, "To": toS}
	if err != nil {
		data["Error"] = err.Error()
		c.render(w, r, http.StatusBadRequest, "audit", "审计", data)
		return
	}
	ctx, cancel := timeout(r)
	defer cancel()
	rep, err := c.d.Audit.Report(ctx, from, to)
	if err != nil {
		data["Error"] = "生成报告失败：" + err.Error()
		c.render(w, r, http.StatusServiceUnavailable, "audit", "审计", data)
		return
	}
	data["R"] = rep
	names := map[string]string{}
	for _, col := range c.d.Live().Columns {
		names[col.ID] = col.Name
	}
	data["ColNames"] = names
	var bad []audit.ItemRow
	for _, it := range rep.Items {
		if it.Status == audit.StatusLate || it.Status == audit.StatusMissed {
			bad = append(bad, it)
		}
	}
	slices.SortFunc(bad, func(a, b audit.ItemRow) int { return b.Deadline.Compare(a.Deadline) })
	data["Bad"] = bad
	if r.URL.Query().Get("verify") != "" {
		text, ok := c.d.Audit.Verify(ctx)
		data["Verify"], data["VerifyOK"] = text, ok
	}
	c.render(w, r, http.StatusOK, "audit", "审计", data)
}

// AuditReport downloads the period's report as csv, html or json.
func (c *Console) AuditReport(w http.ResponseWriter, r *http.Request) {
	if c.d.Audit == nil {
		c.fail(w, r, http.StatusServiceUnavailable, "未连接 NATS。")
		return
	}
	from, to, fromS, toS, err := c.period(r)
	if err != nil {
		c.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	format := r.URL.Query().Get("format")
	switch format {
	case "csv", "html", "json":
	default:
		c.fail(w, r, http.StatusBadRequest, "格式应为 csv、html 或 json。")
		return
	}
	ctx, cancel := timeout(r)
	defer cancel()
	rep, err := c.d.Audit.Report(ctx, from, to)
	if err != nil {
		c.fail(w, r, http.StatusServiceUnavailable, "生成报告失败："+err.Error())
		return
	}
	out, ctype, err := c.d.Audit.Render(rep, format)
	if err != nil {
		c.fail(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="audit-%s-%s.%s"`, fromS, toS, format))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(out)
}

// AuditLedger downloads the ledger entries of the period as JSON lines,
// verifiable offline with `syndicator audit verify --file`.
func (c *Console) AuditLedger(w http.ResponseWriter, r *http.Request) {
	if c.d.Audit == nil {
		c.fail(w, r, http.StatusServiceUnavailable, "未连接 NATS。")
		return
	}
	var from, to time.Time
	name := "ledger.jsonl"
	if r.URL.Query().Get("from") != "" || r.URL.Query().Get("to") != "" {
		var fromS, toS string
		var err error
		if from, to, fromS, toS, err = c.period(r); err != nil {
			c.fail(w, r, http.StatusBadRequest, err.Error())
			return
		}
		name = fmt.Sprintf("ledger-%s-%s.jsonl", fromS, toS)
	}
	w.Header().Set("Content-Type", "application/jsonl; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	if err := c.d.Audit.Export(r.Context(), w, from, to); err != nil {
		// The file has no trailer then: verify reports it incomplete.
		c.d.Log.Warn().Err(err).Msg("ledger export from the console cut short")
	}
}
