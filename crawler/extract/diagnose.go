package extract

import (
	"cmp"
	"errors"
	"fmt"
	"html"
	"net/url"
	"regexp"

	"github.com/gyeco/syndicator/config"
)

// ListDiagnose explains, in Simplified Chinese for the operator, why a list
// page yields no entries under rule: the step at which the rows were lost
// and the selector, field or pattern responsible, e.g.
//
//	列表条目选择器 "ul.NewsList li" 未匹配任何元素；页面标题 "安全验证"
//	条目选择器匹配 20 个元素，但链接选择器 "a[href]@href" 在其中均未匹配
//	20 个链接均不符合 link_pattern "/zhengce/(.*/)?content_\d+\.html?$"（如 "/zhuanti/x/index.htm"）
//	JSON 中没有路径 "data.list" 的数组（该路径不存在）
//	数组有 30 行，但字段 "URL" 均为空
//
// For a page List rejects with an error it explains the error. It returns
// "" when the page yields at least one entry. It reads the page again, so
// call it only after List gave no entries (a health check, source test).
func ListDiagnose(body []byte, contentType string, pageURL *url.URL, rule config.ListRule) string {
	entries, st, err := readList(body, contentType, pageURL, rule)
	if err != nil {
		var pe *pageError
		if errors.As(err, &pe) {
			return pe.zh + titleHint(st.text)
		}
		return "无法读取列表：" + err.Error()
	}
	if len(entries) > 0 {
		return ""
	}
	switch {
	case st.rows == 0:
		return noRows(rule) + titleHint(st.text) + scriptHint(body, contentType, pageURL, rule)
	case st.links == 0:
		return noLinks(rule, st.rows)
	case st.usable == 0:
		return fmt.Sprintf("%s，其中 %d 个有链接，但均不是可用的 http(s) 链接（如 %s）",
			rowsFound(rule, st.rows), st.links, quote(st.badLink))
	}
	return fmt.Sprintf("%d 个链接均不符合 link_pattern %s（如 %s）", st.usable, quote(rule.LinkPattern), quote(st.rejected))
}

func noRows(rule config.ListRule) string {
	switch rule.Kind {
	case config.KindJSON:
		if rule.ItemsPath == "" {
			return "JSON 顶层数组为空"
		}
		return fmt.Sprintf("JSON 路径 %s 的数组为空", quote(rule.ItemsPath))
	case config.KindFeed:
		return "订阅源中没有条目（RSS item 或 Atom entry）"
	}
	return fmt.Sprintf("列表条目选择器 %s 未匹配任何元素", quote(rule.Item))
}

func noLinks(rule config.ListRule, rows int) string {
	switch rule.Kind {
	case config.KindJSON:
		return fmt.Sprintf("数组有 %d 行，但字段 %s 均为空", rows, quote(cmp.Or(rule.URLField, defaultURLField)))
	case config.KindFeed:
		return fmt.Sprintf("订阅源有 %d 个条目，但均没有链接", rows)
	}
	return fmt.Sprintf("条目选择器匹配 %d 个元素，但链接选择器 %s 在其中均未匹配", rows, quote(cmp.Or(rule.Link, defaultLink)))
}

func rowsFound(rule config.ListRule, rows int) string {
	switch rule.Kind {
	case config.KindJSON:
		return fmt.Sprintf("数组有 %d 行", rows)
	case config.KindFeed:
		return fmt.Sprintf("订阅源有 %d 个条目", rows)
	}
	return fmt.Sprintf("条目选择器匹配 %d 个元素", rows)
}

// quote puts s in ASCII double quotes without escaping, so that a regular
// expression reads as written.
func quote(s string) string { return `"` + s + `"` }

// reTitle finds the <title> of an HTML page: an error or verification page
// served instead of the list names itself there.
var reTitle = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)

// titleHint is "；页面标题 "…"" when text is a page with a title.
func titleHint(text string) string {
	m := reTitle.FindStringSubmatch(text[:min(len(text), 64<<10)])
	if m == nil {
		return ""
	}
	t := collapseSpace(html.UnescapeString(m[1]))
	if t == "" {
		return ""
	}
	if r := []rune(t); len(r) > 60 {
		t = string(r[:60]) + "…"
	}
	return "；页面标题 " + quote(t)
}

// scriptHint names what an html list page's script loads, when it loads
// something: a page redesigned into a shell that fetches its rows.
func scriptHint(body []byte, contentType string, pageURL *url.URL, rule config.ListRule) string {
	if rule.Kind != config.KindHTML {
		return ""
	}
	if calls := ScriptDataURLs(body, contentType, pageURL); len(calls) > 0 {
		return fmt.Sprintf("；页面脚本从 %s 读取数据，条目可能改由该接口提供：可对它运行 source suggest", calls[0])
	}
	return ""
}
