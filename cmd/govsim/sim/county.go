package sim

import (
	"bytes"
	"fmt"
	"html"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// This file draws the county site: an older CMS off the Guizhou platform,
// whose markup no preset knows and whose pages are GB18030 bytes labelled
// gb2312, in the header and in a meta http-equiv (a common real-world lie:
// a GBK decoder turns the 4-byte sequences into U+FFFD).

const (
	// typeCounty is the Content-Type the county site sends.
	typeCounty = "text/html; charset=gb2312"
	// countyName is the site's owner, in <title> and the footer.
	countyName = "修文县人民政府"
	// countyLinkRunes is where list link text is cut, with "..." appended.
	countyLinkRunes = 30
)

// renderCountyList draws 0-based page k of the county list, releases given
// newest first: a table.zcwj-list with a header row of th cells, then rows
// of td.bt (a[href][title]), td.wh (发文字号) and td.rq (2026年03月05日), and
// a plain HTML pager (首页, 上一页, 下一页, 尾页 links). Redesigned, the rows
// are ul.zcwj-list-v2 > li with span.bt, span.wh and span.rq, and dates
// read 2026-03-05.
func renderCountyList(col column, newestFirst []*item, k int, redesigned bool) []byte {
	esc := html.EscapeString
	pages := guizhouPages(len(newestFirst))
	rows := pageRows(newestFirst, k)

	var b bytes.Buffer
	countyHead(&b, col.name+" - "+countyName)
	b.WriteString("</head>\n<body>\n")
	countyTop(&b)
	fmt.Fprintf(&b, `<div class="weizhi">您现在的位置：<a href="/county/">首页</a> &gt; <a href="/county/zwgk/">政务公开</a> &gt; <a href="./">%s</a></div>
<div class="list-box">
<div class="list-title">%s</div>
`, esc(col.name), esc(col.name))
	if redesigned {
		b.WriteString("<ul class=\"zcwj-list-v2\">\n")
	} else {
		b.WriteString("<table class=\"zcwj-list\" width=\"100%\" border=\"0\" cellspacing=\"0\" cellpadding=\"0\">\n<tr class=\"head\"><th>标题</th><th>文号</th><th>发布日期</th></tr>\n")
	}
	for i, it := range rows {
		rel := relHref(col.list, it.Path)
		if redesigned {
			fmt.Fprintf(&b, "<li><span class=\"bt\"><a href=\"%s\" title=\"%s\" target=\"_blank\">%s</a></span><span class=\"wh\">%s</span><span class=\"rq\">%s</span></li>\n",
				esc(rel), esc(it.Title), esc(countyLinkText(it.Title)), esc(it.DocNumber), it.PublishedAt.Format("2006-01-02"))
			continue
		}
		class := ""
		if i%2 == 1 {
			class = ` class="bg"`
		}
		fmt.Fprintf(&b, "<tr%s><td class=\"bt\"><a href=\"%s\" title=\"%s\" target=\"_blank\">%s</a></td><td class=\"wh\">%s</td><td class=\"rq\">%s</td></tr>\n",
			class, esc(rel), esc(it.Title), esc(countyLinkText(it.Title)), esc(it.DocNumber), esc(it.ListDate))
	}
	if redesigned {
		b.WriteString("</ul>\n")
	} else {
		b.WriteString("</table>\n")
	}
	fmt.Fprintf(&b, "<div class=\"fenye\">共%d条记录 第%d/%d页 ", len(newestFirst), k+1, pages)
	pageLink := func(text string, to int, ok bool) {
		if ok {
			fmt.Fprintf(&b, `<a href="%s">%s</a> `, guizhouPageName(to), text)
		} else {
			fmt.Fprintf(&b, `<span>%s</span> `, text)
		}
	}
	pageLink("首页", 0, k > 0)
	pageLink("上一页", k-1, k > 0)
	pageLink("下一页", k+1, k < pages-1)
	pageLink("尾页", pages-1, k < pages-1)
	b.WriteString("</div>\n</div>\n")
	countyFooter(&b)
	return gb18030(b.Bytes())
}

// countyLinkText cuts a title for a list link, with ASCII dots.
func countyLinkText(title string) string {
	rs := []rune(title)
	if len(rs) <= countyLinkRunes {
		return title
	}
	return string(rs[:countyLinkRunes]) + "..."
}

// renderCountyDetail draws a county detail page: div.xxgk-meta > table with
// th label cells (索 引 号, 发布机构, 发文字号, 成文日期, 有 效 性, 公开方式)
// each followed by its td value; the title in div.article-title; a source
// line div.article-info (发布时间：2026-03-05 16:20　来源：…); the body
// in div.article-content, followed by div.share and footer noise.
func renderCountyDetail(it *item) []byte {
	r := &it.Release
	esc := html.EscapeString

	var b bytes.Buffer
	b.Grow(8 << 10)
	countyHead(&b, r.Title+" - "+countyName)
	fmt.Fprintf(&b, "<meta name=\"keywords\" content=\"%s\" />\n<meta name=\"description\" content=\"%s\" />\n</head>\n<body>\n",
		esc(r.Keywords), esc(description(it)))
	countyTop(&b)
	fmt.Fprintf(&b, `<div class="weizhi">您现在的位置：<a href="/county/">首页</a> &gt; <a href="/county/zwgk/">政务公开</a> &gt; <a href="../">政策文件</a> &gt; 正文</div>
<div class="xxgk-meta">
<table width="100%%" border="0" cellspacing="0" cellpadding="0">
<tr><th>索 引 号</th><td>%s</td><th>发布机构</th><td>%s</td></tr>
<tr><th>发文字号</th><td>%s</td><th>成文日期</th><td>%s</td></tr>
<tr><th>有 效 性</th><td>%s</td><th>公开方式</th><td>主动公开</td></tr>
</table>
</div>
<div class="article">
<div class="article-title">%s</div>
<div class="article-info">发布时间：%s　来源：%s　<span class="zihao">字号：[<a href="javascript:void(0)">大</a> <a href="javascript:void(0)">中</a> <a href="javascript:void(0)">小</a>]</span></div>
<div class="article-content">
`, esc(r.IndexNumber), esc(r.Issuer), esc(r.DocNumber), r.WrittenAt.Format("2006年01月02日"), esc(r.Validity),
		esc(r.Title), r.PublishedAt.Format("2006-01-02 15:04"), esc(r.Origin))
	writeParas(&b, it)
	b.WriteString(`</div>
<div class="share">分享到：<a href="javascript:void(0)">微信</a> <a href="javascript:void(0)">微博</a> <a href="javascript:void(0)">QQ空间</a></div>
<div class="print">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</div>
</div>
`)
	countyFooter(&b)
	return gb18030(b.Bytes())
}

func countyHead(b *bytes.Buffer, title string) {
	fmt.Fprintf(b, `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<title>%s</title>
<link href="/county/css/style.css" rel="stylesheet" type="text/css" />
<script type="text/javascript" src="/county/js/jquery.js"></script>
`, html.EscapeString(title))
}

func countyTop(b *bytes.Buffer) {
	b.WriteString(`<div class="top"><div class="logo"><a href="/county/">` + countyName + `</a></div>
<div class="nav"><a href="/county/">首页</a> | <a href="/county/zwgk/">政务公开</a> | <a href="/county/">政务服务</a> | <a href="/county/">走进修文</a></div></div>
`)
}

func countyFooter(b *bytes.Buffer) {
	b.WriteString(`<div class="footer">
<p>主办：修文县人民政府办公室　承办：修文县融媒体中心</p>
<p>网站标识码：5201230001　黔ICP备05000123号　<a href="javascript:void(0)">网站地图</a></p>
<script type="text/javascript">document.write("<span id='count'></span>");</script>
</div>
</body>
</html>
`)
}

// gb18030 encodes UTF-8 text as GB18030, which maps every rune.
func gb18030(utf8Text []byte) []byte {
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes(utf8Text)
	if err != nil {
		panic(err) // unreachable: the text is valid UTF-8, and GB18030 encodes all of Unicode
	}
	return b
}
