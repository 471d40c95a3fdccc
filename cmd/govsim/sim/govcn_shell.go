package sim

import (
	"bytes"
	"fmt"
	"html"
	"strings"
)

// This file draws the HTML page of each gov.cn JSON list column, after
// sources.md §3.1: like https://www.gov.cn/zhengce/zuixin/, it is a shell
// whose script fetches the JSON list ($.ajax({url: "./ZUIXINZHENGCE.json"}))
// and draws the rows in the browser. The shell itself holds no row, so a
// crawler reading it must learn to fetch the JSON file instead.

// shellIndex is the second name of a shell, beside its directory.
const shellIndex = "index.htm"

// crumb is one link of a breadcrumb trail.
type crumb struct {
	name, href string
}

// shellDir returns the directory of a JSON list, where its shell is served:
// "/govcn/zhengce/zuixin/" for "/govcn/zhengce/zuixin/ZUIXINZHENGCE.json".
func shellDir(col column) string {
	return col.list[:strings.LastIndex(col.list, "/")+1]
}

// shellFile returns the name of the JSON file the shell loads.
func shellFile(col column) string {
	return col.list[strings.LastIndex(col.list, "/")+1:]
}

// shellColumn returns the JSON list whose shell path serves, if any.
func (set siteSet) shellColumn(path string) (column, bool) {
	for _, col := range set.jsonLists() {
		if dir := shellDir(col); path == dir || path == dir+shellIndex {
			return col, true
		}
	}
	return column{}, false
}

// shellLabel returns the heading of a column's page and its breadcrumb
// trail below 首页, as gov.cn names them.
func shellLabel(col column) (string, []crumb) {
	policy := crumb{"政策", "/govcn/zhengce/"}
	library := crumb{"国务院政策文件库", "/govcn/zhengce/zhengceku/"}
	switch col.slug {
	case colZuixin.slug:
		return "最新政策", []crumb{policy, {"最新", shellDir(col)}}
	case colBMWJ.slug:
		return "部门文件", []crumb{policy, library, {"部门文件", shellDir(col)}}
	case colJiedu.slug:
		return "政策解读", []crumb{policy, {"解读", shellDir(col)}}
	}
	return col.name, []crumb{policy, library, {col.name, shellDir(col)}}
}

// renderGovCNShell draws the page of a JSON list column: the gov.cn header,
// breadcrumb and footer around an empty #listContent that the inline script
// fills from the JSON file, 20 rows a page. The script reads both the
// original rows and the redesigned envelope, so the shell never changes.
func renderGovCNShell(col column) []byte {
	label, trail := shellLabel(col)
	esc := html.EscapeString

	var b bytes.Buffer
	fmt.Fprintf(&b, `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>%s_中国政府网</title>
<meta name="keywords" content="%s,政策,中国政府网">
<meta name="description" content="中国政府网%s栏目">
<meta name="author" content="中国政府网">
<link rel="stylesheet" href="/govcn/images/2023/common.css">
<script src="/govcn/images/2023/jquery.min.js"></script>
</head>
`, esc(label), esc(label), esc(label))
	govcnHeader(&b)
	b.WriteString(`<div class="BreadcrumbNav"><a href="/govcn/">首页</a>`)
	for _, c := range trail {
		fmt.Fprintf(&b, ` &gt; <a href="%s">%s</a>`, esc(c.href), esc(c.name))
	}
	fmt.Fprintf(&b, `</div>
<div class="main">
<div class="list_box">
<div class="channel_tab"><h2>%s</h2></div>
<div class="list" id="listContent"></div>
<div class="pagination" id="pageBox"></div>
`, esc(label))
	b.WriteString(`<script>
$(function () {
  var size = 20;
  var rows = [];
  function show(k) {
    var html = "";
    var end = Math.min(rows.length, (k + 1) * size);
    for (var i = k * size; i < end; i++) {
      var row = rows[i];
      html += '<li><a href="' + (row.URL || row.url) + '" target="_blank">' + (row.TITLE || row.title) + '<\/a><span class="date">' + (row.DOCRELPUBTIME || row.docRelPubTime) + '<\/span><\/li>';
    }
    $("#listContent").html("<ul>" + html + "<\/ul>");
    var pages = "";
    for (var j = 0; j * size < rows.length; j++) {
      pages += '<a href="javascript:void(0)" data-page="' + j + '">' + (j + 1) + '<\/a>';
    }
    $("#pageBox").html(pages);
  }
  $("#pageBox").on("click", "a", function () {
    show(+$(this).attr("data-page"));
  });
  $.ajax({
    url: "./` + shellFile(col) + `",
    type: "get",
    dataType: "json",
    success: function (data) {
      rows = $.isArray(data) ? data : data.data.list;
      show(0);
    }
  });
});
</script>
`)
	govcnFooter(&b)
	return b.Bytes()
}
