package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/sinks/blob"
	"github.com/gyeco/syndicator/sinks/site/render"
	"github.com/gyeco/syndicator/sinks/webhook/cmstest"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/decide"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
)

const webhookSecret = "wh-secret-0123456789abcdef"

// lifeEnv is a running pipeline over govsim's gov.cn, Guizhou and
// Guiyang sites with the default relevance rules, a webhook to a test CMS
// and the API.
type lifeEnv struct {
	sim  *sim.Site
	srv  *httptest.Server
	cms  *cmstest.CMS
	site *blob.FS
	bus  *natsbus.Bus
	api  string
}

func startLifecycle(t *testing.T) *lifeEnv {
	t.Helper()
	l := &lifeEnv{sim: sim.New(sim.Options{Seed: 20, Items: -1, Sites: []string{"govcn-all", "guizhou-all", sim.Guiyang}})}
	l.srv = httptest.NewServer(l.sim)
	t.Cleanup(l.srv.Close)
	l.cms = cmstest.New([]byte(webhookSecret))
	t.Cleanup(l.cms.Close)
	dir := t.TempDir()
	l.site = blob.NewFS(dir + "/site")
	port, httpPort := natstest.FreePort(t), natstest.FreePort(t)
	l.api = fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	yaml := fmt.Sprintf(`data_dir: %[1]s/data
nats: {port: %[2]d}
http:
  listen: "127.0.0.1:%[3]d"
  tokens:
    - {name: 信息中心张三, role: operator, token: %[4]s}
    - {name: 审计, role: auditor, token: %[5]s}
crawler: {per_host_rps: 500, allow_private: [%[6]q], recheck: 1s}
# Long enough for gov.cn's page to be decided first on a loaded CI machine.
identity: {wait_for_origin: 10s}
webhook: {url: %[7]q, secret: %[8]q, timeout: 2s}
archive: {backend: fs, dir: %[1]s/archive}
site: {backend: fs, dir: %[1]s/site, columns: [{id: zcwj, name: 政策文件}, {id: sthj, name: 生态环境}]}
sources:
  - {id: govcn-zuixin, level: national, preset: govcn-zuixin, base_url: %[9]s/govcn, interval: 1s}
  - {id: govcn-jiedu, level: national, preset: govcn-jiedu, base_url: %[9]s/govcn, interval: 1s}
  - id: guizhou-szfwj
    level: provincial
    preset: guizhou-szfwj
    base_url: %[9]s/guizhou
    interval: 1s
    list: {urls: [/zwgk/zcfg/szfwj/qff/, /zwgk/zcfg/szfwj/qfh/, /zwgk/zcfg/gwywj/]}
    # govsim's 黔府函 are mostly ecological (sync by the default rules):
    # this source's own rule, tried first, sends every 黔府函 to review.
    rules: [{name: 省政府函件待审, class: review, when: [{field: doc_number, regex: '^黔府函'}]}]
  - {id: guiyang-gfxwj, level: municipal, preset: guiyang-gfxwj, base_url: %[9]s/guiyang, interval: 1s}
`, dir, port, httpPort, operatorToken, auditorToken, strings.TrimPrefix(l.srv.URL, "http://"), l.cms.URL, webhookSecret, l.srv.URL)
	runConfigured(t, dir, yaml, nil, RoleCrawl, RoleArchive, RoleSite, RoleWebhook, RoleServe)
	url := fmt.Sprintf("nats://127.0.0.1:%d", port)
	waitFor(t, 20*time.Second, "embedded nats", func() (bool, string) { return dialable(url), "" })
	l.bus = connectBus(t, url)
	return l
}

func (l *lifeEnv) id(t *testing.T, r sim.Release) string {
	t.Helper()
	id, _ := releaseID(t, l.srv.URL, r)
	return id
}

// decisions returns the decided events of item id.
func (l *lifeEnv) decisions(t *testing.T, id string) []syndicator.Event {
	t.Helper()
	var out []syndicator.Event
	for _, ev := range natstest.Events(t, l.bus, "synd.item.decided.>") {
		if ev.ID == id {
			out = append(out, ev)
		}
	}
	return out
}

// page returns the committee site's article of item id, "" when absent.
func (l *lifeEnv) page(t *testing.T, id string) string {
	t.Helper()
	var rec render.Article
	found, err := l.bus.GetState(context.Background(), syndicator.BucketSite, id, &rec)
	if err != nil {
		t.Fatal(err)
	}
	if !found {
		return ""
	}
	b, err := l.site.Get(context.Background(), render.ArticlePath(&rec))
	if err != nil {
		return ""
	}
	return string(b)
}

func (l *lifeEnv) call(t *testing.T, method, path, token string, body any) (int, []byte) {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, _ := http.NewRequest(method, l.api+path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	return resp.StatusCode, buf.Bytes()
}

// nextOn publishes releases until one on site whose 发文字号 starts with
// prefix comes out.
func (l *lifeEnv) nextOn(t *testing.T, site, prefix string) sim.Release {
	t.Helper()
	for range 60 {
		if r := l.sim.Publish(); r.Site == site && strings.HasPrefix(r.DocNumber, prefix) {
			return r
		}
	}
	t.Fatalf("no %s release on %s in 60 publications", prefix, site)
	return sim.Release{}
}

// TestLifecycle is issue 5's acceptance end to end: one document on three
// sites, a repeal decision, a revision, a no-op re-crawl, review decisions
// and a disappeared page, with the site and the webhook CMS checked.
func TestLifecycle(t *testing.T) {
	t.Parallel() // own govsim, NATS, ports and data dirs: shares nothing
	l := startLifecycle(t)

	// One 国发 document on gov.cn, Guizhou and Guiyang.
	gov := l.sim.PublishGovDoc()
	gz, err := l.sim.Reprint(sim.Guizhou, gov.Path)
	if err != nil {
		t.Fatal(err)
	}
	gy, err := l.sim.Reprint(sim.Guiyang, gov.Path)
	if err != nil {
		t.Fatal(err)
	}
	govID, gzID, gyID := l.id(t, gov), l.id(t, gz), l.id(t, gy)
	var doc decide.Doc
	waitFor(t, 60*time.Second, "three sightings of the 国发 document", func() (bool, string) {
		code, body := l.call(t, "GET", "/api/v1/items/"+gyID+"/document", auditorToken, nil)
		if code != http.StatusOK {
			return false, fmt.Sprintf("HTTP %d %s", code, body)
		}
		doc = decide.Doc{}
		_ = json.Unmarshal(body, &doc)
		return len(doc.Sightings) == 3 && len(l.decisions(t, gyID)) == 1, fmt.Sprintf("%d sightings", len(doc.Sightings))
	})
	if doc.Canonical != govID {
		t.Errorf("published from %s, want gov.cn's page %s", doc.Canonical, govID)
	}
	sources := map[string]bool{}
	for _, s := range doc.Sightings {
		sources[s.Source] = true
		if s.FirstSeen.IsZero() {
			t.Errorf("sighting %s without its time", s.Source)
		}
	}
	if len(sources) != 3 {
		t.Errorf("sightings from %v, want three sites", sources)
	}
	waitFor(t, 30*time.Second, "the webhook create", func() (bool, string) {
		return l.cms.Creates(govID) == 1, fmt.Sprintf("%d creates", l.cms.Creates(govID))
	})
	for _, id := range []string{gzID, gyID} {
		if l.page(t, id) != "" || l.cms.Creates(id) != 0 {
			t.Errorf("copy %s republished too", id)
		}
	}
	if l.page(t, govID) == "" {
		t.Fatal("no article for the 国发 document")
	}

	// Its interpretation follows it, and both pages link each other.
	jd, err := l.sim.Interpret(gov.Path)
	if err != nil {
		t.Fatal(err)
	}
	jdID := l.id(t, jd)
	waitFor(t, 30*time.Second, "policy and interpretation linking each other", func() (bool, string) {
		p, j := l.page(t, govID), l.page(t, jdID)
		return strings.Contains(p, "相关解读") && strings.Contains(p, jd.Title) &&
			strings.Contains(j, "相关文件") && strings.Contains(j, gov.Title), fmt.Sprintf("interpretation page %v", j != "")
	})

	// A repeal decision marks the document it lists within a poll.
	target := l.nextOn(t, sim.Guizhou, "黔府发")
	targetID := l.id(t, target)
	waitFor(t, 60*time.Second, "the 黔府发 target on the site", func() (bool, string) { return l.page(t, targetID) != "", target.Title })
	dec, err := l.sim.Repeal(sim.Guizhou, []string{target.Path}, sim.Repealed)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the repeal banner", func() (bool, string) {
		var vs []string
		for _, ev := range natstest.Events(t, l.bus, "synd.item.validity.>") {
			vs = append(vs, fmt.Sprintf("%s→%s(%s)", ev.ID, ev.Validity.To, ev.Validity.Basis))
		}
		decided := len(l.decisions(t, l.id(t, dec)))
		return strings.Contains(l.page(t, targetID), "本文件已废止（依据"), fmt.Sprintf("%s target %s (%s) decided %d validity %v", dec.Title, targetID, target.DocNumber, decided, vs)
	})
	if p := l.page(t, targetID); !strings.Contains(p, dec.DocNumber) {
		t.Errorf("banner does not name %s", dec.DocNumber)
	}
	waitFor(t, 30*time.Second, "the webhook validity", func() (bool, string) {
		return l.cms.Validity(targetID) == string(syndicator.ValidityRepealed), l.cms.Validity(targetID)
	})

	// A revision updates the page and the CMS; unchanged pages emit nothing.
	if _, err := l.sim.Revise(gov.Path); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the revised page", func() (bool, string) {
		p := l.page(t, govID)
		return strings.Contains(p, "【更正】") && strings.Contains(p, "更新："), ""
	})
	waitFor(t, 30*time.Second, "the webhook update", func() (bool, string) { return l.cms.Updates(govID) >= 1, "" })
	time.Sleep(3 * time.Second) // several more re-reads of every page
	for _, ev := range natstest.Events(t, l.bus, "synd.item.revised.>") {
		if ev.ID != govID && ev.ID != targetID {
			t.Errorf("unchanged item %s announced as revised (r%d)", ev.ID, ev.Revision)
		}
	}
	if n := l.cms.Creates(govID); n != 1 {
		t.Errorf("%d creates for the 国发 document after the revision", n)
	}

	// Review: 黔府函 go to review; one approved, one rejected.
	ra, rb := l.nextOn(t, sim.Guizhou, "黔府函"), l.nextOn(t, sim.Guizhou, "黔府函")
	aID, bID := l.id(t, ra), l.id(t, rb)
	waitFor(t, 60*time.Second, "two entries in the review queue", func() (bool, string) {
		_, body := l.call(t, "GET", "/api/v1/review", auditorToken, nil)
		var why []string
		for _, ev := range append(l.decisions(t, aID), l.decisions(t, bID)...) {
			why = append(why, fmt.Sprintf("%s: %s/%s", ev.Item.Title, ev.Decision.Class, ev.Decision.Rule))
		}
		return bytes.Contains(body, []byte(aID)) && bytes.Contains(body, []byte(bID)), fmt.Sprintf("%s %v", body, why)
	})
	if code, _ := l.call(t, "POST", "/api/v1/review/"+aID, auditorToken, map[string]string{"outcome": "approved"}); code != http.StatusForbidden {
		t.Errorf("auditor approving: HTTP %d, want 403", code)
	}
	if code, body := l.call(t, "POST", "/api/v1/review/"+aID, operatorToken, map[string]string{"outcome": "approved", "column": "sthj", "comment": "涉及生态保护"}); code != http.StatusOK {
		t.Fatalf("approve: HTTP %d %s", code, body)
	}
	if code, body := l.call(t, "POST", "/api/v1/review/"+bID, operatorToken, map[string]string{"outcome": "rejected", "comment": "与本委职能无关"}); code != http.StatusOK {
		t.Fatalf("reject: HTTP %d %s", code, body)
	}
	if code, _ := l.call(t, "POST", "/api/v1/review/"+bID, operatorToken, map[string]string{"outcome": "approved"}); code != http.StatusConflict {
		t.Errorf("deciding twice: HTTP %d, want 409", code)
	}
	waitFor(t, 30*time.Second, "the approved item on the site and the CMS", func() (bool, string) {
		return l.page(t, aID) != "" && l.cms.Creates(aID) == 1, ""
	})
	_, body := l.call(t, "GET", "/api/v1/review?state=all", auditorToken, nil)
	var q struct{ Reviews []decide.Review }
	if err := json.Unmarshal(body, &q); err != nil {
		t.Fatal(err)
	}
	decided := map[string]decide.Review{}
	for _, r := range q.Reviews {
		decided[r.ItemID] = r
	}
	if r := decided[aID]; r.State != "approved" || r.Reviewer != "信息中心张三" || r.DecidedAt.IsZero() || r.DecidedColumn != "sthj" {
		t.Errorf("approved entry = %+v", r)
	}
	if r := decided[bID]; r.State != "rejected" || r.Reviewer != "信息中心张三" || r.Comment != "与本委职能无关" {
		t.Errorf("rejected entry = %+v", r)
	}

	// A page that disappears goes to review, and is withdrawn only by an operator.
	if err := l.sim.Remove(ra.Path, http.StatusGone); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the removed page in the review queue", func() (bool, string) {
		_, body := l.call(t, "GET", "/api/v1/review", auditorToken, nil)
		return bytes.Contains(body, []byte(aID+".gone")), string(body)
	})
	if p := l.page(t, aID); strings.Contains(p, "本文已撤回") {
		t.Fatal("withdrawn without an operator")
	}
	if code, body := l.call(t, "POST", "/api/v1/review/"+aID+".gone", operatorToken, map[string]string{"outcome": "withdraw", "comment": "原文已撤下"}); code != http.StatusOK {
		t.Fatalf("withdraw: HTTP %d %s", code, body)
	}
	waitFor(t, 30*time.Second, "the withdrawal on the site and the CMS", func() (bool, string) {
		return strings.Contains(l.page(t, aID), "本文已撤回") && l.cms.Withdrawals(aID) == 1, ""
	})

	// The rejected item never reached the site or the CMS.
	if l.page(t, bID) != "" || l.cms.Creates(bID) != 0 {
		t.Error("the rejected item was republished")
	}
	if n := l.cms.BadSignatures(); n != 0 {
		t.Errorf("%d requests with a bad signature", n)
	}
}
