package extract

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/gyeco/syndicator/config"
	"golang.org/x/net/html"
)

// Suggestions are rules inferred from a page for `source suggest`: what the
// generic readers find, written down as selectors an operator can read,
// keep and edit. Notes say, in Chinese, what was inferred and what could
// not be, and what to write by hand then.

// trsDetail is the detail-page name of TRS-platform sites (t<date>_<id>).
var trsDetail = regexp.MustCompile(`/t\d{8}_\d+\.s?html?$`)

// SuggestList infers a list rule from a list page: a JSON list (the array
// of rows and its url, title and date fields) or an html list (the rows'
// selector, the date's, a link pattern, and paging). ok is false when the
// page holds no list it can read.
func SuggestList(body []byte, contentType string, pageURL *url.URL) (rule config.ListRule, notes []string, ok bool) {
	text, _, err := Decode(body, contentType)
	if err != nil {
		return rule, []string{"页面无法解码：" + err.Error()}, false
	}
	if t := strings.TrimSpace(text); strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
		return suggestJSONList(t, pageURL)
	}
	return suggestHTMLList(body, contentType, text, pageURL)
}

func suggestHTMLList(body []byte, contentType, text string, pageURL *url.URL) (rule config.ListRule, notes []string, ok bool) {
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(text))
	if err != nil {
		return rule, []string{"页面无法解析为 HTML"}, false
	}
	// TRS detail pages (t<date>_<id>.html) if the list links enough of
	// them, else any page.
	pattern := trsDetail
	container, rowTag, rows := findList(doc, pageURL, pattern)
	if container == nil {
		pattern = nil
		container, rowTag, rows = findList(doc, pageURL, pattern)
	}
	if container == nil {
		return rule, []string{"没有找到列表：页面上没有至少 3 行“链接 + 日期”的重复结构。请手写 list.item、link、date 选择器"}, false
	}
	rule = config.ListRule{Kind: config.KindHTML, Item: selectorOf(container) + " > " + rowTag}
	if err := ValidateList(rule); err != nil {
		// Tag names CSS cannot say (<a0!> in broken markup).
		return rule, []string{"找到了列表，但无法为它写出选择器（" + err.Error() + "）：请手写 list.item"}, false
	}
	if pattern != nil {
		rule.LinkPattern = trsDetail.String()
		notes = append(notes, "详情页网址是 TRS 的 t<日期>_<编号>.html 形式，已设 link_pattern")
	}
	// The date: the element of the first row holding its date.
	if d := dateElement(rows[0].node); d != nil && cssIdent.MatchString(d.Data) {
		rule.Date = ownName(d) // read inside the row
	} else {
		notes = append(notes, "条目的日期不在单独的元素里，未设 list.date：发布时间将取详情页的日期")
	}
	if param, ok, note := htmlPaging(doc, text, pageURL); ok {
		rule.Pages, rule.PageParam = suggestedPages, param
		notes = append(notes, note)
	} else {
		notes = append(notes, "页面上没有找到分页（TRS 分页脚本、index_N 链接或带页码参数的链接）：只读第一页；如有分页，请设 pages 和 page_param")
	}
	// The rule must read what the generic reader read.
	if got, err := List(body, contentType, pageURL, rule); err != nil || len(got) < len(rows) {
		notes = append(notes, fmt.Sprintf("推断的选择器只读出 %d 条（通用识别 %d 条），请核对 list.item", len(got), len(rows)))
	}
	return rule, notes, true
}

// dateElement is the deepest element of row whose text holds the row's
// date and no link.
func dateElement(row *html.Node) *html.Node {
	var found *html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode || c.Data == "a" {
				continue
			}
			if _, _, ok := FindTime(nodeText(c)); ok && !hasLink(c) {
				found = c
			}
			walk(c)
		}
	}
	walk(row)
	return found
}

func hasLink(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && (c.Data == "a" || hasLink(c)) {
			return true
		}
	}
	return false
}

var cssIdent = regexp.MustCompile(`^-?[_a-zA-Z][_a-zA-Z0-9-]*$`)

// selectorOf names n for a rule: tag#id, tag.class.class, or the nearest
// named ancestor's name and n's tag.
func selectorOf(n *html.Node) string {
	if s := ownName(n); s != n.Data {
		return s
	}
	for a, depth := n.Parent, 0; a != nil && a.Type == html.ElementNode && depth < 3; a, depth = a.Parent, depth+1 {
		if s := ownName(a); s != a.Data {
			return s + " " + n.Data
		}
	}
	return n.Data
}

func ownName(n *html.Node) string {
	if id, _ := attrExact(n, "id"); cssIdent.MatchString(id) {
		return n.Data + "#" + id
	}
	var classes []string
	class, _ := attrExact(n, "class")
	for _, c := range strings.Fields(class) {
		if cssIdent.MatchString(c) {
			classes = append(classes, c)
		}
	}
	if len(classes) == 0 {
		return n.Data
	}
	return n.Data + "." + strings.Join(classes, ".")
}
