package render_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gyeco/syndicator/sinks/site/render"
	"github.com/gyeco/syndicator/syndicator"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

func renderArticle(t *testing.T, r *render.Renderer, a render.Article) *html.Node {
	t.Helper()
	b, err := r.Article(&a)
	if err != nil {
		t.Fatalf("Article: %v", err)
	}
	return parseHTML(t, b)
}

func TestArticleMeta(t *testing.T) {
	dayOnly := repealedArticle()
	dayOnly.Item.Origin = "贵州省生态环境厅"
	seconds := govcnArticle()
	seconds.Item.PublishedAt = seconds.Item.PublishedAt.Add(5 * time.Second)
	seconds.Item.PublishedPrecision = syndicator.PrecisionSecond
	noOrigin := govcnArticle()
	noOrigin.Item.Origin, noOrigin.Item.Issuer = "", ""

	tests := []struct {
		name string
		art  render.Article
		want map[string]string
	}{
		{"minute", govcnArticle(), map[string]string{
			"SiteName":      "贵阳市生态文明委员会",
			"ArticleTitle":  "国务院关于加强生态环境分区管控的意见",
			"PubDate":       "2026-09-11 17:00",
			"ContentSource": "国务院办公厅",
			"ColumnName":    "国务院重要政策信息",
			"viewport":      "width=device-width, initial-scale=1",
		}},
		{"day", dayOnly, map[string]string{
			"SiteName":      "贵阳市生态文明委员会",
			"ArticleTitle":  "贵州省人民政府关于印发贵州省大气污染防治行动计划实施方案的通知",
			"PubDate":       "2019-02-12",
			"ContentSource": "贵州省生态环境厅",
			"ColumnName":    "政策文件",
			"viewport":      "width=device-width, initial-scale=1",
		}},
		{"second precision shows minutes", seconds, map[string]string{
			"SiteName":      "贵阳市生态文明委员会",
			"ArticleTitle":  "国务院关于加强生态环境分区管控的意见",
			"PubDate":       "2026-09-11 17:00",
			"ContentSource": "国务院办公厅",
			"ColumnName":    "国务院重要政策信息",
			"viewport":      "width=device-width, initial-scale=1",
		}},
		{"no origin or issuer", noOrigin, map[string]string{
			"SiteName":      "贵阳市生态文明委员会",
			"ArticleTitle":  "国务院关于加强生态环境分区管控的意见",
			"PubDate":       "2026-09-11 17:00",
			"ContentSource": "中国政府网",
			"ColumnName":    "国务院重要政策信息",
			"viewport":      "width=device-width, initial-scale=1",
		}},
	}
	r := newRenderer(t, testSite(""))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := renderArticle(t, r, tt.art)
			if diff := cmp.Diff(tt.want, metas(doc)); diff != "" {
				t.Errorf("meta tags (-want +got):\n%s", diff)
			}
			title := find(doc, func(n *html.Node) bool { return n.DataAtom == atom.Title })
			if got, want := text(title), tt.art.Item.Title+"_贵阳市生态文明委员会"; got != want {
				t.Errorf("<title> = %q, want %q", got, want)
			}
		})
	}
}

func TestArticleCanonicalOnlyWithBaseURL(t *testing.T) {
	a := govcnArticle()
	for _, tt := range []struct{ base, want string }{
		{"", ""},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080/gwyzcxx/202609/t20260911_3f9a1c0d5e7b2a4c6d8e0f1a2b3c4d5e.html"},
		{"https://sthj.guiyang.gov.cn/zz/", "https://sthj.guiyang.gov.cn/zz/gwyzcxx/202609/t20260911_3f9a1c0d5e7b2a4c6d8e0f1a2b3c4d5e.html"},
	} {
		doc := renderArticle(t, newRenderer(t, testSite(tt.base)), a)
		link := find(doc, func(n *html.Node) bool { return n.DataAtom == atom.Link && attr(n, "rel") == "canonical" })
		if got := attr(link, "href"); got != tt.want {
			t.Errorf("base %q: canonical = %q, want %q", tt.base, got, tt.want)
		}
	}
}

func TestArticleTitleEscapedAndExact(t *testing.T) {
	a := govcnArticle()
	a.Item.Title = `关于<script>alert("x")</script>&amp; “生态” & 环境 <b>保护</b>的通知`
	r := newRenderer(t, testSite(""))
	b, err := r.Article(&a)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "<script>") || strings.Contains(string(b), "<b>保护") {
		t.Errorf("title markup leaked into the page unescaped")
	}
	doc := parseHTML(t, b)
	h1 := byClass(doc, "article-title")
	if got := text(h1); got != a.Item.Title {
		t.Errorf("<h1> = %q, want %q", got, a.Item.Title)
	}
	if h1.FirstChild == nil || h1.FirstChild != h1.LastChild || h1.FirstChild.Type != html.TextNode {
		t.Errorf("<h1> holds elements, want one text node")
	}
	if got := metas(doc)["ArticleTitle"]; got != a.Item.Title {
		t.Errorf("ArticleTitle = %q, want %q", got, a.Item.Title)
	}
	title := find(doc, func(n *html.Node) bool { return n.DataAtom == atom.Title })
	if got, want := text(title), a.Item.Title+"_贵阳市生态文明委员会"; got != want {
		t.Errorf("<title> = %q, want %q", got, want)
	}
}

// attribution returns the labelled rows of the attribution block.
func attribution(doc *html.Node) map[string]string {
	rows := map[string]string{}
	for _, tr := range findAll(byClass(doc, "attribution"), func(n *html.Node) bool { return n.DataAtom == atom.Tr }) {
		th := find(tr, func(n *html.Node) bool { return n.DataAtom == atom.Th })
		td := find(tr, func(n *html.Node) bool { return n.DataAtom == atom.Td })
		rows[text(th)] = text(td)
	}
	return rows
}

func TestArticleAttribution(t *testing.T) {
	r := newRenderer(t, testSite(""))
	doc := renderArticle(t, r, govcnArticle())
	want := map[string]string{
		"来源":   "国务院办公厅（中国政府网）",
		"原文链接": "https://www.gov.cn/zhengce/content/202609/content_7080735.htm",
		"发文字号": "国发〔2026〕12号",
		"索引号":  "000014349/2026-00098",
		"发文机关": "国务院",
		"成文日期": "2026年09月08日",
		"发布日期": "2026年09月11日 17:00",
		"有效性":  "有效",
		"转载时间": "2026年09月12日 09:30",
	}
	if diff := cmp.Diff(want, attribution(doc)); diff != "" {
		t.Errorf("attribution (-want +got):\n%s", diff)
	}
	orig := find(byClass(doc, "attribution"), func(n *html.Node) bool { return n.DataAtom == atom.A })
	if got := attr(orig, "href"); got != govcnArticle().Item.URL {
		t.Errorf("原文链接 href = %q, want %q", got, govcnArticle().Item.URL)
	}
	if got, want := text(byClass(doc, "update-note")), "更新：2026年09月12日 09:30（第2版）"; got != want {
		t.Errorf("update note = %q, want %q", got, want)
	}
	if byClass(doc, "banner") != nil {
		t.Errorf("effective document has a banner")
	}

	// A first revision has no update note and leaves out empty rows.
	a := repealedArticle()
	a.Item.DocNumber, a.Item.WrittenAt = "", ""
	a.PublishedAt = time.Time{}
	doc = renderArticle(t, r, a)
	want = map[string]string{
		"来源":   "贵州省人民政府（贵州省人民政府网）",
		"原文链接": a.Item.URL,
		"发文机关": "贵州省人民政府",
		"发布日期": "2019年02月12日",
		"有效性":  "已废止",
	}
	if diff := cmp.Diff(want, attribution(doc)); diff != "" {
		t.Errorf("sparse attribution (-want +got):\n%s", diff)
	}
	if byClass(doc, "update-note") != nil {
		t.Errorf("first revision has an update note")
	}
}

func TestArticleValidity(t *testing.T) {
	tests := []struct {
		validity    syndicator.Validity
		label       string
		bannerClass string
		bannerText  string
	}{
		{syndicator.ValidityEffective, "有效", "", ""},
		{syndicator.ValidityAmended, "已修改", "banner-amended", "本文件已修改"},
		{syndicator.ValidityRepealed, "已废止", "banner-repealed", "本文件已废止"},
		{syndicator.ValidityExpired, "已失效", "banner-expired", "本文件已失效"},
		// An unknown validity is not shown: no public 有效性：未知 row.
		{syndicator.ValidityUnknown, "", "", ""},
		{"", "", "", ""},
	}
	r := newRenderer(t, testSite(""))
	for _, tt := range tests {
		t.Run(string(tt.validity), func(t *testing.T) {
			a := repealedArticle()
			a.Item.Validity = tt.validity
			doc := renderArticle(t, r, a)
			if got, shown := attribution(doc)["有效性"]; got != tt.label || shown != (tt.label != "") {
				t.Errorf("有效性 = %q, want %q", got, tt.label)
			}
			b := byClass(doc, "banner")
			if tt.bannerClass == "" {
				if b != nil {
					t.Errorf("unexpected banner %q", text(b))
				}
				return
			}
			if b == nil || !hasClass(b, tt.bannerClass) || text(b) != tt.bannerText {
				t.Fatalf("banner = %q class %q, want %q class %q", text(b), attr(b, "class"), tt.bannerText, tt.bannerClass)
			}
			// The banner comes before the title.
			for n := b; n != nil; n = n.NextSibling {
				if n.DataAtom == atom.Article {
					return
				}
			}
			t.Errorf("banner does not precede the article")
		})
	}
}

func TestArticleBodyAndAttachments(t *testing.T) {
	a := govcnArticle()
	a.Attachments = append(a.Attachments,
		render.Link{Href: "attachments/abc.docx?v=2"},
		render.Link{Name: "原件", Href: "https://www.gov.cn/zhengce/content/202609/P020260911.pdf"},
	)
	doc := renderArticle(t, newRenderer(t, testSite("")), a)
	body := byClass(doc, "article-body")
	if got := len(findAll(body, func(n *html.Node) bool { return n.DataAtom == atom.P })); got != 3 {
		t.Errorf("body has %d <p>, want 3 (inserted as HTML)", got)
	}
	var got []render.Link
	for _, l := range findAll(byClass(doc, "attachments"), func(n *html.Node) bool { return n.DataAtom == atom.A }) {
		got = append(got, render.Link{Name: text(l), Href: attr(l, "href")})
	}
	want := []render.Link{
		{Name: "附件：重点任务分工表.pdf", Href: "../../attachments/9b2e5c7d.pdf"},
		{Name: "abc.docx?v=2", Href: "../../attachments/abc.docx?v=2"},
		{Name: "原件", Href: "https://www.gov.cn/zhengce/content/202609/P020260911.pdf"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("attachments (-want +got):\n%s", diff)
	}
	if h := text(find(byClass(doc, "attachments"), func(n *html.Node) bool { return n.DataAtom == atom.H2 })); h != "附件" {
		t.Errorf("attachments heading = %q, want 附件", h)
	}

	a.Attachments = nil
	if byClass(renderArticle(t, newRenderer(t, testSite("")), a), "attachments") != nil {
		t.Errorf("attachments section without attachments")
	}
}

func TestArticleNavigation(t *testing.T) {
	doc := renderArticle(t, newRenderer(t, testSite("")), govcnArticle())
	var got []string
	for _, l := range findAll(byClass(doc, "back"), func(n *html.Node) bool { return n.DataAtom == atom.A }) {
		got = append(got, text(l)+" "+attr(l, "href"))
	}
	want := []string{"返回国务院重要政策信息 ../index.html", "返回首页 ../../index.html"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("back links (-want +got):\n%s", diff)
	}
}

func TestArticlePath(t *testing.T) {
	tests := []struct {
		name      string
		published time.Time
		column    string
		itemCol   string
		want      string
	}{
		{"beijing date after utc evening", time.Date(2026, 9, 30, 20, 0, 0, 0, time.UTC), "zcwj", "", "zcwj/202610/t20261001_ID.html"},
		{"beijing date same day", time.Date(2026, 9, 30, 15, 59, 0, 0, time.UTC), "zcwj", "", "zcwj/202609/t20260930_ID.html"},
		{"item column as fallback", bj(2026, 1, 5, 0, 0), "", "stdt", "stdt/202601/t20260105_ID.html"},
		{"article column wins", bj(2026, 1, 5, 0, 0), "zcwj", "stdt", "zcwj/202601/t20260105_ID.html"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := render.Article{Column: tt.column, Item: syndicator.Item{ID: "ID", PublishedAt: tt.published, Column: tt.itemCol}}
			if got := render.ArticlePath(&a); got != tt.want {
				t.Errorf("ArticlePath = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestArticleInvalid(t *testing.T) {
	tests := []struct {
		name   string
		change func(*render.Article)
	}{
		{"unknown column", func(a *render.Article) { a.Column = "nope" }},
		{"no column", func(a *render.Article) { a.Column = "" }},
		{"unsafe id", func(a *render.Article) { a.Item.ID = "../../etc" }},
		{"empty id", func(a *render.Article) { a.Item.ID = "" }},
		{"no title", func(a *render.Article) { a.Item.Title = "" }},
		{"no publication time", func(a *render.Article) { a.Item.PublishedAt = time.Time{} }},
		{"no original url", func(a *render.Article) { a.Item.URL = "" }},
		{"javascript original url", func(a *render.Article) { a.Item.URL = "javascript:alert(1)" }},
		{"no source", func(a *render.Article) { a.Item.Origin, a.Item.Issuer, a.SourceName = "", "", "" }},
		{"attachment leaves docroot", func(a *render.Article) { a.Attachments = []render.Link{{Name: "x", Href: "../secret.pdf"}} }},
		{"attachment root-relative", func(a *render.Article) { a.Attachments = []render.Link{{Name: "x", Href: "/attachments/x.pdf"}} }},
		{"attachment javascript", func(a *render.Article) { a.Attachments = []render.Link{{Name: "x", Href: "javascript:alert(1)"}} }},
		{"updated without time", func(a *render.Article) { a.PublishedAt, a.Item.FetchedAt = time.Time{}, time.Time{} }},
	}
	r := newRenderer(t, testSite(""))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := govcnArticle()
			tt.change(&a)
			_, err := r.Article(&a)
			if !errors.Is(err, render.ErrInvalid) || !syndicator.IsPermanent(err) {
				t.Errorf("Article error = %v, want a permanent ErrInvalid", err)
			}
		})
	}
}
