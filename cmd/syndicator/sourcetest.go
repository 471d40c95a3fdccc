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
	var sink interface {
		crawler.DryRunSink
		end(problems []string) error
	}
	if asJSON {
		sink = &jsonDryRun{w: stdout}
	} else {
		sink = &tableDryRun{w: stdout, src: src, limit: limit}
	}
	problems, err := c.TestTo(ctx, limit, sink)
	if err == nil {
		err = sink.end(problems)
	}
	if err != nil {
		fmt.Fprintln(stderr, "写出报告失败：", err)
		return 1
	}
	if asJSON {
		for _, p := range problems {
			fmt.Fprintln(stderr, "问题：", p)
		}
	}
	if len(problems) > 0 {
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

// tableDryRun prints the dry run as a table while it runs: the list,
// then each detail as it is read, then the problems.
type tableDryRun struct {
	w     io.Writer
	src   config.Source
	limit int
	n     int // details printed
}

func (t *tableDryRun) List(_ string, entries []crawler.DryRunEntry) error {
	w, src := t.w, t.src
	fmt.Fprintf(w, "来源 %s（%s）预设 %s\n", src.ID, src.Name, src.Preset)
	for _, u := range src.Resolved.ListURLs {
		fmt.Fprintf(w, "列表 %s\n", u)
	}
	fmt.Fprintf(w, "\n列表条目 %d 条：\n", len(entries))
	for i, e := range entries {
		date := "—"
		if e.PublishedAt != nil {
			date = e.PublishedAt.In(syndicator.Shanghai).Format("2006-01-02")
		}
		fmt.Fprintf(w, "%3d  %s  %s\n", i+1, date, e.Title)
	}
	_, err := fmt.Fprintf(w, "\n详情（读取前 %d 条）：\n", min(t.limit, len(entries)))
	return err
}

func (t *tableDryRun) Item(it *syndicator.Item) error {
	t.n++
	w := t.w
	fmt.Fprintf(w, "\n[%d] %s\n", t.n, it.Title)
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
		published = fmt.Sprintf("%s（精确到%s）", it.PublishedAt.In(syndicator.Shanghai).Format("2006-01-02 15:04:05"), it.PublishedPrecision.Label())
	}
	field("发布日期", published)
	field("有 效 性", it.Validity.Label())
	field("正　　文", fmt.Sprintf("%d 字：%s", utf8.RuneCountInString(it.BodyText), preview(it.BodyText, 60)))
	names := make([]string, len(it.Attachments))
	for j, at := range it.Attachments {
		names[j] = at.Name
	}
	field("附　　件", strings.Join(names, "；"))
	return nil
}

func (t *tableDryRun) end(problems []string) error {
	fmt.Fprintf(t.w, "\n已读取详情 %d 条。\n", t.n)
	if len(problems) == 0 {
		_, err := fmt.Fprintln(t.w, "\n未发现问题。")
		return err
	}
	fmt.Fprintf(t.w, "\n问题 %d 个：\n", len(problems))
	for _, p := range problems {
		fmt.Fprintf(t.w, "  - %s\n", p)
	}
	return nil
}

// jsonDryRun writes the JSON report of `source test --json` (DESIGN §3,
// {"source", "list", "items"}) while the run goes: one item in memory
// at a time, whatever --limit is.
type jsonDryRun struct {
	w io.Writer
	n int // items written
}

func (j *jsonDryRun) List(source string, entries []crawler.DryRunEntry) error {
	src, err := json.Marshal(source)
	if err != nil {
		return err
	}
	list, err := json.MarshalIndent(entries, "  ", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(j.w, "{\n  \"source\": %s,\n  \"list\": %s,\n  \"items\": [", src, list)
	return err
}

func (j *jsonDryRun) Item(it *syndicator.Item) error {
	b, err := json.MarshalIndent(it, "    ", "  ")
	if err != nil {
		return err
	}
	sep := "\n    "
	if j.n > 0 {
		sep = ",\n    "
	}
	j.n++
	_, err = fmt.Fprintf(j.w, "%s%s", sep, b)
	return err
}

func (j *jsonDryRun) end([]string) error {
	closing := "]\n}\n"
	if j.n > 0 {
		closing = "\n  ]\n}\n"
	}
	_, err := io.WriteString(j.w, closing)
	return err
}

func preview(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
