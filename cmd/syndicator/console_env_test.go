package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/sinks/blob"
	"github.com/gyeco/syndicator/sinks/webhook/cmstest"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/decide"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/rs/zerolog"
)

// consoleEnv is a running pipeline for the console's tests: gov.cn (one
// 国务院文件 list), Guizhou with a rule that sends 黔府函 to review, and
// Guiyang (which the tests redesign, degrading its source), every role,
// a webhook to a test CMS whose first request is refused for good (a dead
// letter), and a clock the tests move.
type consoleEnv struct {
	sim  *sim.Site
	srv  *httptest.Server
	cms  *cmstest.CMS
	site *blob.FS
	bus  *natsbus.Bus
	base string // http://127.0.0.1:port
	clk  *testClock
}

func startConsoleEnv(t *testing.T) *consoleEnv {
	t.Helper()
	e := &consoleEnv{sim: sim.New(sim.Options{Seed: 33, Items: 3, LargeEvery: -1, Sites: []string{sim.GovCN, sim.GuizhouAll, sim.Guiyang}}), clk: &testClock{}}
	e.srv = httptest.NewServer(e.sim)
	t.Cleanup(e.srv.Close)
	e.cms = cmstest.New([]byte(webhookSecret))
	t.Cleanup(e.cms.Close)
	e.cms.RejectNext(1, http.StatusUnprocessableEntity)
	dir := t.TempDir()
	e.site = blob.NewFS(dir + "/site")
	port, httpPort := natstest.FreePort(t), natstest.FreePort(t)
	e.base = fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	yaml := fmt.Sprintf(`data_dir: %[1]s/data
nats: {port: %[2]d}
http:
  listen: "127.0.0.1:%[3]d"
  tokens:
    - {name: 信息中心张三, role: operator, token: %[4]s}
    - {name: 审计李四, role: auditor, token: %[5]s}
crawler: {per_host_rps: 500, allow_private: [%[6]q], recheck: 1s}
webhook: {url: %[7]q, secret: %[8]q, timeout: 2s}
archive: {backend: fs, dir: %[1]s/archive}
site: {backend: fs, dir: %[1]s/site, columns: [{id: zcwj, name: 政策文件}, {id: sthj, name: 生态环境}]}
sources:
  - {id: govcn-zuixin, name: 中国政府网, level: national, preset: govcn-zuixin, base_url: %[9]s/govcn, interval: 1s, baseline: false}
  - id: guizhou-szfwj
    name: 贵州省人民政府
    level: provincial
    preset: guizhou-szfwj
    base_url: %[9]s/guizhou
    interval: 1s
    baseline: false
    list: {urls: [/zwgk/zcfg/szfwj/qff/, /zwgk/zcfg/szfwj/qfh/]}
    rules: [{name: 省政府函件待审, class: review, when: [{field: doc_number, regex: '^黔府函'}]}]
  - {id: guiyang-gfxwj, name: 贵阳市人民政府, level: municipal, preset: guiyang-gfxwj, base_url: %[9]s/guiyang, interval: 1s, baseline: false}
`, dir, port, httpPort, operatorToken, auditorToken, strings.TrimPrefix(e.srv.URL, "http://"), e.cms.URL, webhookSecret, e.srv.URL)
	runConfigured(t, dir, yaml, e.clk.now, RoleCrawl, RoleArchive, RoleSite, RoleWebhook, RoleServe)
	natsURL := fmt.Sprintf("nats://127.0.0.1:%d", port)
	waitFor(t, 20*time.Second, "embedded nats", func() (bool, string) { return dialable(natsURL), "" })
	e.bus = connectBus(t, natsURL)
	waitFor(t, 20*time.Second, "console", func() (bool, string) {
		resp, err := http.Get(e.base + "/console/login")
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		return resp.StatusCode == 200, resp.Status
	})
	return e
}

// id is the item id of a release.
func (e *consoleEnv) id(t *testing.T, r sim.Release) string {
	t.Helper()
	id, _ := releaseID(t, e.srv.URL, r)
	return id
}

// consoleClient is a browser-like client: a cookie jar, no redirects
// followed, so tests see where each answer sends them.
type consoleClient struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newConsoleClient(t *testing.T, base string) *consoleClient {
	jar, _ := cookiejar.New(nil)
	return &consoleClient{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 3 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var reCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (c *consoleClient) get(path string) (int, string, http.Header) {
	c.t.Helper()
	resp, err := c.c.Get(c.base + path)
	if err != nil {
		c.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func (c *consoleClient) post(path string, form url.Values) (int, string, http.Header) {
	c.t.Helper()
	req, _ := http.NewRequest("POST", c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// csrf is the CSRF token on the page at path.
func (c *consoleClient) csrf(path string) string {
	c.t.Helper()
	code, body, _ := c.get(path)
	m := reCSRF.FindStringSubmatch(body)
	if code != 200 || m == nil {
		c.t.Fatalf("GET %s: %d, no csrf field\n%.2000s", path, code, body)
	}
	return m[1]
}

// login signs in with token and returns the session's CSRF token.
func (c *consoleClient) login(token string) string {
	c.t.Helper()
	tok := c.csrf("/console/login")
	code, body, h := c.post("/console/login", url.Values{"csrf": {tok}, "token": {token}, "next": {"/console/"}})
	if code != http.StatusSeeOther || h.Get("Location") != "/console/" {
		c.t.Fatalf("login: %d → %q\n%.2000s", code, h.Get("Location"), body)
	}
	return c.csrf("/console/")
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func regexpMust(s string) *regexp.Regexp { return regexp.MustCompile(s) }

// articleOf is the committee site's page of item id, "" when absent.
func articleOf(t *testing.T, e *consoleEnv, id string) string {
	t.Helper()
	l := &lifeEnv{bus: e.bus, site: e.site}
	return l.page(t, id)
}

func mustSeq(t *testing.T, s string) uint64 {
	t.Helper()
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// eventOfDead is the item id and source of a dead letter's event.
func eventOfDead(d *natsbus.DeadLetter) (id, source string) {
	var ev syndicator.Event
	_ = json.Unmarshal(d.Data, &ev)
	return ev.ID, ev.Source
}

// runConfigured writes yaml as dir/syndicator.yaml, loads it and runs
// roles (with the embedded NATS) on clock now (nil: time.Now) until the
// test ends (runApp).
func runConfigured(t *testing.T, dir, yaml string, now func() time.Time, roles ...Role) {
	t.Helper()
	path := dir + "/syndicator.yaml"
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatalf("config: %v\n%s", err, yaml)
	}
	runApp(t, &App{Config: cfg, Embedded: true, Now: now, Log: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)}, roles...)
}

// publishReviewAndGov publishes releases until one 黔府函 (which the
// Guizhou source's rule sends to review) and one gov.cn release are out,
// and waits for the 黔府函 to be pending in the review queue.
func (e *consoleEnv) publishReviewAndGov(t *testing.T) (review, gov sim.Release, reviewID, govID string) {
	t.Helper()
	for review.Path == "" || gov.Path == "" {
		r := e.sim.Publish()
		switch {
		case r.Site == sim.Guizhou && strings.HasPrefix(r.DocNumber, "黔府函") && review.Path == "":
			review = r
		case r.Site == sim.GovCN && gov.Path == "":
			gov = r
		}
	}
	reviewID, govID = e.id(t, review), e.id(t, gov)
	waitFor(t, 60*time.Second, "the 黔府函 in the review queue", func() (bool, string) {
		var rv decide.Review
		found, err := e.bus.GetState(context.Background(), syndicator.BucketReview, reviewID, &rv)
		return err == nil && found && rv.State == decide.StatePending, ""
	})
	return review, gov, reviewID, govID
}
