package crawler

import (
	"context"
	"fmt"
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

// Test runs the dry run of this crawler's source with up to limit details;
// a limit of 0 or less reads the list only.
func (c *Crawler) Test(ctx context.Context, limit int) *DryRun {
	d := &DryRun{Report: DryRunReport{Source: c.src.ID, List: []DryRunEntry{}, Items: []syndicator.Item{}}}
	scan, err := c.scanLists(ctx, 1, false, nil)
	entries, why := scan.entries, scan.emptyWhy
	if err != nil {
		d.Problems = append(d.Problems, "列表无法读取："+err.Error())
	}
	if err == nil && len(entries) == 0 {
		d.Problems = append(d.Problems, "列表读取成功，但没有解析出任何条目："+why)
	}
	for _, e := range entries {
		row := DryRunEntry{URL: e.URL, Title: e.Title}
		if !e.Date.IsZero() {
			t := e.Date
			row.PublishedAt = &t
		}
		d.Report.List = append(d.Report.List, row)
	}
	for _, e := range entries[:max(0, min(limit, len(entries)))] {
		canon, err := syndicator.CanonicalURL(e.URL, nil)
		if err != nil {
			d.Problems = append(d.Problems, fmt.Sprintf("%s：网址无效：%v", e.URL, err))
			continue
		}
		it, _, page, err := c.readItem(ctx, e, canon, syndicator.ItemID(canon))
		if err != nil {
			d.Problems = append(d.Problems, fmt.Sprintf("%s：详情页读取失败：%v", e.URL, err))
			continue
		}
		for _, f := range page.Missing {
			d.Problems = append(d.Problems, fmt.Sprintf("%s：缺少必填字段 %s，请检查 detail 选择器", e.URL, f))
		}
		it.DiscoveredAt = time.Time{}
		d.Report.Items = append(d.Report.Items, *it)
	}
	return d
}
