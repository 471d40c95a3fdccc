// Package report renders an audit.Report for auditors: a self-contained
// HTML page in Chinese (inline SVG charts, no scripts, no external
// resources, no CSS, so the site's Content-Security-Policy allows it),
// CSV with one row per document, and JSON.
package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/audit"
)

// JSON is the report as indented JSON, the shape of audit.Report.
func JSON(r audit.Report) []byte {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		// A Report holds only strings, numbers and times.
		panic("audit report: " + err.Error())
	}
	return append(b, '\n')
}

// csvHeader names the CSV columns.
var csvHeader = []string{"编号", "文档", "标题", "发文字号", "来源", "类别", "上游发布时间", "时间精度", "首次发现", "转载发布",
	"滞后小时", "滞后范围（小时）", "时限", "状态", "耗时环节", "存档对象", "WARC", "原文 sha256", "转载 sha256"}

// CSV is one row per document, times in Beijing time (RFC 3339), with a
// UTF-8 byte order mark so spreadsheet programs read the Chinese.
func CSV(r audit.Report) []byte {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	_ = w.Write(csvHeader) // a bytes.Buffer does not fail
	for _, it := range r.Items {
		lagRange := ""
		if it.DateOnly {
			lagRange = num(it.LagMinHours) + "–" + num(it.LagMaxHours)
		}
		_ = w.Write([]string{it.ItemID, it.DocKey, it.Title, it.DocNumber, it.Source, it.Class, isoTime(it.Upstream), string(it.Precision),
			isoTime(it.FirstSeen), isoTime(it.Published), num(it.LagHours), lagRange, isoTime(it.Deadline), statusName(it.Status),
			it.Where, strings.Join(it.ArchiveKeys, " "), it.WARC, it.OriginalSHA256, it.PublishedSHA256})
	}
	w.Flush()
	return buf.Bytes()
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

// className is a relevance class in Chinese.
func className(c string) string {
	switch c {
	case syndicator.ClassSync:
		return "同步（生态环境）"
	case syndicator.ClassTimely:
		return "及时（综合政策）"
	case syndicator.ClassReview:
		return "人工审核"
	case syndicator.ClassIgnore:
		return "不相关"
	case "":
		return "未判定"
	}
	return c
}
