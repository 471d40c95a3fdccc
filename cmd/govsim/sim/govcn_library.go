package sim

import (
	"bytes"
	"fmt"
	"html"
)

// renderGovLibDetail draws a 政策文件库 page (部门文件), after sources.md
// §3.4 and samples/govcn-detail-page-fixtures.html (5): the metadata table
// in div.policyLibraryOverview_header has plain label cells (no <b>), pairs
// 标题/发文机关, 发文字号/来源, 主题分类/公文种类, 成文日期/发布日期 in rows 2–5
// and no 索引号; dates are unpadded (2026年3月5日). Pages chosen by seq
// carry a stray </html> or a hidden mobile copy of #UCAP-CONTENT.
func renderGovLibDetail(it *item) []byte {
	r := &it.Release
	stray, mobile := govcnQuirks(it)
	esc := html.EscapeString

	var b bytes.Buffer
	b.Grow(8 << 10)
	govcnHead(&b, it, "国务院部门文件")
	if stray {
		b.WriteString("</html>\n")
	}
	fmt.Fprintf(&b, `<div class="BreadcrumbNav"><a href="/govcn/">首页</a> &gt; <a href="/govcn/zhengce/">政策</a> &gt; <a href="/govcn/zhengce/zhengceku/">国务院政策文件库</a> &gt; <a href="/govcn/zhengce/zhengceku/bmwj/">部门文件</a></div>
<div class="main">
<div class="article">
<div class="policyLibraryOverview_header">
<table>
<tr><td colspan="4" class="policyLibraryOverview_title">国务院部门文件</td></tr>
<tr><td>标　　题：</td><td>%s</td><td>发文机关：</td><td>%s</td></tr>
<tr><td>发文字号：</td><td>%s</td><td>来　　源：</td><td>%s</td></tr>
<tr><td>主题分类：</td><td>%s</td><td>公文种类：</td><td>%s</td></tr>
<tr><td>成文日期：</td><td>%s</td><td>发布日期：</td><td>%s</td></tr>
</table>
</div>
<div id="UCAP-CONTENT" class="pages_content">
`, esc(r.Title), esc(r.Issuer), esc(r.DocNumber), esc(r.Origin), esc(r.Subject), esc(r.DocType),
		r.WrittenAt.Format("2006年1月2日"), r.PublishedAt.Format("2006年1月2日"))
	writeParas(&b, it)
	b.WriteString("</div>\n")
	govcnShare(&b, it)
	if mobile {
		govcnMobileCopy(&b, it)
	}
	govcnFooter(&b)
	return b.Bytes()
}
