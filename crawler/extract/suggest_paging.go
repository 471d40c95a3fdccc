package extract

import (
	"cmp"
	"fmt"
	"maps"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// suggestedPages is how many pages a suggested rule reads per poll. An
// incremental poll stops at the first page with nothing new, so this
// bounds the first poll (which imports that much history) and a poll
// after a long outage.
const suggestedPages = 10

var (
	// trsPager is the TRS platform's inline pager call: createPageHTML(
	// on Guizhou, createPage( on Guiyang department sites; the first
	// argument is the number of pages.
	trsPager = regexp.MustCompile(`\b(createPage(?:HTML)?)\(\s*(\d+)\s*,`)
	// trsPageFile is a later page's file name: index_1.html, list_2.shtml.
	trsPageFile = regexp.MustCompile(`^(.+)_(\d+)(\.s?html?)$`)
	// pageParamName are query parameters that number pages. Offsets
	// (start=20) are not page numbers and are not guessed.
	// rowTotalName are envelope keys counting a list's rows (not its pages).
	rowTotalName  = regexp.MustCompile(`(?i)^(total|totalcount|total_count|totalnum|total_num|totalrecords|totalrecord|totalsize|recordcount|recordtotal|count)$`)
	pageParamName = regexp.MustCompile(`(?i)^(p|pn|pg|page|pageno|page_no|pagenum|pagenumber|page_num|pageindex|page_index|curpage|cur_page|currentpage|current)$`)
)

// htmlPaging infers how an html list's later pages are named: by the TRS
// pager script, by links to index_N files beside the page, or by links
// that differ from the page's URL in one numbered query parameter (the
// pager's 下一页, 2, 3 …). param is that parameter; ok is false when the
// page shows no paging.
func htmlPaging(doc *goquery.Document, text string, pageURL *url.URL) (param string, ok bool, note string) {
	if m := trsPager.FindStringSubmatch(text); m != nil {
		return "", true, fmt.Sprintf("列表分页是 TRS 的 index_N.html（页面脚本 %s，共 %s 页）：已设 pages: %d", m[1], m[2], suggestedPages)
	}
	dir, file := path.Split(pageURL.Path)
	stem := strings.TrimSuffix(cmp.Or(file, "index.html"), path.Ext(cmp.Or(file, "index.html")))
	pageQuery := pageURL.Query()
	files, params := 0, map[string]int{}
	doc.Find("a[href]").Each(func(_ int, a *goquery.Selection) {
		href, _ := a.Attr("href")
		u, err := pageURL.Parse(strings.TrimSpace(href))
		if err != nil || u.Host != pageURL.Host {
			return
		}
		if d, f := path.Split(u.Path); d == dir {
			if m := trsPageFile.FindStringSubmatch(f); m != nil && m[1] == stem {
				files++
				return
			}
		}
		if u.Path != pageURL.Path {
			return
		}
		// Only a parameter named like a page number: links to sibling
		// columns differ in a number too (columnid=2102).
		if p := numberedParam(pageQuery, u.Query()); p != "" && pageParamName.MatchString(p) {
			params[p]++
		}
	})
	if files > 0 {
		return "", true, fmt.Sprintf("列表的分页链接是 %s_N 文件（TRS 式）：已设 pages: %d", stem, suggestedPages)
	}
	var best string
	for _, p := range slices.Sorted(maps.Keys(params)) {
		if params[p] > params[best] {
			best = p
		}
	}
	if best != "" {
		return best, true, fmt.Sprintf("列表的分页链接以查询参数 %s 编号（第 2 页为 %s）：已设 page_param: %s、pages: %d", best, QueryPageURL(pageURL, best, 1), best, suggestedPages)
	}
	return "", false, ""
}

// numberedParam returns the one query parameter in which link differs
// from page, when its value on link is a number; "" otherwise.
func numberedParam(page, link url.Values) string {
	var diff []string
	for k := range link {
		if link.Get(k) != page.Get(k) {
			diff = append(diff, k)
		}
	}
	for k := range page {
		if _, ok := link[k]; !ok {
			diff = append(diff, k)
		}
	}
	if len(diff) != 1 {
		return ""
	}
	if _, err := strconv.Atoi(link.Get(diff[0])); err != nil {
		return ""
	}
	return diff[0]
}

// jsonPaging proposes the list URL's page-number parameter (p=1, pageNo=1)
// as page_param. When the URL has none but the JSON says there is more
// (a total or a page count), the note says what to write.
func jsonPaging(doc any, rows int, pageURL *url.URL) (param string, note string) {
	q := pageURL.Query()
	for _, k := range slices.Sorted(maps.Keys(q)) {
		if _, err := strconv.Atoi(q.Get(k)); err == nil && pageParamName.MatchString(k) {
			return k, fmt.Sprintf("接口网址的 %s=%s 是页码：已设 page_param: %s、pages: %d", k, q.Get(k), k, suggestedPages)
		}
	}
	if total, key := jsonTotal(doc); total > rows {
		return "", fmt.Sprintf("JSON 的 %q 为 %d，多于本页的 %d 行，但网址里没有页码参数：如要读后面的页，请在网址里写上页码参数（如 page=1）并设 page_param", key, total, rows)
	}
	return "", ""
}

// jsonTotal finds a count of rows or pages in a JSON list's envelope
// (total, totalCount, pageCount …), outside its arrays.
func jsonTotal(v any) (int, string) {
	m, ok := v.(map[string]any)
	if !ok {
		return 0, ""
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if rowTotalName.MatchString(k) {
			if n, err := strconv.Atoi(scalar(m[k])); err == nil {
				return n, k
			}
		}
		if n, key := jsonTotal(m[k]); key != "" {
			return n, k + "." + key
		}
	}
	return 0, ""
}
