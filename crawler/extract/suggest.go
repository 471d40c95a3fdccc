package extract

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"github.com/gyeco/syndicator/config"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
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
	if pattern != nil {
		rule.LinkPattern = trsDetail.String()
		notes = append(notes, "详情页网址是 TRS 的 t<日期>_<编号>.html 形式，已设 link_pattern")
	}
	// The date: the element of the first row holding its date.
	if d := dateElement(rows[0].node); d != nil {
		rule.Date = ownName(d) // read inside the row
	} else {
		notes = append(notes, "条目的日期不在单独的元素里，未设 list.date：发布时间将取详情页的日期")
	}
	if strings.Contains(text, "createPageHTML(") || strings.Contains(text, "index_1.") {
		rule.Pages = 10
		notes = append(notes, "列表分页是 TRS 的 index_N.html（createPageHTML），已设 pages: 10")
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

// suggestJSONList finds the array of rows in a JSON list and the fields of
// its rows holding a page URL, a title and a date.
func suggestJSONList(text string, pageURL *url.URL) (rule config.ListRule, notes []string, ok bool) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return rule, []string{"页面不是有效的 JSON：" + err.Error()}, false
	}
	path, rows := jsonRowsArray(doc, "")
	if len(rows) == 0 {
		return rule, []string{"JSON 中没有找到由对象组成的数组：请手写 list.items_path 和各字段"}, false
	}
	rule = config.ListRule{Kind: config.KindJSON, ItemsPath: path}
	first := rows[0]
	keys := make([]string, 0, len(first))
	for k := range first {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s := scalar(first[k])
		switch {
		case rule.URLField == "" && (strings.HasSuffix(s, ".htm") || strings.HasSuffix(s, ".html") || strings.HasSuffix(s, ".shtml")):
			rule.URLField = k
		case rule.DateField == "":
			if _, _, err := ParseTime(s); err == nil {
				rule.DateField = k
			}
		}
	}
	// The title: the longest text with Chinese characters that is not the
	// URL or the date.
	for _, k := range keys {
		s := scalar(first[k])
		if k != rule.URLField && k != rule.DateField && hasHan(s) && len(s) > len(scalar(first[rule.TitleField])) {
			rule.TitleField = k
		}
	}
	if rule.URLField == "" || rule.TitleField == "" {
		return rule, []string{"JSON 行里没有找到网址或标题字段：请手写 list.url_field、title_field"}, false
	}
	if rule.DateField == "" {
		notes = append(notes, "JSON 行里没有找到日期字段：发布时间将取详情页的日期")
	}
	var paths []string
	for _, row := range rows {
		if u, err := pageURL.Parse(scalar(row[rule.URLField])); err == nil {
			paths = append(paths, u.Path)
		}
	}
	if seg, kept := majorityDir(paths); seg != "" {
		rule.LinkPattern = "/" + regexp.QuoteMeta(seg) + "/"
		notes = append(notes, fmt.Sprintf("列表 %d 行中有 %d 行在 /%s/ 下，其余在别的栏目（多为新闻）：已用 link_pattern 只保留前者；如也要其余的，删去 link_pattern", len(paths), kept, seg))
	}
	notes = append(notes, fmt.Sprintf("JSON 列表：items_path %q，网址 %s，标题 %s，日期 %s", path, rule.URLField, rule.TitleField, cmpOr(rule.DateField, "（无）")))
	return rule, notes, true
}

// jsonRowsArray returns the first array of objects in v, depth first,
// and its dotted path.
func jsonRowsArray(v any, path string) (string, []map[string]any) {
	switch x := v.(type) {
	case []any:
		var rows []map[string]any
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				rows = append(rows, m)
			}
		}
		if len(rows) > 0 {
			return path, rows
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if q, rows := jsonRowsArray(x[k], p); len(rows) > 0 {
				return q, rows
			}
		}
	}
	return "", nil
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

// SuggestDetail infers a detail rule from a detail page: the title (the
// ArticleTitle meta tag or the h1), the body (the densest block of prose,
// by its selector). Metadata needs no rule: it is found by its labels.
func SuggestDetail(body []byte, contentType string, pageURL *url.URL) (rule config.DetailRule, notes []string) {
	text, _, err := Decode(body, contentType)
	if err != nil {
		return rule, []string{"详情页无法解码：" + err.Error()}
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(text))
	if err != nil {
		return rule, []string{"详情页无法解析为 HTML"}
	}
	root := newTree(doc.Selection)
	if doc.Find(`meta[name="ArticleTitle"]`).Length() > 0 {
		rule.Title = append(rule.Title, "meta[name=ArticleTitle]@content")
	}
	if h := doc.Find("h1").First(); h.Length() > 0 && strings.TrimSpace(h.Text()) != "" {
		rule.Title = append(rule.Title, "h1")
	} else if n := headingOf(root, doc.Find("title").First().Text()); n != nil {
		rule.Title = append(rule.Title, selectorOf(n))
	}
	rule.Title = append(rule.Title, "title")
	if n := densestBlock(root); n != nil {
		rule.Body = []string{selectorOf(n)}
	} else {
		notes = append(notes, "没有找到正文：请手写 detail.body 选择器")
	}
	if findMetaBlock(root, newLabels(nil).known) != nil {
		notes = append(notes, "元数据（索引号、发文字号等）按标签自动识别，无需 meta_tables")
	} else {
		notes = append(notes, "详情页上没有找到元数据块（索引号、发文字号等）")
	}
	return rule, notes
}

// majorityDir finds where the paths first differ and, when one directory
// there holds at least two thirds of them but not all, returns it: a list
// that mixes policy pages with another column's (gov.cn's 最新政策 carries
// 要闻) is read for the first only.
func majorityDir(paths []string) (seg string, kept int) {
	if len(paths) < minGenericRows {
		return "", 0
	}
	split := make([][]string, len(paths))
	for i, p := range paths {
		split[i] = strings.Split(strings.Trim(p, "/"), "/")
	}
	for depth := 0; ; depth++ {
		count := map[string]int{}
		for _, parts := range split {
			if depth >= len(parts)-1 { // the file name is no directory
				return "", 0
			}
			count[parts[depth]]++
		}
		if len(count) == 1 {
			continue
		}
		best, n := "", 0
		for k, c := range count {
			if c > n || c == n && k < best {
				best, n = k, c
			}
		}
		if 3*n >= 2*len(paths) {
			return best, n
		}
		return "", 0
	}
}

// headingOf is the first element of the body whose text is the page's
// <title> without its site suffix ("通知_某县人民政府" → "通知"): the
// article's heading on a page without an h1.
func headingOf(doc *tree, title string) *html.Node {
	title = collapseHTMLSpace(title)
	for _, sep := range []string{"_", " - ", "|", "－", "—"} {
		if i := strings.Index(title, sep); i > 0 {
			title = strings.TrimSpace(title[:i])
			break
		}
	}
	if utf8.RuneCountInString(title) < 4 {
		return nil
	}
	for _, n := range doc.elems {
		if n.Data == "title" || n.Data == "head" || n.Data == "meta" {
			continue
		}
		if collapseHTMLSpace(nodeText(n)) == title && !hasElementChild(n, atom.Div, atom.P, atom.Table) {
			return n
		}
	}
	return nil
}
