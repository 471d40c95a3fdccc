// Package report renders an audit.Report for auditors: a self-contained
// HTML page in Chinese (inline SVG charts and one inline style sheet, no
// scripts, no external resources; serve it with "style-src " +
// StyleSource in its Content-Security-Policy),
// CSV with one row per document, and JSON.
package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/audit"
)

// JSON is the report as indented JSON, the shape of audit.Report. It
// fails on what JSON cannot hold, such as a time after the year 9999.
func JSON(r audit.Report) ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("audit report as JSON: %w", err)
	}
	return append(b, '\n'), nil
}

// csvHeader names the CSV columns.
var csvHeader = []string{"编号", "文档", "标题", "发文字号", "来源", "类别", "上游发布时间", "时间精度", "首次发现", "转载发布",
	"滞后小时", "滞后范围（小时）", "时限", "状态", "耗时环节", "存档对象", "WARC", "原文 sha256", "转载 sha256"}

// CSV is one row per document, times in Beijing time (RFC 3339), with a
// UTF-8 byte order mark so spreadsheet programs read the Chinese. Every
// text cell goes through cell, so a title such as "=HYPERLINK(…)" stays
// text when the file is opened.
func CSV(r audit.Report) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	if err := w.Write(csvHeader); err != nil {
		return nil, fmt.Errorf("audit report as CSV: %w", err)
	}
	for _, it := range r.Items {
		lagRange := ""
		if it.DateOnly {
			lagRange = num(it.LagMinHours) + "–" + num(it.LagMaxHours)
		}
		err := w.Write([]string{cell(it.ItemID), cell(it.DocKey), cell(it.Title), cell(it.DocNumber), cell(it.Source), cell(string(it.Class)),
			isoTime(it.Upstream), cell(string(it.Precision)), isoTime(it.FirstSeen), isoTime(it.Published), num(it.LagHours), lagRange,
			isoTime(it.Deadline), cell(rowStatus(it)), cell(it.Where), cell(strings.Join(it.ArchiveKeys, " ")), cell(it.WARC),
			cell(it.OriginalSHA256), cell(it.PublishedSHA256)})
		if err != nil {
			return nil, fmt.Errorf("audit report as CSV: %w", err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("audit report as CSV: %w", err)
	}
	return buf.Bytes(), nil
}

// cell keeps a text cell from being read as a formula (OWASP, CSV
// injection): a value starting with =, +, -, @, a tab or a carriage
// return gets a leading single quote, which spreadsheet programs show as
// text and do not evaluate.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func isoTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(syndicator.Shanghai).Format(time.RFC3339)
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// statusName is a status in Chinese.
func statusName(s audit.Status) string {
	switch s {
	case audit.StatusOnTime:
		return "按时"
	case audit.StatusLate:
		return "逾期"
	case audit.StatusPending:
		return "待发布"
	case audit.StatusMissed:
		return "漏转"
	case audit.StatusExempt:
		return "不计时效"
	}
	return string(s)
}

// rowStatus is a document's status in Chinese as a row shows it: a
// baseline document is 基线 (it is exempt, and counted so).
func rowStatus(it audit.ItemRow) string {
	if it.Baseline {
		return "基线"
	}
	return statusName(it.Status)
}
