package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"strings"
	"time"
)

// This file draws the gov.cn-like site: the 最新政策 JSON list and Template A
// (国务院文件) detail pages, after sources.md §3.2–3.7.

// entry is one row of the gov.cn JSON list: a release, or a row a crawler
// must filter out (special topics, news) when it is nil.
type entry struct {
	it    *item
	noise noiseRow
}

// noiseRow is a list row that is not a policy document. Its URL path is not
// served: a crawler that follows it gets a 404.
type noiseRow struct {
	title, path, date string
}

type govcnRow struct {
	Title    string `json:"TITLE"`
	SubTitle string `json:"SUB_TITLE"`
	URL      string `json:"URL"`
	Date     string `json:"DOCRELPUBTIME"`
}

// govcnRowV2 is a row after the redesign: camel-case keys.
type govcnRowV2 struct {
	Title    string `json:"title"`
	SubTitle string `json:"subTitle"`
	URL      string `json:"url"`
	Date     string `json:"docRelPubTime"`
}

// govcnListV2 is the redesigned file: the rows wrapped in an envelope.
type govcnListV2 struct {
	Code int `json:"code"`
	Data struct {
		List  []govcnRowV2 `json:"list"`
		Total int          `json:"total"`
	} `json:"data"`
}

// renderGovCNList writes the JSON array of rows, newest first. URLs are
// absolute on host, as the real file's are on www.gov.cn. Redesigned, the
// array sits in {"code":200,"data":{"list":[…],"total":N}} and the keys are
// camel case (title, subTitle, url, docRelPubTime).
func renderGovCNList(host string, newestFirst []entry, redesigned bool) []byte {
	rows := make([]govcnRow, 0, len(newestFirst))
	for _, e := range newestFirst {
		row := govcnRow{Title: e.noise.title, URL: "http://" + host + e.noise.path, Date: e.noise.date}
		if e.it != nil {
			row = govcnRow{Title: e.it.Title, URL: "http://" + host + e.it.Path, Date: e.it.ListDate}
		}
		rows = append(rows, row)
	}
	var v any = rows
	if redesigned {
		var l govcnListV2
		l.Code = 200
		l.Data.List = make([]govcnRowV2, 0, len(rows))
		for _, row := range rows {
			l.Data.List = append(l.Data.List, govcnRowV2(row))
		}
		l.Data.Total = len(rows)
		v = l
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err) // unreachable: rows hold only strings
	}
	return b.Bytes()
}

// noiseFor returns a non-policy row of the gov.cn list dated on at's day: a
// special-topic page for even k, a news article with a content_ id for odd k.
func noiseFor(at time.Time, k, newsID int) noiseRow {
	date := at.Format("2006-01-02")
	if k%2 == 0 {
		return noiseRow{title: "学习贯彻党的二十届四中全会精神专题", path: "/govcn/zhuanti/xxgcsjszqh/index.htm", date: date}
	}
	return noiseRow{
		title: "国务院常务会议研究部署进一步做好稳就业工作",
		path:  fmt.Sprintf("/govcn/yaowen/liebiao/%s/content_%d.htm", at.Format("200601"), newsID),
		date:  date,
	}
}

// renderGovCNDetail draws a Template A page. Some pages, chosen by seq, carry
// the quirks of sources.md §3.6–3.7: the body nested in a table, a stray
// </html> before the article, a second (mobile) #UCAP-CONTENT copy.
func renderGovCNDetail(it *item) []byte {
	r := &it.Release
	wrap := it.seq%3 == 1
	stray, mobile := govcnQuirks(it)
	esc := html.EscapeString

	var b bytes.Buffer
	b.Grow(8 << 10)
	govcnHead(&b, it, "国务院文件")
	if stray {
		b.WriteString("</html>\n")
	}
	fmt.Fprintf(&b, `<div class="BreadcrumbNav"><a href="/govcn/">首页</a> &gt; <a href="/govcn/zhengce/">政策</a> &gt; <a href="/govcn/zhengce/zuixin/">最新</a></div>
<div class="main">
<div class="article">
<div class="share-title" style="display:none">%s</div>
<table class="bd1" width="100%%" border="1" cellspacing="0" cellpadding="8">
<tbody>
<tr>
<td class="bd1" width="92"><b>索&nbsp;引&nbsp;号：</b></td><td class="bd1" width="168">%s</td>
<td class="bd1" width="92"><b>主题分类：</b></td><td class="bd1 zcwj_ztfl" width="168">%s</td>
</tr>
<tr>
<td><b>发文机关：</b></td><td>%s</td>
<td><b>成文日期：</b></td><td>%s</td>
</tr>
<tr>
<td><b>标　　题：</b></td><td colspan="3">%s</td>
</tr>
<tr>
<td><b>发文字号：</b></td><td>%s</td>
<td><b>发布日期：</b></td><td>%s</td>
</tr>
</tbody>
</table>
`, esc(r.Title), esc(r.IndexNumber), esc(r.Subject), esc(r.Issuer), r.WrittenAt.Format("2006年01月02日"),
		esc(r.Title), esc(r.DocNumber), r.PublishedAt.Format("2006年01月02日"))

	if wrap {
		b.WriteString(`<table class="border-table noneBorder pages_content"><tr><td>` + "\n")
	}
	b.WriteString(`<div id="UCAP-CONTENT" class="b12c pages_content">` + "\n")
	writeParas(&b, it)
	b.WriteString("</div>\n")
	if wrap {
		b.WriteString("</td></tr></table>\n")
	}
	govcnShare(&b, it)
	if mobile {
		govcnMobileCopy(&b, it)
	}
	b.WriteString(`<div class="related"><h3>相关稿件</h3>
<ul><li><a href="/govcn/zhengce/zuixin/">最新政策</a></li><li><a href="/govcn/zhengce/jiedu/">政策解读</a></li><li><a href="/govcn/zhengce/zhengceku/">国务院政策文件库</a></li></ul>
</div>
`)
	govcnFooter(&b)
	return b.Bytes()
}

// govcnQuirks says which pitfalls of sources.md §3.7 a page carries: a
// stray </html> before the article, a second (mobile) #UCAP-CONTENT copy.
// Large pages carry neither.
func govcnQuirks(it *item) (stray, mobile bool) {
	return !it.Large && it.seq%5 == 4, !it.Large && it.seq%7 == 3
}

// govcnHead writes the head and page header of a gov.cn page whose <title>
// ends in _<lanmu>_中国政府网.
func govcnHead(b *bytes.Buffer, it *item, lanmu string) {
	r := &it.Release
	esc := html.EscapeString
	fmt.Fprintf(b, `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>%s_%s_中国政府网</title>
<meta name="keywords" content="%s">
<meta name="description" content="%s">
<meta name="author" content="中国政府网">
<meta name="manuscriptId" content="%s">
<meta name="firstpublishedtime" content="%s">
<meta name="lastmodifiedtime" content="%s">
<meta name="lanmu" content="%s">
<meta name="catalog" content="%s">
<link rel="stylesheet" href="/govcn/images/2023/common.css">
<script src="/govcn/images/2023/jquery.min.js"></script>
</head>
`, esc(r.Title), lanmu, esc(r.Keywords), esc(description(it)), r.ID,
		r.PublishedAt.Format("2006-01-02-15:04:05"), r.ModifiedAt.Format("2006-01-02-15:04:05"), lanmu, lanmu)
	govcnHeader(b)
}

// govcnHeader opens the body with the page header and navigation that every
// gov.cn page shares, detail pages and list shells alike.
func govcnHeader(b *bytes.Buffer) {
	b.WriteString(`<body>
<div class="header">
<div class="top"><a href="/govcn/">中国政府网</a> <a href="/govcn/">无障碍</a> <a href="/govcn/">繁体</a> <a href="/govcn/">English</a> <a href="/govcn/">登录</a></div>
<ul class="nav"><li><a href="/govcn/">首页</a></li><li><a href="/govcn/">新闻</a></li><li><a href="/govcn/">专题</a></li><li><a href="/govcn/zhengce/">政策</a></li><li><a href="/govcn/">互动</a></li><li><a href="/govcn/">服务</a></li><li><a href="/govcn/">数据</a></li><li><a href="/govcn/">国务院</a></li></ul>
</div>
`)
}

// govcnShare writes the editor line and share bar below a gov.cn body.
func govcnShare(b *bytes.Buffer, it *item) {
	fmt.Fprintf(b, `<div class="editor">【我要纠错】 责任编辑：%s</div>
<div class="share">分享到：<a href="javascript:void(0)">微信</a> <a href="javascript:void(0)">微博</a> <a href="javascript:void(0)">QQ空间</a> <span>【字体：<a href="javascript:void(0)">大</a> <a href="javascript:void(0)">中</a> <a href="javascript:void(0)">小</a>】</span> <a href="javascript:window.print()">打印</a></div>
`, html.EscapeString(it.editor))
}

// govcnMobileCopy writes the hidden mobile copy of the body: a second
// #UCAP-CONTENT.
func govcnMobileCopy(b *bytes.Buffer, it *item) {
	b.WriteString(`<div class="mobile_box" style="display:none">` + "\n" + `<div id="UCAP-CONTENT" class="pages_content">` + "\n")
	writeParas(b, it)
	b.WriteString("</div>\n</div>\n")
}

// govcnFooter closes the article and writes the page footer.
func govcnFooter(b *bytes.Buffer) {
	b.WriteString(`</div>
</div>
<div class="footer">
<p>主办单位：国务院办公厅　运行维护单位：中国政府网运行中心</p>
<p>版权所有：中国政府网　中文域名：中国政府网.政务</p>
<p>网站标识码bm01000001　京ICP备05070218号　京公网安备11010202000001号</p>
</div>
<script>var shareTitle = document.title;</script>
</body>
</html>
`)
}

// writeParas writes the body paragraphs, attachment links included.
func writeParas(b *bytes.Buffer, it *item) {
	for _, p := range it.paras {
		switch {
		case p.att >= 0:
			a := it.Attachments[p.att]
			fmt.Fprintf(b, "<p style=\"text-indent: 2em;\"><a href=\"%s\">%s</a></p>\n", html.EscapeString(a.Href), html.EscapeString(a.Name))
		case p.align != "":
			fmt.Fprintf(b, "<p style=\"text-align: %s;\">%s</p>\n", p.align, html.EscapeString(p.text))
		default:
			fmt.Fprintf(b, "<p style=\"text-indent: 2em;\">%s</p>\n", html.EscapeString(p.text))
		}
	}
}

// description is the first sentence after the addressees, as a summary.
func description(it *item) string {
	for i, p := range it.paras {
		if strings.HasSuffix(p.text, "：") && i+1 < len(it.paras) {
			s, _, _ := strings.Cut(it.paras[i+1].text, "。")
			return s + "。"
		}
	}
	return it.Title
}
