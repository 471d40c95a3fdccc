package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/ledger"
	"github.com/gyeco/syndicator/syndicator/natsbus"
)

// operatorEntries are the ledger's operator actions.
func operatorEntries(t *testing.T, bus *natsbus.Bus) []ledger.Entry {
	t.Helper()
	var out []ledger.Entry
	err := bus.ReadEntries(context.Background(), func(data []byte) error {
		var e ledger.Entry
		if err := json.Unmarshal(data, &e); err != nil {
			return err
		}
		if e.Fact.Kind == syndicator.KindOperator {
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// waitAction waits for the ledger to hold an operator action named act
// by actor.
func waitAction(t *testing.T, bus *natsbus.Bus, act syndicator.ActionName, actor string) ledger.Entry {
	t.Helper()
	var found ledger.Entry
	waitFor(t, 30*time.Second, "ledger entry for "+string(act), func() (bool, string) {
		for _, e := range operatorEntries(t, bus) {
			if e.Fact.Action == act && e.Fact.Actor == actor {
				found = e
				return true, ""
			}
		}
		return false, ""
	})
	return found
}

// TestConsole drives the console over HTTP as a browser would (cookies,
// forms, redirects) against the whole pipeline: sign-in and roles, CSRF,
// every page, the source controls, review, dead letters, a revision's
// diff, the ledger's record of every change with its actor, and session
// expiry.
func TestConsole(t *testing.T) {
	t.Parallel() // own govsim, CMS, NATS, ports and data dirs
	e := startConsoleEnv(t)
	anon := newConsoleClient(t, e.base)

	t.Run("signed out", func(t *testing.T) {
		code, _, h := anon.get("/console/items")
		if code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/console/login?next=") {
			t.Errorf("GET /console/items signed out: %d → %q, want 303 to the login page", code, h.Get("Location"))
		}
		tok := anon.csrf("/console/login")
		code, body, _ := anon.post("/console/login", url.Values{"csrf": {tok}, "token": {"not-a-token-0123456789"}})
		if code != http.StatusUnauthorized || !strings.Contains(body, "令牌无效") {
			t.Errorf("wrong token: %d, want 401 saying 令牌无效", code)
		}
		// A login form posted without its cookie's token is refused.
		code, _, _ = newConsoleClient(t, e.base).post("/console/login", url.Values{"csrf": {tok}, "token": {operatorToken}})
		if code != http.StatusForbidden {
			t.Errorf("login without the form's cookie: %d, want 403", code)
		}
	})

	op := newConsoleClient(t, e.base)
	csrf := op.login(operatorToken)
	code, body, h := op.get("/console/")
	if code != 200 || !strings.Contains(body, "信息中心张三") || !strings.Contains(h.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Fatalf("overview: %d, CSP %q\n%.3000s", code, h.Get("Content-Security-Policy"), body)
	}
	for _, c := range op.c.Jar.Cookies(mustURL(t, e.base+"/console/")) {
		if c.Name == "synd_console" && c.Value == "" {
			t.Error("empty session cookie")
		}
	}

	// Items flow: one of each site, a 黔府函 for review.
	review, gov, reviewID, govID := e.publishReviewAndGov(t)
	// The review queue filling says nothing about the gov.cn item: serve's
	// read model learns it, and its archive, on their own schedule (CI
	// once asked a moment too early and got 404).
	waitFor(t, 60*time.Second, "the gov.cn item and its capture in the console", func() (bool, string) {
		code, body, _ := op.get("/console/items/" + govID)
		return code == 200 && strings.Contains(body, "capture.warc.gz"), fmt.Sprintf("last answer %d", code)
	})

	t.Run("pages", func(t *testing.T) {
		for path, want := range map[string]string{
			"/console/":                     "来源健康",
			"/console/sources":              "贵阳市人民政府",
			"/console/sources/govcn-zuixin": "立即测试",
			"/console/items":                review.Title,
			"/console/items?q=" + url.QueryEscape(review.DocNumber): review.Title,
			"/console/items/" + govID:                               gov.Title,
			"/console/review":                                       review.Title,
			"/console/dead":                                         "死信",
			"/console/audit":                                        "按时率",
			"/console/config":                                       "sources[0].id",
		} {
			code, body, _ := op.get(path)
			if code != 200 || !strings.Contains(body, want) {
				t.Errorf("GET %s: %d, want 200 with %q\n%.3000s", path, code, want, body)
			}
			if strings.Contains(body, operatorToken) || strings.Contains(body, auditorToken) || strings.Contains(body, webhookSecret) {
				t.Errorf("GET %s shows a secret", path)
			}
		}
		// The archived capture downloads as evidence: an attachment, the
		// WARC's gzip bytes.
		_, page, _ := op.get("/console/items/" + govID)
		warc := regexpMust(`href="(/console/evidence/[^"]+capture\.warc\.gz)"`).FindStringSubmatch(page)
		if warc == nil {
			t.Errorf("item page links no WARC download\n%.3000s", page)
		} else {
			code, body, h := op.get(warc[1])
			if code != 200 || !strings.HasPrefix(body, "\x1f\x8b") || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment") {
				t.Errorf("GET %s: %d, %q, %d bytes: want the gzip WARC as an attachment", warc[1], code, h.Get("Content-Disposition"), len(body))
			}
		}
		if code, _, _ := op.get("/console/sources/nope"); code != http.StatusNotFound {
			t.Errorf("unknown source: %d, want 404", code)
		}
		if code, _, _ := op.get("/console/items/0123456789abcdef0123456789abcdef"); code != http.StatusNotFound {
			t.Errorf("unknown item: %d, want 404", code)
		}
	})

	t.Run("csrf", func(t *testing.T) {
		for _, form := range []url.Values{{}, {"csrf": {"forged"}}} {
			form.Set("approved", reviewID)
			if code, _, _ := op.post("/console/review", form); code != http.StatusForbidden {
				t.Errorf("review without a valid CSRF token (%v): %d, want 403", form, code)
			}
		}
	})

	t.Run("degraded source and test", func(t *testing.T) {
		e.sim.Redesign(sim.Guiyang, true)
		waitFor(t, 60*time.Second, "guiyang degraded on its page", func() (bool, string) {
			_, body, _ := op.get("/console/sources/guiyang-gfxwj")
			return strings.Contains(body, `<span class="degraded">降级</span>`), ""
		})
		code, body, _ := op.post("/console/sources/govcn-zuixin/test", url.Values{"csrf": {csrf}})
		if code != 200 || !strings.Contains(body, "试抓结果") || !strings.Contains(body, gov.Title) {
			t.Errorf("立即测试: %d\n%.3000s", code, body)
		}
	})

	t.Run("pause, poll, resume", func(t *testing.T) {
		for _, act := range []string{"pause", "poll", "resume"} {
			code, _, h := op.post("/console/sources/guiyang-gfxwj/"+act, url.Values{"csrf": {csrf}, "reason": {"测试" + act}})
			if code != http.StatusSeeOther {
				t.Fatalf("%s: %d", act, code)
			}
			_ = h
		}
		for _, act := range []syndicator.ActionName{syndicator.ActionPause, syndicator.ActionPoll, syndicator.ActionResume} {
			e := waitAction(t, e.bus, act, "信息中心张三")
			if e.Fact.Source != "guiyang-gfxwj" || e.Fact.Role != "operator" {
				t.Errorf("%s entry: %+v", act, e.Fact)
			}
		}
		var sc syndicator.SourceControl
		if _, err := e.bus.GetState(context.Background(), syndicator.BucketControl, "guiyang-gfxwj", &sc); err != nil || sc.Paused || sc.PollBy != "信息中心张三" {
			t.Errorf("control after resume: %+v, %v", sc, err)
		}
	})

	t.Run("approve", func(t *testing.T) {
		code, _, _ := op.post("/console/review", url.Values{"csrf": {csrf}, "approved": {reviewID}, "column-" + reviewID: {"zcwj"}})
		if code != http.StatusSeeOther {
			t.Fatalf("approve: %d", code)
		}
		_, body, _ := op.get("/console/review")
		if !strings.Contains(body, "已记录 1 个审核决定") {
			t.Errorf("no outcome message after approving\n%.2000s", body)
		}
		waitFor(t, 60*time.Second, "the approved item on the committee site", func() (bool, string) {
			return len(siteListing(t, e.site)) > 0 && articleOf(t, e, reviewID) != "", ""
		})
		waitFor(t, 30*time.Second, "the decision with its reviewer on the review page", func() (bool, string) {
			_, body, _ := op.get("/console/review")
			return strings.Contains(body, "通过 → 政策文件") && strings.Contains(body, "信息中心张三"), ""
		})
	})

	t.Run("dead letter retry", func(t *testing.T) {
		var seq string
		waitFor(t, 60*time.Second, "the refused webhook request dead-lettered", func() (bool, string) {
			_, body, _ := op.get("/console/dead")
			m := regexpDeadRetry.FindStringSubmatch(body)
			if m != nil {
				seq = m[1]
			}
			return m != nil, ""
		})
		d, err := e.bus.DeadLetter(context.Background(), mustSeq(t, seq))
		if err != nil {
			t.Fatal(err)
		}
		dead, _ := eventOfDead(d)
		if _, ok := e.cms.Doc(dead); ok || !syndicator.IsItemID(dead) {
			t.Fatalf("dead-lettered item %q already in the CMS (%v) or no item", dead, ok)
		}
		code, _, _ := op.post("/console/dead/"+seq+"/retry", url.Values{"csrf": {csrf}})
		if code != http.StatusSeeOther {
			t.Fatalf("retry: %d", code)
		}
		en := waitAction(t, e.bus, syndicator.ActionRetry, "信息中心张三")
		if en.Fact.Consumer != "webhook" || en.Fact.DeadSeq != mustSeq(t, seq) || en.Fact.ID != dead {
			t.Errorf("retry entry: %+v", en.Fact)
		}
		waitFor(t, 60*time.Second, "the retried item in the CMS", func() (bool, string) {
			_, ok := e.cms.Doc(en.Fact.ID)
			return ok, en.Fact.ID
		})
		waitFor(t, 30*time.Second, "the dead letter shown as retried", func() (bool, string) {
			_, body, _ := op.get("/console/dead?all=1")
			return strings.Contains(body, "重试死信：信息中心张三"), ""
		})
	})

	t.Run("revision diff", func(t *testing.T) {
		if _, err := e.sim.Revise(gov.Path); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 60*time.Second, "the revision's diff on the item page", func() (bool, string) {
			_, body, _ := op.get("/console/items/" + govID)
			return strings.Contains(body, `class="diff"`) && strings.Contains(body, "第 2 版"), ""
		})
	})

	t.Run("auditor", func(t *testing.T) {
		au := newConsoleClient(t, e.base)
		acsrf := au.login(auditorToken)
		_, body, _ := au.get("/console/review")
		if strings.Contains(body, `name="approved"`) || strings.Contains(body, "通过所选") {
			t.Error("the auditor's review page offers approval")
		}
		for path, form := range map[string]url.Values{
			"/console/review":                      {"approved": {reviewID}},
			"/console/sources/govcn-zuixin/pause":  {},
			"/console/dead/retry-all":              {},
			"/console/config/reload":               {},
			"/console/sources/govcn-zuixin/resume": {},
		} {
			form.Set("csrf", acsrf)
			code, body, _ := au.post(path, form)
			if code != http.StatusForbidden || !strings.Contains(body, "只能查看") {
				t.Errorf("auditor POST %s: %d, want 403 saying 只能查看", path, code)
			}
		}
	})

	t.Run("expiry and logout", func(t *testing.T) {
		short := newConsoleClient(t, e.base)
		scsrf := short.login(operatorToken)
		code, _, _ := short.post("/console/logout", url.Values{"csrf": {scsrf}})
		if code != http.StatusSeeOther {
			t.Errorf("logout: %d", code)
		}
		if code, _, _ := short.get("/console/"); code != http.StatusSeeOther {
			t.Errorf("after logout: %d, want 303 to sign in", code)
		}
		e.clk.advance(31 * time.Minute) // past the idle limit
		if code, _, h := op.get("/console/"); code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/console/login") {
			t.Errorf("idle session: %d → %q, want 303 to sign in", code, h.Get("Location"))
		}
		if code, _, _ := op.post("/console/sources/govcn-zuixin/poll", url.Values{"csrf": {csrf}}); code != http.StatusUnauthorized {
			t.Errorf("POST with an expired session: %d, want 401", code)
		}
	})
}

var regexpDeadRetry = regexpMust(`action="/console/dead/(\d+)/retry"`)
