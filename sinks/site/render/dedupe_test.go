package render_test

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// TestArticleAttachmentsListedOnce: the body's own list of the attachments
// (as the source page had it) is dropped, so each attachment is listed
// once, in the 附件 block; a link inside running text stays.
func TestArticleAttachmentsListedOnce(t *testing.T) {
	a := govcnArticle()
	const href = "../../attachments/9b2e5c7d.pdf"
	a.Item.BodyHTML = `<p>各地区各部门要按照<a href="` + href + `">附件</a>分工抓好落实。</p>` +
		`<p>附件：</p>` +
		`<p><a href="` + href + `">1. 重点任务分工表.pdf</a><br></p>` +
		`<ul><li><a href="https://www.gov.cn/other.pdf">其他文件.pdf</a></li></ul>` +
		`<p>国务院</p>`
	doc := renderArticle(t, newRenderer(t, testSite("")), a)
	count := func(n *html.Node) int {
		return len(findAll(n, func(n *html.Node) bool { return n.DataAtom == atom.A && attr(n, "href") == href }))
	}
	body := byClass(doc, "article-body")
	if got := count(body); got != 1 {
		t.Errorf("body links the attachment %d times, want 1 (the in-text link)", got)
	}
	if got := count(byClass(doc, "attachments")); got != 1 {
		t.Errorf("附件 block links the attachment %d times, want 1", got)
	}
	text := text(body)
	for _, want := range []string{"分工抓好落实", "其他文件.pdf", "国务院"} {
		if !strings.Contains(text, want) {
			t.Errorf("body lost %q: %q", want, text)
		}
	}
	if strings.Contains(text, "附件：") {
		t.Errorf("body keeps the orphaned 附件： label: %q", text)
	}
}
