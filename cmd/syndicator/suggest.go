package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/crawler/extract"
	"github.com/gyeco/syndicator/crawler/fetch"
)

// SourceSuggest is `syndicator source suggest URL`: it reads the list page
// at URL and one of its detail pages, infers the source's rules
// (extract.SuggestList, extract.SuggestDetail), prints them as a source
// block to paste under sources:, with comments on what was inferred and
// what was not, and then dry-runs that source as `source test` does. It
// exits 1 when the list cannot be read or the dry run finds problems.
func (a *App) SourceSuggest(ctx context.Context, listURL, detailURL, id string, limit int, stdout, stderr io.Writer) int {
	f, err := a.fetcher()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	lu, err := url.Parse(listURL)
	if err != nil || (lu.Scheme != "http" && lu.Scheme != "https") || lu.Host == "" {
		fmt.Fprintf(stderr, "列表网址 %q 无效：需要 http(s) 网址\n", listURL)
		return 2
	}
	resp, err := f.Do(ctx, fetch.Request{URL: lu.String()})
	if err != nil {
		fmt.Fprintf(stderr, "读取列表页失败：%v\n", err)
		return 1
	}
	list, notes, ok := extract.SuggestList(resp.Body, resp.Header.Get("Content-Type"), lu)
	if !ok {
		fmt.Fprintf(stderr, "无法从 %s 推断列表规则：\n", lu)
		for _, n := range notes {
			fmt.Fprintln(stderr, "  "+n)
		}
		return 1
	}
	if detailURL == "" {
		if entries, _ := extract.List(resp.Body, resp.Header.Get("Content-Type"), lu, list); len(entries) > 0 {
			detailURL = entries[0].URL
		}
	}
	var detail config.DetailRule
	if detailURL != "" {
		dr, err := f.Do(ctx, fetch.Request{URL: detailURL})
		if err != nil {
			notes = append(notes, fmt.Sprintf("读取详情页 %s 失败（%v）：detail 规则未推断，将用通用识别", detailURL, err))
		} else {
			du, _ := url.Parse(detailURL)
			var dn []string
			detail, dn = extract.SuggestDetail(dr.Body, dr.Header.Get("Content-Type"), du)
			notes = append(notes, dn...)
		}
	}
	block := suggestedSource(id, lu, list, detail, notes)
	fmt.Fprintln(stdout, "# 建议的来源配置：粘贴到配置文件的 sources: 下，按需修改 id、name、level、interval")
	fmt.Fprint(stdout, block)
	fmt.Fprintln(stdout)

	cfg, err := config.Parse("source suggest", []byte("sources:\n"+block))
	if err != nil {
		fmt.Fprintf(stderr, "建议的配置未通过检查（请报告此问题）：%v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, "# 按此配置试运行（同 source test）：")
	a.Config.Sources = cfg.Sources
	return a.SourceTest(ctx, id, limit, false, stdout, stderr)
}

// suggestedSource writes a source block: YAML (strings quoted as JSON,
// which YAML reads) with the notes as comments.
func suggestedSource(id string, lu *url.URL, list config.ListRule, detail config.DetailRule, notes []string) string {
	var b strings.Builder
	q := func(s string) string {
		j, _ := json.Marshal(s)
		return string(j)
	}
	qs := func(ss []string) string {
		out := make([]string, len(ss))
		for i, s := range ss {
			out[i] = q(s)
		}
		return "[" + strings.Join(out, ", ") + "]"
	}
	for _, n := range notes {
		fmt.Fprintf(&b, "  # %s\n", n)
	}
	fmt.Fprintf(&b, "  - id: %s\n", q(id))
	fmt.Fprintf(&b, "    preset: %s\n", list.Kind)
	fmt.Fprintf(&b, "    base_url: %s\n", q(lu.Scheme+"://"+lu.Host))
	fmt.Fprintf(&b, "    list:\n      urls: [%s]\n", q(lu.RequestURI()))
	field := func(key, v string) {
		if v != "" {
			fmt.Fprintf(&b, "      %s: %s\n", key, q(v))
		}
	}
	field("items_path", list.ItemsPath)
	field("url_field", list.URLField)
	field("title_field", list.TitleField)
	field("date_field", list.DateField)
	field("item", list.Item)
	field("date", list.Date)
	field("link_pattern", list.LinkPattern)
	if list.Pages > 0 {
		fmt.Fprintf(&b, "      pages: %d\n", list.Pages)
	}
	if len(detail.Title) > 0 || len(detail.Body) > 0 {
		b.WriteString("    detail:\n")
		if len(detail.Title) > 0 {
			fmt.Fprintf(&b, "      title: %s\n", qs(detail.Title))
		}
		if len(detail.Body) > 0 {
			fmt.Fprintf(&b, "      body: %s\n", qs(detail.Body))
		}
	}
	return b.String()
}
