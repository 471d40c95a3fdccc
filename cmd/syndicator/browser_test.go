package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/rs/zerolog"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/httpapi"
	"github.com/gyeco/syndicator/sinks/blob"
	"github.com/gyeco/syndicator/sinks/site/render"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/readmodel/readmodeltest"
)

// browserWidth is the desktop width the site and the report must fit.
const browserWidth = 1280

// chromium finds the browser: $SYND_CHROMIUM, else chromium on PATH. With
// CI=true a missing browser fails the test; elsewhere it is skipped.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("SYND_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const hint = "headless Chromium not found: install it (Debian: apt-get install chromium fonts-noto-cjk) or set SYND_CHROMIUM=/path/to/chromium"
	if os.Getenv("CI") == "true" {
		t.Fatal(hint)
	}
	t.Skip(hint)
	return ""
}

// newBrowser starts headless Chromium at bin for the test, 1280 px wide;
// it is closed when the test ends.
func newBrowser(t *testing.T, bin string) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(browserWidth, 900),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	t.Cleanup(cancel)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(actx, chromedp.WithErrorf(t.Logf))
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(bctx, chromedp.EmulateViewport(browserWidth, 900)); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	return bctx
}

// browserConfig is the committee site of the test, with its chrome.
const browserConfig = `http:
  tokens:
    - {name: 审计, role: auditor, token: ` + auditorToken + `}
site:
  name: 贵阳市生态文明委员会
  columns:
    - {id: zcwj, name: 政策文件}
    - {id: sthj, name: 生态环境}
  chrome:
    site_code: "5201000047"
    icp: 黔ICP备05002212号-1
    police_record: 贵公网安备 52010302000123号
    sponsor: 贵阳市生态文明委员会
    organizer: 贵阳市生态文明委员会办公室
    conac_url: https://bszs.conac.cn/sitename?method=show&id=0000000000000000
    contact_url: mailto:stwm@example.gov.cn
    accessibility_url: https://www.example.gov.cn/wza/
`

const browserAttachment = "attachments/9b2e5c7d0000000000000000000000000000000000000000000000000000abcd.pdf"

// browserArticles are the sample articles: a long State Council document
// whose body lists its attachment (as the source page did) and whose
// validity is unknown, and a run of short ones.
func browserArticles() []render.Article {
	bj := func(y int, m time.Month, d, h int) time.Time {
		return time.Date(y, m, d, h, 0, 0, 0, syndicator.Shanghai)
	}
	long := render.Article{
		Item: syndicator.Item{
			ID:                 "3f9a1c0d5e7b2a4c6d8e0f1a2b3c4d5e",
			Source:             "govcn-gwywj",
			URL:                "https://www.gov.cn/zhengce/content/202609/content_7080735.htm?from=a-very-long-query-string-that-must-wrap-rather-than-overflow-the-attribution-table-0123456789abcdef0123456789abcdef",
			Title:              "国务院关于加强生态环境分区管控的意见",
			DocNumber:          "国发〔2026〕12号",
			IndexNumber:        "000014349/2026-00098",
			Issuer:             "国务院",
			Origin:             "国务院办公厅",
			WrittenAt:          "2026-09-08",
			PublishedAt:        bj(2026, 9, 11, 17),
			PublishedPrecision: syndicator.PrecisionMinute,
			Validity:           syndicator.ValidityUnknown,
			BodyHTML: "<p>各省、自治区、直辖市人民政府，国务院各部委、各直属机构：</p>\n" +
				strings.Repeat("<p>为加强生态环境分区管控，推动高质量发展和高水平保护，现提出如下意见。各地区各部门要结合实际认真贯彻落实。</p>\n", 6) +
				"<p>附件：</p>\n<p><a href=\"../../" + browserAttachment + "\">重点任务分工表.pdf</a></p>\n<p>国务院</p>",
			Revision: 1,
		},
		Column:      "zcwj",
		SourceName:  "中国政府网",
		Attachments: []render.Link{{Name: "重点任务分工表.pdf", Href: browserAttachment}},
		PublishedAt: bj(2026, 9, 12, 9),
	}
	arts := []render.Article{long}
	for n := range 12 {
		col := []string{"zcwj", "sthj"}[n%2]
		at := bj(2026, 9, 1+n, 10)
		arts = append(arts, render.Article{
			Item: syndicator.Item{
				ID: fmt.Sprintf("%032x", 0x1000+n), Source: "guiyang-gfxwj",
				URL:   fmt.Sprintf("https://www.guiyang.gov.cn/zwgk/gfxwj/%s/t%s_%d.html", at.Format("200601"), at.Format("20060102"), 90706751+n),
				Title: fmt.Sprintf("贵阳市人民政府办公厅关于印发贵阳市生态环境保护工作要点第%d号的通知", n+1), Issuer: "贵阳市人民政府办公厅",
				PublishedAt: at, PublishedPrecision: syndicator.PrecisionDay, Validity: syndicator.ValidityEffective,
				BodyHTML: fmt.Sprintf("<p>正文 %d</p>", n), Revision: 1,
			},
			Column: col, SourceName: "贵阳市人民政府网", PublishedAt: at.Add(2 * time.Hour),
		})
	}
	return arts
}

// browserServer renders the docroot with the real renderer and serves it,
// with the audit API over syndicator/audit/testdata/period.jsonl, through
// the real server (httpapi.New).
func browserServer(t *testing.T) (*httptest.Server, string) {
	t.Helper()
	cfg, err := config.Parse("browser.yml", []byte(browserConfig))
	if err != nil {
		t.Fatal(err)
	}
	app := &App{Config: cfg, Log: zerolog.Nop()}
	r, err := app.renderer()
	if err != nil {
		t.Fatal(err)
	}
	arts := browserArticles()
	pages, err := r.Indexes(arts)
	if err != nil {
		t.Fatal(err)
	}
	body, err := r.Article(&arts[0])
	if err != nil {
		t.Fatal(err)
	}
	article := render.ArticlePath(&arts[0])
	pages = append(pages, render.Page{Path: article, Body: body}, render.Page{Path: browserAttachment, Body: []byte("%PDF-1.4\n")})
	dir := t.TempDir()
	for _, p := range pages {
		file := filepath.Join(dir, filepath.FromSlash(p.Path))
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, p.Body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	index, ends := readmodeltest.Ledger(t, readmodeltest.Lines(t, "../../syndicator/audit/testdata/period.jsonl"))
	s, err := httpapi.New(httpapi.Deps{
		Config: cfg, Site: blob.NewFS(dir), Index: index, Streams: ends, ReportNames: app.reportNames(), Log: zerolog.Nop(),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv, article
}

// pageCheck is what the browser measures on a page.
type pageCheck struct {
	ScrollWidth int             `json:"scrollWidth"`
	InnerWidth  int             `json:"innerWidth"`
	Visible     map[string]bool `json:"visible"`
	Text        string          `json:"text"`
	Links       map[string]int  `json:"links"`
	Style       map[string]string
}

// measure is evaluated in the page: the overflow, which of the given
// selectors are rendered visibly, the page text, how often each href is
// linked, and a few computed styles.
const measure = `(() => {
  const vis = (sel) => { const e = document.querySelector(sel); if (!e) return false;
    const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
  const sels = %s;
  const visible = {}; for (const s of sels) visible[s] = vis(s);
  const links = {}; for (const a of document.querySelectorAll('a[href]')) { const h = a.getAttribute('href'); links[h] = (links[h] || 0) + 1; }
  const style = {};
  const tbl = document.querySelector('table'); if (tbl) style.tableLayout = getComputedStyle(tbl).tableLayout;
  const foot = document.querySelector('.site-footer'); if (foot) style.footerBorder = getComputedStyle(foot).borderTopStyle;
  const h1 = document.querySelector('h1'); if (h1) style.h1Color = getComputedStyle(h1).color;
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
    visible, text: document.body.innerText, links, style};
})()`

// TestBrowserScreenshots opens the home page, an article, the 404 page and
// the audit report in headless Chromium at 1280 px, checks that nothing
// overflows horizontally, that the government-site chrome is visible and
// styled, and saves full-page screenshots (in a temporary directory, and
// in $SYND_SCREENSHOT_DIR when set).
func TestBrowserScreenshots(t *testing.T) {
	t.Parallel() // own stores, ports and data dirs
	bin := chromium(t)
	srv, article := browserServer(t)

	shots := t.TempDir()
	extra := os.Getenv("SYND_SCREENSHOT_DIR")
	if extra != "" {
		if err := os.MkdirAll(extra, 0o755); err != nil {
			t.Fatal(err)
		}
	}

	bctx := newBrowser(t, bin)

	chromeSelectors := []string{".site-record", ".site-owner", ".site-conac", ".footer-links"}
	chromeText := []string{"网站标识码：5201000047", "黔ICP备05002212号-1", "贵公网安备 52010302000123号",
		"主办单位：贵阳市生态文明委员会", "承办单位：贵阳市生态文明委员会办公室", "党政机关网站标识", "网站地图", "联系我们", "无障碍"}

	shoot := func(name, url string, headers map[string]any, selectors []string) pageCheck {
		t.Helper()
		sel := "["
		for i, s := range selectors {
			if i > 0 {
				sel += ","
			}
			sel += fmt.Sprintf("%q", s)
		}
		sel += "]"
		if headers == nil {
			headers = map[string]any{}
		}
		setHeaders := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
				return err
			}
			_, err := cdp.Call(ctx, tg, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers(headers)})
			return err
		})
		if err := chromedp.Do(bctx, setHeaders, chromedp.Navigate(url), chromedp.WaitReady("body")); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := chromedp.Run(bctx, chromedp.Evaluate[pageCheck](fmt.Sprintf(measure, sel)))
		if err != nil {
			t.Fatalf("%s: measure: %v", name, err)
		}
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("%s: screenshot: %v", name, err)
		}
		cfg, format, err := image.DecodeConfig(bytes.NewReader(png))
		if err != nil || format != "png" || cfg.Width != browserWidth {
			t.Errorf("%s: screenshot %s %dx%d (%v), want a %d px wide PNG", name, format, cfg.Width, cfg.Height, err, browserWidth)
		}
		for _, d := range []string{shots, extra} {
			if d == "" {
				continue
			}
			if err := os.WriteFile(filepath.Join(d, name+".png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("%s: %s (%dx%d), scrollWidth %d, innerWidth %d", name, filepath.Join(shots, name+".png"), cfg.Width, cfg.Height, got.ScrollWidth, got.InnerWidth)
		if got.InnerWidth != browserWidth {
			t.Errorf("%s: innerWidth %d, want %d", name, got.InnerWidth, browserWidth)
		}
		if got.ScrollWidth > got.InnerWidth {
			t.Errorf("%s overflows horizontally at %d px: scrollWidth %d", name, got.InnerWidth, got.ScrollWidth)
		}
		for _, s := range selectors {
			if !got.Visible[s] {
				t.Errorf("%s: %s is not visible", name, s)
			}
		}
		return got
	}
	wantText := func(name string, got pageCheck, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(got.Text, w) {
				t.Errorf("%s does not show %q", name, w)
			}
		}
	}

	home := shoot("home", srv.URL+"/", nil, chromeSelectors)
	wantText("home", home, chromeText...)
	wantText("home", home, "政策文件", "生态环境")
	if home.Style["footerBorder"] != "solid" {
		t.Errorf("home: footer not styled (border-top-style %q): style.css did not load", home.Style["footerBorder"])
	}

	art := shoot("article", srv.URL+"/"+article, nil, append([]string{".attribution", ".attachments", ".article-body"}, chromeSelectors...))
	wantText("article", art, chromeText...)
	if n := art.Links["../../"+browserAttachment]; n != 1 {
		t.Errorf("article links its attachment %d times, want once (in the 附件 block)", n)
	}
	if strings.Contains(art.Text, "有效性") || strings.Contains(art.Text, "未知") {
		t.Errorf("article shows an unknown validity")
	}

	notFound := shoot("404", srv.URL+"/zcwj/no/such/page.html", nil, append([]string{".notfound"}, chromeSelectors...))
	wantText("404", notFound, append([]string{"您访问的页面不存在", "返回首页"}, chromeText...)...)
	if notFound.Style["footerBorder"] != "solid" || notFound.Style["h1Color"] != "rgb(46, 125, 50)" {
		t.Errorf("404 page not styled: %v", notFound.Style)
	}
	resp, err := http.Get(srv.URL + "/zcwj/no/such/page.html")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown page: status %d, want 404", resp.StatusCode)
	}

	reportURL := srv.URL + "/api/v1/audit/report?from=2026-06-01&to=2026-09-30&format=html"
	rep := shoot("report", reportURL, map[string]any{"Authorization": "Bearer " + auditorToken}, []string{"#evidence", "#column-freshness"})
	wantText("report", rep, "转载时效审计报告", "政策文件", "生态环境")
	if rep.Style["tableLayout"] != "fixed" {
		t.Errorf("report: table-layout %q, want fixed: the inline style was blocked (check the CSP hash)", rep.Style["tableLayout"])
	}

	req, _ := http.NewRequest("GET", reportURL, nil)
	req.Header.Set("Authorization", "Bearer "+auditorToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'none'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "style-src 'sha256-") {
		t.Errorf("report CSP = %q, want default-src 'none', a style hash, no unsafe-inline, script-src 'none'", csp)
	}
}
