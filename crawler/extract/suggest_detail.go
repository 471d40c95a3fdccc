package extract

import (
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/syndicator"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// SuggestDetail infers a detail rule from a detail page: the title (the
// ArticleTitle meta tag, the element whose text is the <title>'s first
// part, else the h1) and the <title>'s site suffixes, the body (the
// densest block of prose, by its selector) and a dateline under the
// heading as published. Metadata needs no rule: it is found by its labels.
func SuggestDetail(body []byte, contentType string, pageURL *url.URL) (rule config.DetailRule, notes []string) {
	doc, _, err := parsePage(body, contentType)
	if err != nil {
		return rule, []string{"详情页无法读取：" + err.Error()}
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
