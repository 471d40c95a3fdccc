package sim

import (
	"bytes"
	"fmt"
	"html"
	"strings"
)

// This file draws the sites of the Guizhou TRS platform (Guizhou, Guiyang):
// paged column lists and detail pages, after sources.md §4.3–4.4, §5 and
// samples/guizhou-guiyang-templates.

// linkTextRunes is where list link text is cut; the title attribute keeps
// the full title.
const linkTextRunes = 28

// guizhouPages is the number of list pages of a column of n releases; an
// empty column still has its page 1.
func guizhouPages(n int) int {
	return max(1, (n+guizhouPageSize-1)/guizhouPageSize)
}

// guizhouPageName is the file name of 0-based page k: index.html, index_1.html, …
func guizhouPageName(k int) string {
	if k == 0 {
		return "index.html"
	}
	return fmt.Sprintf("index_%d.html", k)
}

// pageRows returns the releases on 0-based page k of a list.
func pageRows(newestFirst []*item, k int) []*item {
	return newestFirst[min(k*guizhouPageSize, len(newestFirst)):min((k+1)*guizhouPageSize, len(newestFirst))]
}

// renderTRSList draws 0-based page k of col, whose releases are given
// newest first. Every fifth row is followed by an empty <li class="b">
// spacer, which a row selector must skip (RSSHub uses li:not(.b)).
// Redesigned, the rows are div.news-list-v2 > dl > dd, each an
// a[href][title] and an em.date, with no spacers.
func renderTRSList(t trsSite, col column, newestFirst []*item, k int, redesigned bool) []byte {
	esc := html.EscapeString
	pages := guizhouPages(len(newestFirst))
	rows := pageRows(newestFirst, k)

	var b bytes.Buffer
	trsHead(&b, t, col.name+"_"+t.section+"_"+t.name, col.name)
	b.WriteString("</head>\n<body>\n")
	trsHeader(&b, t, col)
	up := relHref(col.list, t.sectionPath) // "../" below the section, "../szfwj/" beside it
	fmt.Fprintf(&b, "<div class=\"LeftNav\"><h3>%s</h3><ul>\n", esc(t.section))
	for _, l := range t.leftNav {
		fmt.Fprintf(&b, `<li><a href="%s%s/">%s</a></li>`, up, l[0], esc(l[1]))
	}
	b.WriteString("\n</ul></div>\n<div class=\"PageMainBox aBox\">\n<div class=\"ColumnTitle\">" + esc(col.name) + "</div>\n")
	if redesigned {
		b.WriteString("<div class=\"news-list-v2\">\n<dl>\n")
	} else {
		b.WriteString("<ul class=\"NewsList\">\n")
	}
	listDir := col.list
	for i, it := range rows {
		rel := relHref(listDir, it.Path)
		if redesigned {
			fmt.Fprintf(&b, "<dd><a href=\"%s\" target=\"_blank\" title=\"%s\">%s</a><em class=\"date\">%s</em></dd>\n",
				esc(rel), esc(it.Title), esc(linkText(it.Title)), esc(it.ListDate))
			continue
		}
		fmt.Fprintf(&b, "<li><a href=\"%s\" target=\"_blank\" title=\"%s\">%s</a><span>%s</span></li>\n",
			esc(rel), esc(it.Title), esc(linkText(it.Title)), esc(it.ListDate))
		if i%5 == 4 && i < len(rows)-1 {
			b.WriteString("<li class=\"b\"></li>\n")
		}
	}
	if redesigned {
		b.WriteString("</dl>\n</div>\n")
	} else {
		b.WriteString("</ul>\n")
	}
	fmt.Fprintf(&b, `<div class="page"><script>%s(%d, %d, "index", "html");</script></div>
</div>
`, t.pager, pages, k)
	trsFooter(&b, t)
	return b.Bytes()
}

// relHref is the href of path written in a page of directory dir:
// "./202603/t….html" beside it, "../../qff/202603/t….html" elsewhere.
func relHref(dir, path string) string {
	if rest, ok := strings.CutPrefix(path, dir); ok {
		return "./" + rest
	}
	common := 0
	for i := range min(len(dir), len(path)) {
		if dir[i] != path[i] {
			break
		}
		if dir[i] == '/' {
			common = i + 1
		}
	}
	return strings.Repeat("../", strings.Count(dir[common:], "/")) + path[common:]
}

// linkText cuts a title the way the platform does in list links.
func linkText(title string) string {
	rs := []rune(title)
	if len(rs) <= linkTextRunes {
		return title
	}
	return string(rs[:linkTextRunes-1]) + "…"
}

// renderTRSDetail draws a detail page. Labels in the disclosure box vary
// with seq (spaces, colon forms), so an extractor must normalise them.
func renderTRSDetail(t trsSite, it *item) []byte {
	r := &it.Release
	esc := html.EscapeString
	col := columnOf(r.Column)
	indexLabel := []string{"索引号：", "索 引 号："}[it.seq%2]
	validLabel := []string{"有效性：", "有 效 性："}[it.seq%2]
	numberLabel := []string{"文　　号：", "文号：", "文号:"}[it.seq%3]
	pub := r.PublishedAt.Format("2006-01-02 15:04")

	var b bytes.Buffer
	b.Grow(8 << 10)
	trsHead(&b, t, r.Title+"_"+col.name+"_"+t.name, col.name)
	fmt.Fprintf(&b, `<meta name="ArticleTitle" content="%s">
<meta name="PubDate" content="%s">
<meta name="ContentSource" content="%s">
<meta name="Keywords" content="%s">
<meta name="Description" content="%s">
</head>
<body>
`, esc(r.Title), pub, esc(r.Origin), esc(r.Keywords), esc(description(it)))
	trsHeader(&b, t, col)
	fmt.Fprintf(&b, `<div class="Xxgk_Info Box MT20">
<ul>
<li>%s%s</li>
<li>信息分类：%s</li>
<li>发布机构：%s</li>
<li>生成日期：%s</li>
<li>公开方式：主动公开</li>
<li>公开范围：全部公开</li>
<li>公开时限：长期公开</li>
<li>信息名称：%s</li>
<li>%s%s</li>
<li>%s%s</li>
</ul>
</div>
<div class="DocTextBox MT20 aBox">
<div class="DocTitle"><h1>%s</h1></div>
<div class="ArticleInfo Box"><span>发布时间：%s</span>  <span>来源：%s</span></div>
<div class="DocHtmlCon Box">
<div id="Zoom">
<div class="trs_editor_view TRS_UEDITOR trs_paper_default trs_web">
`, indexLabel, esc(r.IndexNumber), esc(r.Category), esc(r.Issuer), r.WrittenAt.Format("2006-01-02"),
		esc(r.Title), validLabel, esc(r.Validity), numberLabel, esc(r.DocNumber), esc(r.Title), pub, esc(r.Origin))
	writeParas(&b, it)
	b.WriteString(`</div>
</div>
</div>
<div class="DocShare">分享到：<a href="javascript:void(0)">微信</a> <a href="javascript:void(0)">微博</a>　【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</div>
</div>
`)
	trsFooter(&b, t)
	return b.Bytes()
}

func trsHead(b *bytes.Buffer, t trsSite, title, columnName string) {
	fmt.Fprintf(b, `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1">
<title>%s</title>
<meta name="SiteName" content="%s">
<meta name="SiteDomain" content="%s">
<meta name="SiteIDCode" content="%s">
<meta name="ColumnName" content="%s">
<meta name="ColumnType" content="政策文件">
<link rel="stylesheet" href="%simages/public.css">
<script src="%simages/jquery.min.js"></script>
`, html.EscapeString(title), t.name, t.domain, t.idCode, html.EscapeString(columnName), t.home, t.home)
}

func trsHeader(b *bytes.Buffer, t trsSite, col column) {
	fmt.Fprintf(b, `<div class="Header"><div class="Logo"><a href="%s">%s</a></div>
<ul class="Nav">%s</ul></div>
<div class="Position">当前位置：<a href="%s">首页</a> &gt; %s &gt; <a href="%s">%s</a> &gt; <a href="%s">%s</a></div>
`, t.home, t.name, t.nav, t.home, t.crumbs, t.sectionPath, t.section, col.list, html.EscapeString(col.name))
}

func trsFooter(b *bytes.Buffer, t trsSite) {
	b.WriteString("<div class=\"Footer\">\n" + t.footer + "</div>\n</body>\n</html>\n")
}
