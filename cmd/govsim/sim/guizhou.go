package sim

import (
	"bytes"
	"fmt"
	"html"
	"strings"
)

// This file draws the Guizhou-like TRS site: paged column lists and detail
// pages, after sources.md §4.3–4.4 and samples/guizhou-guiyang-templates.

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

// renderGuizhouList draws 0-based page k of col, whose releases are given
// newest first. Every fifth row is followed by an empty <li class="b">
// spacer, which a row selector must skip (RSSHub uses li:not(.b)).
func renderGuizhouList(col column, newestFirst []*item, k int) []byte {
	esc := html.EscapeString
	pages := guizhouPages(len(newestFirst))
	rows := newestFirst[min(k*guizhouPageSize, len(newestFirst)):min((k+1)*guizhouPageSize, len(newestFirst))]

	var b bytes.Buffer
	guizhouHead(&b, col.name+"_省政府文件_贵州省人民政府", col.name)
	b.WriteString("</head>\n<body>\n")
	guizhouHeader(&b, col)
	b.WriteString(`<div class="LeftNav"><h3>省政府文件</h3><ul>
<li><a href="../szfl/">省政府令</a></li><li><a href="../qff/">黔府发</a></li><li><a href="../qfh/">黔府函</a></li><li><a href="../qfbf/">黔府办发</a></li><li><a href="../qfbh/">黔府办函</a></li>
</ul></div>
<div class="PageMainBox aBox">
<div class="ColumnTitle">` + esc(col.name) + `</div>
<ul class="NewsList">
`)
	for i, it := range rows {
		rel := "./" + strings.TrimPrefix(it.Path, col.dir)
		fmt.Fprintf(&b, "<li><a href=\"%s\" target=\"_blank\" title=\"%s\">%s</a><span>%s</span></li>\n",
			esc(rel), esc(it.Title), esc(linkText(it.Title)), esc(it.ListDate))
		if i%5 == 4 && i < len(rows)-1 {
			b.WriteString("<li class=\"b\"></li>\n")
		}
	}
	fmt.Fprintf(&b, `</ul>
<div class="page"><script>createPageHTML(%d, %d, "index", "html");</script></div>
</div>
`, pages, k)
	guizhouFooter(&b)
	return b.Bytes()
}

// linkText cuts a title the way the platform does in list links.
func linkText(title string) string {
	rs := []rune(title)
	if len(rs) <= linkTextRunes {
		return title
	}
	return string(rs[:linkTextRunes-1]) + "…"
}

// renderGuizhouDetail draws a detail page. Labels in the disclosure box vary
// with seq (spaces, colon forms), so an extractor must normalise them.
func renderGuizhouDetail(it *item) []byte {
	r := &it.Release
	esc := html.EscapeString
	col := colQFF
	if r.Column == colQFBF.slug {
		col = colQFBF
	}
	indexLabel := []string{"索引号：", "索 引 号："}[it.seq%2]
	validLabel := []string{"有效性：", "有 效 性："}[it.seq%2]
	numberLabel := []string{"文　　号：", "文号：", "文号:"}[it.seq%3]
	pub := r.PublishedAt.Format("2006-01-02 15:04")

	var b bytes.Buffer
	b.Grow(8 << 10)
	guizhouHead(&b, r.Title+"_"+col.name+"_贵州省人民政府", col.name)
	fmt.Fprintf(&b, `<meta name="ArticleTitle" content="%s">
<meta name="PubDate" content="%s">
<meta name="ContentSource" content="%s">
<meta name="Keywords" content="%s">
<meta name="Description" content="%s">
</head>
<body>
`, esc(r.Title), pub, esc(r.Origin), esc(r.Keywords), esc(description(it)))
	guizhouHeader(&b, col)
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
	guizhouFooter(&b)
	return b.Bytes()
}

func guizhouHead(b *bytes.Buffer, title, columnName string) {
	fmt.Fprintf(b, `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1">
<title>%s</title>
<meta name="SiteName" content="贵州省人民政府">
<meta name="SiteDomain" content="www.guizhou.gov.cn">
<meta name="SiteIDCode" content="5200000001">
<meta name="ColumnName" content="%s">
<meta name="ColumnType" content="政策文件">
<link rel="stylesheet" href="/guizhou/images/public.css">
<script src="/guizhou/images/jquery.min.js"></script>
`, html.EscapeString(title), html.EscapeString(columnName))
}

func guizhouHeader(b *bytes.Buffer, col column) {
	fmt.Fprintf(b, `<div class="Header"><div class="Logo"><a href="/guizhou/">贵州省人民政府</a></div>
<ul class="Nav"><li><a href="/guizhou/">首页</a></li><li><a href="/guizhou/zwgk/">政务公开</a></li><li><a href="/guizhou/">政务服务</a></li><li><a href="/guizhou/">互动交流</a></li><li><a href="/guizhou/">走进贵州</a></li></ul></div>
<div class="Position">当前位置：<a href="/guizhou/">首页</a> &gt; <a href="/guizhou/zwgk/">政务公开</a> &gt; <a href="/guizhou/zwgk/zcfg/">政策法规</a> &gt; <a href="%s">省政府文件</a> &gt; <a href="%s">%s</a></div>
`, guizhouBase, col.list, html.EscapeString(col.name))
}

func guizhouFooter(b *bytes.Buffer) {
	b.WriteString(`<div class="Footer">
<p>主办单位：贵州省人民政府办公厅　承办单位：贵州省大数据发展管理局</p>
<p>网站标识码：5200000001　黔ICP备05000001号　贵公网安备52010202000001号</p>
</div>
</body>
</html>
`)
}
