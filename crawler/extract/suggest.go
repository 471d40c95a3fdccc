package extract

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/syndicator"
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
	rule.URLField, rule.TitleField, rule.DateField = jsonRowFields(rows[0])
	if rule.URLField == "" || rule.TitleField == "" {
		return rule, []string{"JSON 行里没有找到网址或标题字段：请手写 list.url_field、title_field"}, false
	}
	if rule.DateField == "" {
		notes = append(notes, "JSON 行里没有找到日期字段：发布时间将取详情页的日期")
	}
	if param, note := jsonPaging(doc, len(rows), pageURL); param != "" {
		rule.Pages, rule.PageParam = suggestedPages, param
		notes = append(notes, note)
	} else {
		notes = append(notes, cmpOr(note, "接口网址里没有页码参数：只读这一个网址（gov.cn 的 JSON 列表是整个栏目一个文件，无需分页）"))
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
	title := doc.Find("title").First().Text()
	if doc.Find(`meta[name="ArticleTitle"]`).Length() > 0 {
		rule.Title = append(rule.Title, "meta[name=ArticleTitle]@content")
	}
	// The element whose text is the <title>'s first part is the heading;
	// the first h1 may be the site's logo (gov.cn's template B).
	heading := headingOf(root, title)
	if heading != nil {
		rule.Title = append(rule.Title, selectorOf(heading))
	} else if h := doc.Find("h1").First(); h.Length() > 0 && strings.TrimSpace(h.Text()) != "" {
		rule.Title = append(rule.Title, "h1")
	}
	rule.Title = append(rule.Title, "title")
	rule.TitleSuffixes = titleSuffixes(title)
	if n := densestBlock(root); n != nil {
		// A lone paragraph is the densest block of a short article: its
		// container holds the rest (a second paragraph, the attachments).
		for n.Parent != nil && (n.DataAtom == atom.P || n.DataAtom == atom.Span || n.DataAtom == atom.Font) {
			n = n.Parent
		}
		rule.Body = []string{selectorOf(n)}
	} else {
		notes = append(notes, "没有找到正文：请手写 detail.body 选择器")
	}
	if d := datelineOf(root, heading); d != nil {
		rule.Published = append(slices.Clone(defaultPublished), selectorOf(d))
		notes = append(notes, "标题下方有带时刻的日期行，已设 detail.published（页面的 PubDate 等元标签仍优先）")
	}
	if findMetaBlock(root, newLabels(nil).known) != nil {
		notes = append(notes, "元数据（索引号、发文字号等）按标签自动识别，无需 meta_tables")
	} else {
		notes = append(notes, "详情页上没有找到元数据块（索引号、发文字号等）")
	}
	return rule, notes
}

// dateDir is a directory named for a date: 2026, 202611, 20261130.
var dateDir = regexp.MustCompile(`^(19|20)\d{2}(\d{2}){0,2}$`)

// titleSuffixes are the <title>'s parts after its first ("通知_国务院文件_
// 中国政府网" → 国务院文件): the site and column names to drop when the
// <title> is all a page has. Parts ending in 中国政府网 are always dropped.
func titleSuffixes(title string) []string {
	parts := strings.Split(collapseHTMLSpace(title), "_")
	var out []string
	for _, p := range parts[1:] {
		if p = strings.TrimSpace(p); p != "" && !strings.HasSuffix(p, "中国政府网") {
			out = append(out, p)
		}
	}
	return out
}

// datelineOf is the first short element after the heading whose text
// holds a date with a time ("2026-09-11 17:30 来源：新华社"): the page's
// publication time on templates with no PubDate meta tag.
func datelineOf(doc *tree, heading *html.Node) *html.Node {
	if heading == nil {
		return nil
	}
	after, seen := false, 0
	for _, n := range doc.elems {
		if n == heading {
			after = true
			continue
		}
		if !after || skipped(n) || n.DataAtom == atom.Script || n.DataAtom == atom.Style {
			continue
		}
		if seen++; seen > 40 {
			return nil
		}
		text := collapseHTMLSpace(nodeText(n))
		if utf8.RuneCountInString(text) > 120 || hasElementChild(n, atom.Div, atom.P, atom.Table) {
			continue
		}
		if _, prec, ok := FindTime(text); ok && prec != syndicator.PrecisionDay {
			return n
		}
	}
	return nil
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
		best, n, dated := "", 0, true
		for k, c := range count {
			if c > n || c == n && k < best {
				best, n = k, c
			}
			dated = dated && dateDir.MatchString(k)
		}
		// Month or day directories (202611/, 2026/11/) are when, not
		// which column: rows of one list spread over them.
		if !dated && 3*n >= 2*len(paths) {
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
