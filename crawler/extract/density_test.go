package extract

import (
	"strings"
	"testing"

	"github.com/gyeco/syndicator/config"
)

// A rule whose body selectors match nothing still gets the article: the
// block of prose, not the navigation, the metadata table, the related
// links or the footer. Golden: testdata/density-article.golden.json.
func TestBodyByDensity(t *testing.T) {
	rule := config.DetailRule{Body: []string{"div.gone"}}
	p, err := Detail(readCase(t, "density-article", nil), "text/html", mustURL(t, "https://sthjj.example.gov.cn/tzgg/202604/t20260401_1.html"), rule)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "density-article", p)
	if !p.BodyByDensity || len(p.Missing) != 0 {
		t.Errorf("body by density %v, missing %v; want the body found", p.BodyByDensity, p.Missing)
	}
	lines := strings.Split(p.BodyText, "\n")
	if lines[0] != "各区（市、县）生态环境分局，局机关各处室、各直属单位：" || lines[len(lines)-1] != "2026年4月1日" {
		t.Errorf("body from %q to %q; want the article's first and last lines", lines[0], lines[len(lines)-1])
	}
	for _, stray := range []string{"首页", "索引号", "相关文件", "分享到", "备案号", "字体"} {
		if strings.Contains(p.BodyText, stray) {
			t.Errorf("body holds %q, which is page furniture", stray)
		}
	}
	// The selector still wins when it matches.
	rule.Body = []string{"div.xgwj"}
	p, err = Detail(readCase(t, "density-article", nil), "text/html", mustURL(t, "https://sthjj.example.gov.cn/tzgg/202604/t20260401_1.html"), rule)
	if err != nil {
		t.Fatal(err)
	}
	if p.BodyByDensity || !strings.HasPrefix(p.BodyText, "相关文件") {
		t.Errorf("with a matching selector: by density %v, body %.30q", p.BodyByDensity, p.BodyText)
	}
}

// A page of links and short lines has no main text: the body stays
// missing rather than being a menu.
func TestNoBodyByDensityOnALinkPage(t *testing.T) {
	page := []byte(`<html><body><div class="list"><ul>` +
		strings.Repeat(`<li><a href="/x.html">关于印发某市某项工作方案的通知，请各单位遵照执行。</a><span>2026-04-01</span></li>`, 12) +
		`</ul></div><div>首页 政务公开 互动交流</div></body></html>`)
	p, err := Detail(page, "text/html", mustURL(t, "https://www.example.gov.cn/a.html"), config.DetailRule{Body: []string{"div.gone"}})
	if err != nil {
		t.Fatal(err)
	}
	if p.BodyByDensity || !strings.Contains(strings.Join(p.Missing, ","), "body") {
		t.Errorf("a list of links: by density %v, missing %v, body %.40q; want the body missing", p.BodyByDensity, p.Missing, p.BodyText)
	}
}
