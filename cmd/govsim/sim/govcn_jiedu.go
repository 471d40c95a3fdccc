package sim

import (
	"bytes"
	"fmt"
	"html"
)

// renderJieduDetail draws a Template B article (政策解读), after sources.md
// §3.4–3.6: the title in h1#ti; div.pages-date holding the time
// ("2026-08-20 17:30") followed by span.font elements, the first of which
// reads 来源：…; the body in #UCAP-CONTENT; below it div.jiedu-blk with the
// 相关文件 link to the interpreted document. Pages chosen by seq carry a
// stray </html> or a hidden mobile copy of #UCAP-CONTENT.
func renderJieduDetail(it *item) []byte {
	r := &it.Release
	stray, mobile := govcnQuirks(it)
	esc := html.EscapeString

	var b bytes.Buffer
	b.Grow(8 << 10)
	govcnHead(&b, it, "政策解读")
	if stray {
		b.WriteString("</html>\n")
	}
	fmt.Fprintf(&b, `<div class="BreadcrumbNav"><a href="/govcn/">首页</a> &gt; <a href="/govcn/zhengce/">政策</a> &gt; <a href="/govcn/zhengce/jiedu/">解读</a></div>
<div class="main">
<div class="article oneColumn pub_border">
<h1 id="ti">%s</h1>
<div class="pages-date">%s<span class="font">来源：%s</span><span class="font index_switchsize">字号：<span>默认</span><span>大</span><span>超大</span></span><span class="font">|</span><span class="font printIco">打印</span></div>
<div class="pages_content mhide" id="UCAP-CONTENT">
`, esc(r.Title), r.PublishedAt.Format("2006-01-02 15:04"), esc(r.Origin))
	writeParas(&b, it)
	b.WriteString("</div>\n")
	govcnShare(&b, it)
	fmt.Fprintf(&b, `<div class="jiedu-blk"><div class="jiedu-tit">相关文件</div>
<ul><li><a href="%s" target="_blank">%s</a></li></ul>
</div>
`, esc(it.related.Path), esc(it.related.Title))
	if mobile {
		govcnMobileCopy(&b, it)
	}
	govcnFooter(&b)
	return b.Bytes()
}
