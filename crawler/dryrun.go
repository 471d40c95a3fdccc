package crawler

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gyeco/syndicator/syndicator"
)

// DryRun is `syndicator source test`: it reads the first list page of
// each list URL and the first limit detail pages, and reports what the
// pipeline would announce. It publishes nothing and writes nothing.
type DryRun struct {
	// Report is the JSON contract of `source test --json` (DESIGN §3).
	Report DryRunReport
	// Problems are what an operator must fix, in Simplified Chinese.
	Problems []string
}

// DryRunReport is {"source", "list", "items"}.
type DryRunReport struct {
	Source string            `json:"source"`
	List   []DryRunEntry     `json:"list"`
	Items  []syndicator.Item `json:"items"`
}

// DryRunEntry is one list row.
type DryRunEntry struct {
	URL         string     `json:"url"`
	Title       string     `json:"title"`
	PublishedAt *time.Time `json:"published_at"`
}

// DryRunSink receives a dry run as it goes: the list once, then each
// item as it is read, so that a long run (--limit 5000) holds one item at
// a time. An error from it stops the run.
type DryRunSink interface {
	List(source string, entries []DryRunEntry) error
	Item(it *syndicator.Item) error
}

// Test runs the dry run of this crawler's source with up to limit details;
// a limit of 0 or less reads the list only. It keeps the whole report:
// use TestTo for a long run.
func (c *Crawler) Test(ctx context.Context, limit int) *DryRun {
	d := &DryRun{Report: DryRunReport{Source: c.src.ID, List: []DryRunEntry{}, Items: []syndicator.Item{}}}
	d.Problems, _ = c.TestTo(ctx, limit, reportSink{&d.Report})
	return d
}

// reportSink keeps everything in a DryRunReport.
type reportSink struct{ r *DryRunReport }

func (s reportSink) List(_ string, entries []DryRunEntry) error {
	s.r.List = append(s.r.List, entries...)
	return nil
}

func (s reportSink) Item(it *syndicator.Item) error {
	s.r.Items = append(s.r.Items, *it)
	return nil
}

// TestTo runs the dry run into sink and returns what an operator must
// fix (Simplified Chinese); err is the sink's, which ended the run.
func (c *Crawler) TestTo(ctx context.Context, limit int, sink DryRunSink) (problems []string, err error) {
	scan, serr := c.scanLists(ctx, 1, false, nil)
	entries, why := scan.entries, scan.emptyWhy
	if serr != nil {
		problems = append(problems, "列表无法读取："+serr.Error())
	}
	if serr == nil && len(entries) == 0 {
		problems = append(problems, "列表读取成功，但没有解析出任何条目："+why)
	}
	if scan.fallbackWhy != "" {
		problems = append(problems, fmt.Sprintf("列表规则没有解析出任何条目：%s；通用识别（带日期的链接行）读出 %d 条，见下表：请修正 list 规则", scan.fallbackWhy, len(entries)))
	}
	rows := make([]DryRunEntry, 0, len(entries))
	for _, e := range entries {
		row := DryRunEntry{URL: e.URL, Title: e.Title}
		if !e.Date.IsZero() {
			t := e.Date
			row.PublishedAt = &t
		}
		rows = append(rows, row)
	}
	if err := sink.List(c.src.ID, rows); err != nil {
		return problems, err
	}
	for _, e := range entries[:max(0, min(limit, len(entries)))] {
		canon, err := syndicator.CanonicalURL(e.URL, nil)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s：网址无效：%v", e.URL, err))
			continue
		}
		it, _, page, err := c.readItem(ctx, e, canon, syndicator.ItemID(canon))
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s：详情页读取失败：%v", e.URL, err))
			continue
		}
		for _, f := range page.Missing {
			problems = append(problems, fmt.Sprintf("%s：缺少必填字段 %s，请检查 detail 选择器", e.URL, f))
		}
		if it.ExtractedBy == syndicator.ExtractedByFallback {
			problems = append(problems, fmt.Sprintf("%s：detail 选择器未匹配（%s），正文或元数据由通用识别读取（extracted_by: fallback）：请修正 detail 规则", e.URL, strings.Join(page.Unmatched, "、")))
		}
		it.DiscoveredAt = time.Time{}
		it.ContentSHA256 = syndicator.ContentSHA256(it) // attachments are not downloaded
		if err := sink.Item(it); err != nil {
			return problems, err
		}
	}
	return problems, nil
}
