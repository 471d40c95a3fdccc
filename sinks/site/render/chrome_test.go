package render_test

import (
	"strings"
	"testing"

	"github.com/gyeco/syndicator/sinks/site/render"
)

// TestChromeFooter: every configured chrome field is in the footer with
// its standard link; nothing unset shows, not even a label.
func TestChromeFooter(t *testing.T) {
	full, err := newRenderer(t, testSite("")).Home(smallSet())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"网站标识码：5201000047",
		`<a href="https://beian.miit.gov.cn/" rel="noopener noreferrer">黔ICP备05002212号-1</a>`,
		`href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=52010302000123"`,
		"主办单位：贵阳市生态文明委员会", "承办单位：贵阳市生态文明委员会办公室",
		`href="https://bszs.conac.cn/sitename?method=show&amp;id=0000000000000000"`, "党政机关网站标识",
		`<a href="sitemap.html">网站地图</a>`, `<a href="mailto:stwm@example.gov.cn">联系我们</a>`,
		`<a href="https://www.example.gov.cn/wza/">无障碍</a>`,
	} {
		if !strings.Contains(string(full), want) {
			t.Errorf("footer lacks %s", want)
		}
	}

	bare := testSite("")
	bare.Chrome = render.Chrome{}
	page, err := newRenderer(t, bare).Home(smallSet())
	if err != nil {
		t.Fatal(err)
	}
	for _, absent := range []string{"网站标识码", "ICP", "公网安备", "beian", "主办单位", "承办单位", "党政机关网站标识", "联系我们", "无障碍", "site-record", "site-owner"} {
		if strings.Contains(string(page), absent) {
			t.Errorf("footer without chrome shows %q", absent)
		}
	}
	if !strings.Contains(string(page), `<a href="sitemap.html">网站地图</a>`) {
		t.Errorf("footer lacks the 网站地图 link (the page is always generated)")
	}
}

func TestPoliceRecordURL(t *testing.T) {
	for in, want := range map[string]string{
		"贵公网安备 52010302000123号": "http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=52010302000123",
		"京公网安备11010202000001号":  "http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=11010202000001",
		"公网安备":                  "",
	} {
		if got := render.PoliceRecordURL(in); got != want {
			t.Errorf("PoliceRecordURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestNotFoundPage: the 404 page carries the site's chrome and style, with
// links that work from any path (absolute, or root-relative without a
// BaseURL).
func TestNotFoundPage(t *testing.T) {
	for base, prefix := range map[string]string{"": "/", "https://stwm.example.gov.cn/site/": "https://stwm.example.gov.cn/site/"} {
		page, err := newRenderer(t, testSite(base)).NotFound()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{
			"<title>页面不存在_贵阳市生态文明委员会</title>", "您访问的页面不存在",
			`href="` + prefix + `style.css"`, `href="` + prefix + `index.html">返回首页`,
			`href="` + prefix + `sitemap.html">网站地图`, "网站标识码：5201000047",
			`href="` + prefix + `zcwj/index.html">政策文件`,
		} {
			if !strings.Contains(string(page), want) {
				t.Errorf("base %q: 404 page lacks %s", base, want)
			}
		}
	}
}
