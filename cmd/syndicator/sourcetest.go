package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/crawler"
	"github.com/gyeco/syndicator/crawler/extract"
	"github.com/gyeco/syndicator/syndicator"
)

// SourceTest is `syndicator source test`: a dry run of one source that an
// operator uses to check a preset or new selectors. It exits 1 when the
// operator has something to fix.
func (a *App) SourceTest(ctx context.Context, id string, limit int, asJSON bool, stdout, stderr io.Writer) int {
	src, ok := a.source(id)
	if !ok {
		fmt.Fprintf(stderr, "未知来源 %q。已配置的来源：%s\n", id, strings.Join(a.sourceIDs(), ", "))
		return 2
	}
	c, err := a.dryRunCrawler(src)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	d := c.Test(ctx, limit)
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(&d.Report); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		for _, p := range d.Problems {
			fmt.Fprintln(stderr, "问题：", p)
		}
	} else {
		printDryRun(stdout, src, d)
	}
	if len(d.Problems) > 0 {
		return 1
	}
	return 0
}

// dryRunCrawler builds a crawler that can read but has nowhere to write.
func (a *App) dryRunCrawler(src config.Source) (*crawler.Crawler, error) {
	f, err := a.fetcher()
	if err != nil {
		return nil, err
	}
	return crawler.New(src, crawler.Deps{Fetch: f, Extract: extract.New(nil), Log: a.Log}), nil
}

func (a *App) source(id string) (config.Source, bool) {
	for _, s := range a.Config.Sources {
		if s.ID == id {
			return s, true
		}
	}
	return config.Source{}, false
}

func (a *App) sourceIDs() []string {
	ids := make([]string, len(a.Config.Sources))
	for i, s := range a.Config.Sources {
		ids[i] = s.ID
	}
	return ids
}

func printDryRun(w io.Writer, src config.Source, d *crawler.DryRun) {
	fmt.Fprintf(w, "来源 %s（%s）预设 %s\n", src.ID, src.Name, src.Preset)
	for _, u := range src.Resolved.ListURLs {
		fmt.Fprintf(w, "列表 %s\n", u)
	}
	fmt.Fprintf(w, "\n列表条目 %d 条：\n", len(d.Report.List))
	for i, e := range d.Report.List {
		date := "—"
		if e.PublishedAt != nil {
			date = e.PublishedAt.In(syndicator.Shanghai).Format("2006-01-02")
		}
		fmt.Fprintf(w, "%3d  %s  %s\n", i+1, date, e.Title)
	}
	fmt.Fprintf(w, "\n详情 %d 条：\n", len(d.Report.Items))
	for i, it := range d.Report.Items {
		fmt.Fprintf(w, "\n[%d] %s\n", i+1, it.Title)
		field := func(label, value string) {
			if value == "" {
				value = "（无）"
			}
			fmt.Fprintf(w, "    %s  %s\n", label, value)
		}
		field("原文链接", it.URL)
		field("发文字号", it.DocNumber)
		field("文档标识", it.DocKey)
		field("索 引 号", it.IndexNumber)
		field("发文机关", it.Issuer)
		field("主题分类", it.Subject)
		field("公文种类", it.DocType)
		field("来　　源", it.Origin)
		field("成文日期", it.WrittenAt)
		published := ""
		if !it.PublishedAt.IsZero() {
			published = fmt.Sprintf("%s（精确到%s）", it.PublishedAt.In(syndicator.Shanghai).Format("2006-01-02 15:04:05"), precisionCN[it.PublishedPrecision])
		}
		field("发布日期", published)
		field("有 效 性", it.Validity.Label())
		field("正　　文", fmt.Sprintf("%d 字：%s", utf8.RuneCountInString(it.BodyText), preview(it.BodyText, 60)))
		names := make([]string, len(it.Attachments))
		for j, at := range it.Attachments {
			names[j] = at.Name
		}
		field("附　　件", strings.Join(names, "；"))
	}
	if len(d.Problems) == 0 {
		fmt.Fprintln(w, "\n未发现问题。")
		return
	}
	fmt.Fprintf(w, "\n问题 %d 个：\n", len(d.Problems))
	for _, p := range d.Problems {
		fmt.Fprintf(w, "  - %s\n", p)
	}
}

var precisionCN = map[syndicator.Precision]string{
	syndicator.PrecisionDay: "日", syndicator.PrecisionMinute: "分钟", syndicator.PrecisionSecond: "秒",
}

func preview(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
