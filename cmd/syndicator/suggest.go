package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"unicode"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/crawler/extract"
	"github.com/gyeco/syndicator/crawler/fetch"
)

// suggestFromScript tries the URLs a list page's script loads data from
// (gov.cn's column pages load ./TONGYONGGAILAN.json) as the list. found
// is false when none is one; notes then say what was tried.
func suggestFromScript(ctx context.Context, f *fetch.Fetcher, lu *url.URL, page *fetch.Response, notes []string) (*url.URL, *fetch.Response, config.ListRule, []string, bool) {
	calls := extract.ScriptDataURLs(page.Body, page.Header.Get("Content-Type"), lu)
	for _, raw := range calls {
		u, err := url.Parse(raw)
		if err != nil {
			continue
		}
		resp, err := f.Do(ctx, fetch.Request{URL: raw})
		if err != nil {
			notes = append(notes, fmt.Sprintf("页面脚本读取的 %s 无法获取：%v", raw, err))
			continue
		}
		list, more, ok := extract.SuggestList(resp.Body, resp.Header.Get("Content-Type"), u)
		if !ok {
			notes = append(notes, fmt.Sprintf("页面脚本读取的 %s 不是可识别的列表", raw))
			continue
		}
		first := fmt.Sprintf("列表页 %s 本身没有条目，条目由页面脚本从 %s 读取：已改用该网址作为列表网址", lu, raw)
		return u, resp, list, append([]string{first}, more...), true
	}
	if len(calls) == 0 {
		notes = append(notes, "页面脚本也没有读取数据接口（$.ajax、fetch、.json）：如列表由脚本从接口读取，请用浏览器开发者工具找到该接口网址，再对它运行 source suggest")
	}
	return lu, page, config.ListRule{}, notes, false
}

// checkSecondPage reads page 2 as the suggested rule names it. A page 2
// that repeats page 1 means the server ignores the page parameter, and
// the paging is taken out; otherwise the note says what was found.
func checkSecondPage(ctx context.Context, f *fetch.Fetcher, lu *url.URL, list config.ListRule, first []extract.ListEntry) (config.ListRule, string) {
	u := extract.PageURL(lu, 1, list)
	if u == nil {
		return list, ""
	}
	resp, err := f.Do(ctx, fetch.Request{URL: u.String()})
	if err != nil {
		return list, fmt.Sprintf("第 2 页 %s 读取失败（%v）：分页未能核对（列表若只有一页，这是正常的）", u, err)
	}
	second, err := extract.List(resp.Body, resp.Header.Get("Content-Type"), u, list)
	if err != nil || len(second) == 0 {
		return list, fmt.Sprintf("第 2 页 %s 读不出条目：分页未能核对（列表若只有一页，这是正常的）", u)
	}
	onFirst := map[string]bool{}
	for _, e := range first {
		onFirst[e.URL] = true
	}
	fresh := 0
	for _, e := range second {
		if !onFirst[e.URL] {
			fresh++
		}
	}
	if fresh == 0 {
		list.Pages, list.PageParam = 0, ""
		return list, fmt.Sprintf("第 2 页 %s 与第 1 页条目相同（网站不认这个页码）：已去掉分页，只读第一页", u)
	}
	return list, fmt.Sprintf("已核对第 2 页 %s：读出 %d 条，其中 %d 条第 1 页没有", u, len(second), fresh)
}

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
		// A shell page whose script loads the rows: try what it loads.
		var found bool
		if lu, resp, list, notes, found = suggestFromScript(ctx, f, lu, resp, notes); !found {
			fmt.Fprintf(stderr, "无法从 %s 推断列表规则：\n", listURL)
			for _, n := range notes {
				fmt.Fprintln(stderr, "  "+n)
			}
			return 1
		}
	}
	entries, _ := extract.List(resp.Body, resp.Header.Get("Content-Type"), lu, list)
	if list.Pages > 0 {
		var note string
		list, note = checkSecondPage(ctx, f, lu, list, entries)
		notes = append(notes, note)
	}
	if detailURL == "" && len(entries) > 0 {
		detailURL = entries[0].URL
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
		var j bytes.Buffer
		enc := json.NewEncoder(&j)
		enc.SetEscapeHTML(false) // "ul > li", "a=1&b=2" as written
		_ = enc.Encode(s)
		return strings.TrimSpace(j.String())
	}
	qs := func(ss []string) string {
		out := make([]string, len(ss))
		for i, s := range ss {
			out[i] = q(s)
		}
		return "[" + strings.Join(out, ", ") + "]"
	}
	for _, n := range notes {
		// Notes quote page content (JSON keys, URLs): a line break in it
		// must not end the comment and write YAML into the block.
		fmt.Fprintf(&b, "  # %s\n", strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return ' '
			}
			return r
		}, n))
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
	field("page_param", list.PageParam)
	if len(detail.Title) > 0 || len(detail.Body) > 0 || len(detail.Published) > 0 {
		b.WriteString("    detail:\n")
		for _, f := range []struct {
			key  string
			sels []string
		}{{"title", detail.Title}, {"title_suffixes", detail.TitleSuffixes}, {"body", detail.Body}, {"published", detail.Published}} {
			if len(f.sels) > 0 {
				fmt.Fprintf(&b, "      %s: %s\n", f.key, qs(f.sels))
			}
		}
	}
	return b.String()
}
