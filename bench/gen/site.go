package main

import (
	"bytes"
	"fmt"
	"html"
	"math/rand/v2"
	"time"
)

// Page is one detail page of the generated site with the truth a perfect
// crawler reads from it.
type Page struct {
	ID          int
	Path        string // URL path of the detail page
	Title       string
	DocNumber   string
	IndexNumber string
	Issuer      string
	Subject     string
	Written     time.Time // 成文日期, midnight Beijing time
	Published   time.Time // firstpublishedtime, to the second
	Keywords    string
	Editor      string
	Body        []Block
	Files       []File // attachments linked from the body
}

// Block is one element of a body: a paragraph (Text, Align), an attachment
// link (File >= 0) or a table (Rows, the first the header).
type Block struct {
	Text  string
	Align string // "", "center" or "right"
	File  int    // index into Page.Files, or -1
	Rows  [][]string
}

// File is an attachment: its link text, href as written, path and bytes.
type File struct {
	Name, Href, Path string
	Data             []byte
}

// beijing is a fixed zone: the generator must not depend on the machine's
// zone database.
var beijing = time.FixedZone("CST", 8*3600)

// newest is the publication time of page 0; each later page is older.
var newest = time.Date(2026, 11, 30, 18, 0, 0, 0, beijing)

// Pages makes n pages, newest first, from seed. The same seed and n give
// the same pages byte for byte.
func Pages(seed uint64, n int) []Page {
	pages := make([]Page, n)
	r := &registry{serial: map[string]int{}, used: map[string]bool{}}
	// Numbers are handed out oldest first, so that a later document of a
	// series carries a higher number, as on the real site.
	for i := n - 1; i >= 0; i-- {
		pages[i] = page(seed, i, r)
	}
	return pages
}

// registry keeps 发文字号 serials and titles unique across pages.
type registry struct {
	serial map[string]int  // by prefix and year
	used   map[string]bool // titles given
	extra  int             // numbered fallback titles given
}

// title draws a title not given before: syndicator, like the real site,
// tells documents apart by number, but a reader should not see two alike.
func (r *registry) title(rng *rand.Rand, issuer, topic string) string {
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	for range 20 {
		t := fmt.Sprintf("%s关于%s%s%s的%s", issuer, pick(verbs), topic, pick(aspects), pick(kinds))
		if !r.used[t] {
			r.used[t] = true
			return t
		}
	}
	r.extra++
	return fmt.Sprintf("%s关于公布第%d批%s示范单位名单的通知", issuer, r.extra, topic)
}

func page(seed uint64, i int, r *registry) Page {
	rng := rand.New(rand.NewPCG(seed, uint64(i)))
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	org := organs[rng.IntN(len(organs))]
	topic := pick(topics)
	pub := newest.Add(-time.Duration(i) * (7*time.Hour + 13*time.Minute + 17*time.Second))
	written := pub.AddDate(0, 0, -1-rng.IntN(12))
	written = time.Date(written.Year(), written.Month(), written.Day(), 0, 0, 0, 0, beijing)
	key := fmt.Sprintf("%s%d", org.prefix, written.Year())
	r.serial[key]++
	serial := r.serial[key]
	id := 7_100_000 + i*7 + rng.IntN(7)
	p := Page{
		ID:          id,
		Path:        fmt.Sprintf("/zhengce/content/%s/content_%d.htm", pub.Format("200601"), id),
		Title:       r.title(rng, org.issuer, topic),
		DocNumber:   fmt.Sprintf("%s〔%d〕%d号", org.prefix, written.Year(), serial),
		IndexNumber: fmt.Sprintf("000014349/%d-%05d", written.Year(), id%100000),
		Issuer:      org.issuer,
		Subject:     "城乡建设、环境保护\\" + topic,
		Written:     written,
		Published:   pub,
		Keywords:    topic + ";" + pick(aspects),
		Editor:      pick(editors),
	}
	add := func(text, align string) { p.Body = append(p.Body, Block{Text: text, Align: align, File: -1}) }
	add(p.Title, "center")
	add(p.DocNumber, "center")
	add(org.addressee, "")
	add(fmt.Sprintf("为%s%s工作，经国务院同意，现提出如下意见。", pick(verbs), topic), "")
	// Bodies of 5–51 KB of text, so pages are about 10–60 KB.
	target := 5<<10 + rng.IntN(46<<10)
	size := 0
	h := 0
	table := rng.IntN(2) // under the first or second heading, which every body has
	for size < target {
		if h < len(headings) && (h <= table || rng.IntN(4) == 0) {
			add(headings[h], "")
			if h == table {
				p.Body = append(p.Body, Block{File: -1, Rows: taskTable(rng, topic)})
			}
			h++
		}
		var b bytes.Buffer
		for range 2 + rng.IntN(4) {
			fmt.Fprintf(&b, pick(frames), topic)
		}
		add(b.String(), "")
		size += b.Len()
	}
	if i%6 == 0 {
		for k := range 1 + rng.IntN(2) {
			name := fmt.Sprintf("附件%d：%s重点任务清单.pdf", k+1, topic)
			file := fmt.Sprintf("P0%s%07d%d.pdf", pub.Format("20060102"), id, k)
			p.Files = append(p.Files, File{
				Name: name,
				Href: "./" + file,
				Path: fmt.Sprintf("/zhengce/content/%s/%s", pub.Format("200601"), file),
				Data: pdf(rng, name),
			})
			p.Body = append(p.Body, Block{Text: name, File: k})
		}
	}
	add(org.issuer, "right")
	add(written.Format("2006年1月2日"), "right")
	add("（此件公开发布）", "")
	return p
}

// taskTable is a 重点任务分工 table: a header row and 4–12 tasks.
func taskTable(rng *rand.Rand, topic string) [][]string {
	rows := [][]string{{"序号", "重点任务", "牵头单位", "完成时限"}}
	for k := range 4 + rng.IntN(9) {
		task := fmt.Sprintf(frames[rng.IntN(len(frames))], topic)
		rows = append(rows, []string{fmt.Sprint(k + 1), task, units[rng.IntN(len(units))], deadlines[rng.IntN(len(deadlines))]})
	}
	return rows
}

// pdf is a small file that starts like a PDF: 2–8 KB of stable bytes.
func pdf(rng *rand.Rand, name string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%%PDF-1.4\n%% %s\n", name)
	n := 2<<10 + rng.IntN(6<<10)
	for b.Len() < n {
		fmt.Fprintf(&b, "%d 0 obj << /Length %d >> endobj\n", b.Len(), rng.Uint32())
	}
	b.WriteString("%%EOF\n")
	return b.Bytes()
}

// Text is the body's text as a reader sees it: what the truth digests.
func (p *Page) Text() string {
	var b bytes.Buffer
	for _, bl := range p.Body {
		if bl.Rows != nil {
			for _, row := range bl.Rows {
				for _, c := range row {
					b.WriteString(c)
					b.WriteByte(' ')
				}
				b.WriteByte('\n')
			}
			continue
		}
		b.WriteString(bl.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

// Render draws p in gov.cn's Template A (国务院文件) markup, as cmd/govsim
// does: the meta table.bd1, the body in #UCAP-CONTENT, the page chrome.
func Render(p *Page) []byte {
	esc := html.EscapeString
	var b bytes.Buffer
	b.Grow(64 << 10)
	fmt.Fprintf(&b, `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>%s_国务院文件_中国政府网</title>
<meta name="keywords" content="%s">
<meta name="description" content="%s">
<meta name="author" content="中国政府网">
<meta name="manuscriptId" content="%d">
<meta name="firstpublishedtime" content="%s">
<meta name="lastmodifiedtime" content="%s">
<meta name="lanmu" content="国务院文件">
<meta name="catalog" content="国务院文件">
<link rel="stylesheet" href="/images/2023/common.css">
<script src="/images/2023/jquery.min.js"></script>
</head>
<body>
<div class="header">
<div class="top"><a href="/">中国政府网</a> <a href="/">无障碍</a> <a href="/">繁体</a> <a href="/">English</a> <a href="/">登录</a></div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/">新闻</a></li><li><a href="/">专题</a></li><li><a href="/zhengce/">政策</a></li><li><a href="/">互动</a></li><li><a href="/">服务</a></li><li><a href="/">数据</a></li><li><a href="/">国务院</a></li></ul>
</div>
<div class="BreadcrumbNav"><a href="/">首页</a> &gt; <a href="/zhengce/">政策</a> &gt; <a href="/zhengce/zhengceku/">国务院政策文件库</a></div>
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
<div id="UCAP-CONTENT" class="b12c pages_content">
`, esc(p.Title), esc(p.Keywords), esc(p.Title), p.ID,
		p.Published.Format("2006-01-02-15:04:05"), p.Published.Format("2006-01-02-15:04:05"),
		esc(p.Title), esc(p.IndexNumber), esc(p.Subject), esc(p.Issuer), p.Written.Format("2006年01月02日"),
		esc(p.Title), esc(p.DocNumber), p.Published.Format("2006年01月02日"))
	for _, bl := range p.Body {
		switch {
		case bl.Rows != nil:
			b.WriteString(`<table border="1" cellspacing="0" cellpadding="4" style="width: 100%;">` + "\n<tbody>\n")
			for _, row := range bl.Rows {
				b.WriteString("<tr>")
				for _, c := range row {
					fmt.Fprintf(&b, `<td style="text-align: center;">%s</td>`, esc(c))
				}
				b.WriteString("</tr>\n")
			}
			b.WriteString("</tbody>\n</table>\n")
		case bl.File >= 0:
			f := p.Files[bl.File]
			fmt.Fprintf(&b, "<p style=\"text-indent: 2em;\"><a href=\"%s\">%s</a></p>\n", esc(f.Href), esc(f.Name))
		case bl.Align != "":
			fmt.Fprintf(&b, "<p style=\"text-align: %s;\">%s</p>\n", bl.Align, esc(bl.Text))
		default:
			fmt.Fprintf(&b, "<p style=\"text-indent: 2em;\">%s</p>\n", esc(bl.Text))
		}
	}
	fmt.Fprintf(&b, `</div>
<div class="editor">【我要纠错】 责任编辑：%s</div>
<div class="share">分享到：<a href="javascript:void(0)">微信</a> <a href="javascript:void(0)">微博</a> <a href="javascript:void(0)">QQ空间</a> <span>【字体：<a href="javascript:void(0)">大</a> <a href="javascript:void(0)">中</a> <a href="javascript:void(0)">小</a>】</span> <a href="javascript:window.print()">打印</a></div>
<div class="related"><h3>相关稿件</h3>
<ul><li><a href="/zhengce/zuixin/">最新政策</a></li><li><a href="/zhengce/jiedu/">政策解读</a></li><li><a href="/zhengce/zhengceku/">国务院政策文件库</a></li></ul>
</div>
</div>
</div>
<div class="footer">
<p>主办单位：国务院办公厅　运行维护单位：中国政府网运行中心</p>
<p>版权所有：中国政府网　中文域名：中国政府网.政务</p>
<p>网站标识码bm01000001　京ICP备05070218号　京公网安备11010202000001号</p>
</div>
<script>var shareTitle = document.title;</script>
</body>
</html>
`, esc(p.Editor))
	return b.Bytes()
}
