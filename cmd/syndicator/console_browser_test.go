package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/syndicator"
)

// axeSource finds axe-core's script: $SYND_AXE, else the copy .ci/run
// installs with npm. With CI=true a missing axe fails the test.
func axeSource(t *testing.T) string {
	t.Helper()
	paths := []string{os.Getenv("SYND_AXE")}
	if home, err := os.UserHomeDir(); err == nil {
		paths = append(paths, filepath.Join(home, ".cache/syndicator-ci/npm/node_modules/axe-core/axe.min.js"))
	}
	for _, p := range paths {
		if p == "" {
			continue
		}
		if b, err := os.ReadFile(p); err == nil {
			return string(b)
		}
	}
	const hint = "axe-core not found: npm install axe-core (see .ci/run) and set SYND_AXE=/path/to/axe.min.js"
	if os.Getenv("CI") == "true" {
		t.Fatal(hint)
	}
	t.Skip(hint)
	return ""
}

// axeViolation is one WCAG rule a page breaks.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// axeRun checks the page for WCAG 2.1 A and AA violations.
const axeRun = `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})
  .then(r => r.violations.map(v => ({id: v.id, impact: v.impact || '', help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' ' + (n.failureSummary || '').replace(/\s+/g, ' '))})))`

// browserPage drives one browser tab through the console.
type browserPage struct {
	t     *testing.T
	ctx   context.Context
	axe   string
	shots string // where screenshots go
}

// open navigates to url and waits for sel.
func (b *browserPage) open(url, sel string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
		b.t.Fatalf("open %s (waiting for %s): %v", url, sel, err)
	}
}

// click clicks sel and waits for next on the page that follows.
func (b *browserPage) click(sel, next string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS(sel)), chromedp.WaitVisible(chromedp.CSS(next))); err != nil {
		b.t.Fatalf("click %s (waiting for %s): %v\n%s", sel, next, err, b.text())
	}
}

func (b *browserPage) text() string {
	s, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ''`))
	return s
}

// check saves a full-page screenshot as name and fails on any WCAG 2.1 AA
// violation axe-core finds, or on horizontal overflow.
func (b *browserPage) check(name string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](b.axe+";true")); err != nil {
		b.t.Fatalf("%s: inject axe-core: %v", name, err)
	}
	vs, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("%s: axe: %v", name, err)
	}
	for _, v := range vs {
		b.t.Errorf("%s: WCAG violation %s (%s): %s\n  %s", name, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n  "))
	}
	w, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, window.innerWidth]`))
	if err == nil && w[0] > w[1] {
		b.t.Errorf("%s overflows horizontally: scrollWidth %d > %d", name, w[0], w[1])
	}
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("%s: screenshot: %v", name, err)
	}
	for _, d := range []string{b.shots, os.Getenv("SYND_SCREENSHOT_DIR")} {
		if d == "" {
			continue
		}
		_ = os.MkdirAll(d, 0o755)
		if err := os.WriteFile(filepath.Join(d, "console-"+name+".png"), png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
}

// post submits a form built in the page, as a forged or hand-made
// request would be, and waits for the answer page.
func (b *browserPage) post(path string, fields map[string]string) {
	b.t.Helper()
	js := "(() => { const f = document.createElement('form'); f.method = 'post'; f.action = " + fmt.Sprintf("%q", path) + ";"
	for k, v := range fields {
		js += fmt.Sprintf("{ const i = document.createElement('input'); i.type = 'hidden'; i.name = %q; i.value = %q; f.appendChild(i); }", k, v)
	}
	js += "document.body.appendChild(f); f.submit(); return true; })()"
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](js)); err != nil {
		b.t.Fatalf("post %s: %v", path, err)
	}
	if err := chromedp.Do(b.ctx, chromedp.WaitVisible(chromedp.CSS("p.error"))); err != nil {
		b.t.Fatalf("post %s: no answer page: %v\n%s", path, err, b.text())
	}
}

// login signs in through the form.
func (b *browserPage) login(base, token string) {
	b.t.Helper()
	b.open(base+"/console/", "#token")
	if err := chromedp.Do(b.ctx, chromedp.SendKeys(chromedp.ID("token"), token), chromedp.Submit(chromedp.ID("token")), chromedp.WaitVisible(chromedp.CSS(".who"))); err != nil {
		b.t.Fatalf("sign in: %v\n%s", err, b.text())
	}
}

// TestConsoleInBrowser is the console's acceptance in headless Chromium:
// an operator signs in, sees a degraded source with its reason, runs
// 立即测试, approves a review item and finds it on the committee site,
// retries a dead letter, opens a timeline and a revision diff; an auditor
// sees no approval control and is refused when posting one anyway; a
// mutation without the CSRF token fails; an expired session is refused.
// Every console page, the column index and an article pass axe-core's
// WCAG 2.1 AA rules, and each is saved as a screenshot.
func TestConsoleInBrowser(t *testing.T) {
	t.Parallel() // own pipeline and browser
	bin := chromium(t)
	axe := axeSource(t)
	e := startConsoleEnv(t)
	op := &browserPage{t: t, ctx: newBrowser(t, bin), axe: axe, shots: t.TempDir()}
	// The console's CSP allows scripts from 'self' only; axe is injected
	// by the test, as the browser's devtools would.
	bypass := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true})
		return err
	})
	if err := chromedp.Do(op.ctx, bypass); err != nil {
		t.Fatal(err)
	}

	op.open(e.base+"/console/", "#token")
	op.check("login")
	op.login(e.base, operatorToken)

	review, gov, reviewID, govID := e.publishReviewAndGov(t)
	e.sim.Redesign(sim.Guiyang, true)

	// A degraded source and its reason.
	waitFor(t, 60*time.Second, "guiyang degraded", func() (bool, string) {
		op.open(e.base+"/console/sources", "table")
		return strings.Contains(op.text(), "降级"), ""
	})
	op.check("sources")
	op.open(e.base+"/console/sources/guiyang-gfxwj", "#h-state")
	if txt := op.text(); !strings.Contains(txt, "降级") || !strings.Contains(txt, "原因") {
		t.Errorf("the degraded source's page shows no reason:\n%s", txt)
	}
	op.click(`form[action$="/test"] button`, "#h-test")
	op.check("source-test")

	op.open(e.base+"/console/", "#h-src")
	op.check("overview")

	// Approve the review item, then find it on the committee site.
	op.open(e.base+"/console/review", "#queue")
	op.check("review")
	op.click(fmt.Sprintf(`button[name="approved"][value="%s"]`, reviewID), ".flash")
	if txt := op.text(); !strings.Contains(txt, "已记录 1 个审核决定") {
		t.Errorf("no outcome after approving:\n%s", txt)
	}
	var location string
	waitFor(t, 60*time.Second, "the approved item on the committee site", func() (bool, string) {
		op.open(e.base+"/console/items/"+reviewID, "#h-tl")
		loc, _ := chromedp.Run(op.ctx, chromedp.Evaluate[string](`(document.querySelector('#h-ev + ul a[href^="/zcwj/"], #h-ev + ul a[href^="/sthj/"]') || {}).getAttribute ? document.querySelector('#h-ev + ul a[href^="/zcwj/"], #h-ev + ul a[href^="/sthj/"]').getAttribute('href') : ''`))
		location = loc
		return loc != "", ""
	})
	op.check("item")
	op.open(e.base+location, "h1")
	if !strings.Contains(op.text(), review.Title) {
		t.Errorf("the committee site's page %s does not show %q", location, review.Title)
	}
	op.check("site-article")
	op.open(e.base+"/zcwj/", "h1")
	op.check("site-column")

	// Retry the dead letter (the CMS refused the first webhook request).
	waitFor(t, 60*time.Second, "a dead letter", func() (bool, string) {
		op.open(e.base+"/console/dead", "table")
		return strings.Contains(op.text(), "重投"), ""
	})
	op.check("dead")
	op.click(`form[action$="/retry"]:not([action$="retry-all"]) button`, ".flash")
	waitAction(t, e.bus, syndicator.ActionRetry, "信息中心张三")

	// A revision and its diff.
	if _, err := e.sim.Revise(gov.Path); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "the revision diff", func() (bool, string) {
		op.open(e.base+"/console/items/"+govID, "#h-rev")
		n, _ := chromedp.Run(op.ctx, chromedp.Evaluate[int](`document.querySelectorAll('table.diff td.del, table.diff td.ins').length`))
		return n > 0, ""
	})
	op.check("item-diff")

	op.open(e.base+"/console/items?q="+review.DocNumber[:9], "table")
	if !strings.Contains(op.text(), review.Title) {
		t.Errorf("full-text search for %q does not find %q", review.DocNumber[:9], review.Title)
	}
	op.check("items")
	op.open(e.base+"/console/audit?from=2026-08-01&verify=1", "#h-verify")
	if !strings.Contains(op.text(), "校验通过") {
		t.Errorf("live verify did not pass:\n%s", op.text())
	}
	op.check("audit")
	op.open(e.base+"/console/config", "table")
	op.check("config")

	// A mutation without the CSRF token fails, even with the session.
	op.post("/console/sources/govcn-zuixin/pause", map[string]string{"reason": "x"})
	if txt := op.text(); !strings.Contains(txt, "CSRF") {
		t.Errorf("POST without the CSRF token was not refused:\n%s", txt)
	}

	// The auditor sees no control and is refused when posting anyway.
	au := &browserPage{t: t, ctx: newBrowser(t, bin), axe: axe, shots: op.shots}
	au.login(e.base, auditorToken)
	au.open(e.base+"/console/review", "h1")
	n, _ := chromedp.Run(au.ctx, chromedp.Evaluate[int](`document.querySelectorAll('button[name="approved"], button[name="bulk"], form[action$="/poll"]').length`))
	if n != 0 {
		t.Errorf("the auditor's review page has %d approval controls", n)
	}
	au.check("review-auditor")
	csrf, _ := chromedp.Run(au.ctx, chromedp.Evaluate[string](`document.querySelector('input[name=csrf]').value`))
	au.post("/console/review", map[string]string{"csrf": csrf, "approved": reviewID})
	if txt := au.text(); !strings.Contains(txt, "只能查看") {
		t.Errorf("auditor approving with a valid CSRF token was not refused:\n%s", txt)
	}

	// An expired session is refused: the next page is the sign-in form.
	e.clk.advance(31 * time.Minute)
	op.open(e.base+"/console/review", "#token")
	if !strings.Contains(op.text(), "令牌") {
		t.Errorf("expired session: not sent to sign in:\n%s", op.text())
	}
	t.Logf("screenshots in %s", op.shots)
}
