package render_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gyeco/syndicator/sinks/site/render"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

func TestHome(t *testing.T) {
	s := testSite("")
	s.HomeSize = 3
	r := newRenderer(t, s)
	var arts []render.Article
	for n := range 5 {
		arts = append(arts, seriesArticle("zcwj", n))
	}
	arts = append(arts, govcnArticle())
	b, err := r.Home(arts)
	if err != nil {
		t.Fatal(err)
	}
	doc := parseHTML(t, b)

	var menu []string
	for _, a := range findAll(byClass(doc, "site-menu"), func(n *html.Node) bool { return n.DataAtom == atom.A }) {
		menu = append(menu, text(a)+" "+attr(a, "href"))
	}
	wantMenu := []string{"首页 index.html", "国务院重要政策信息 gwyzcxx/index.html", "政策文件 zcwj/index.html", "生态动态 stdt/index.html"}
	if diff := cmp.Diff(wantMenu, menu); diff != "" {
		t.Errorf("menu (-want +got):\n%s", diff)
	}

	sections := findAll(doc, func(n *html.Node) bool { return hasClass(n, "home-column") })
	if len(sections) != 3 {
		t.Fatalf("%d sections, want 3", len(sections))
	}
	var want []string
	for n := 4; n >= 2; n-- {
		a := seriesArticle("zcwj", n)
		want = append(want, render.ArticlePath(&a))
	}
	if diff := cmp.Diff(want, listed(sections[1], render.HomePath)); diff != "" {
		t.Errorf("政策文件 latest (-want +got):\n%s", diff)
	}
	if byClass(sections[1], "more") == nil {
		t.Errorf("政策文件 has more articles than shown but no 更多 link")
	}
	if byClass(sections[0], "more") != nil {
		t.Errorf("国务院重要政策信息 shows all its articles but has a 更多 link")
	}
	if got := text(byClass(sections[2], "empty")); got != "暂无文章" {
		t.Errorf("empty column says %q, want 暂无文章", got)
	}
}
