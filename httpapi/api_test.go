package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/crawler"
	"github.com/gyeco/syndicator/sinks/blob"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/rs/zerolog"
)

// testServer is a server over an embedded NATS, with two sources (one
// with a degraded health) and both tokens, and its handler.
func testServer(t *testing.T) (http.Handler, *Server, *natsbus.Bus) {
	t.Helper()
	cfg := parseConfig(t, `
http:
  tokens:
    - {name: 信息中心, role: operator, token: `+operatorToken+`}
    - {name: 审计, role: auditor, token: `+auditorToken+`}
sources:
  - {id: govcn-zuixin, preset: govcn-zuixin}
  - {id: guizhou-szfwj, preset: guizhou-szfwj}
`)
	bus, err := natsbus.Connect(context.Background(), natstest.Embedded(t), "httpapi-test", natsbus.Options{}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bus.Close)
	s := &Server{
		site: blob.NewFS(t.TempDir()), sources: cfg.Sources, tokens: tokensOf(cfg),
		lister: bus, stats: bus, heads: bus, jetstream: bus, connected: bus.Connected, log: zerolog.Nop(),
	}
	st := crawler.SourceState{Source: "govcn-zuixin", State: crawler.HealthDegraded, Reason: "列表条目选择器未匹配", LastPoll: time.Now().UTC()}
	if err := bus.PutState(context.Background(), "synd_sources", "govcn-zuixin", &st); err != nil {
		t.Fatal(err)
	}
	return s.Handler(), s, bus
}

// TestEveryRouteEnforcesItsAccess walks the route table: a route that
// needs a token refuses none or a wrong one, and an auditor cannot reach
// operator routes.
func TestEveryRouteEnforcesItsAccess(t *testing.T) {
	h, s, _ := testServer(t)
	opSession, auSession := newVisitor(t, h), newVisitor(t, h)
	opCSRF, auCSRF := opSession.signIn(operatorToken), auSession.signIn(auditorToken)
	for _, r := range s.routes() {
		path := strings.NewReplacer("{key...}", "src/2026/original.html", "{key}", "0123abcd", "{id}", "0123abcd", "{seq}", "1", "{$}", "").Replace(r.path)
		if r.access == session || r.access == sessionOperator {
			t.Run(r.method+" "+path, func(t *testing.T) {
				checkConsoleRoute(t, r, path, h, opSession, auSession, opCSRF, auCSRF)
			})
			continue
		}
		if r.path == "/api/" {
			path = "/api/v1/nope"
		}
		method := r.method
		if method == "" {
			method = "GET"
		}
		t.Run(r.method+" "+path, func(t *testing.T) {
			if r.access == public {
				resp, _ := call(t, h, "GET", path, "")
				if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
					t.Errorf("public route answered %d", resp.StatusCode)
				}
				return
			}
			for _, tok := range []string{"", "wrong-token-0123456789", operatorToken + "x"} {
				if resp, _ := call(t, h, method, path, tok); resp.StatusCode != http.StatusUnauthorized {
					t.Errorf("token %q: %d, want 401", tok, resp.StatusCode)
				}
			}
			resp, _ := call(t, h, method, path, auditorToken)
			switch {
			case r.access == operator && resp.StatusCode != http.StatusForbidden:
				t.Errorf("auditor on operator route: %d, want 403", resp.StatusCode)
			case r.access == reader && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden):
				t.Errorf("auditor on reader route: %d", resp.StatusCode)
			}
		})
	}
}

// checkConsoleRoute checks a console route: without a session (bearer
// tokens do not count) a GET is sent to sign in and a POST refused; with
// a session an auditor reads but cannot change; a POST needs the CSRF
// token.
func checkConsoleRoute(t *testing.T, r route, path string, h http.Handler, op, au *visitor, opCSRF, auCSRF string) {
	t.Helper()
	anon := newVisitor(t, h)
	if r.method == "GET" {
		code, _, hdr := anon.send("GET", path, nil)
		if code != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/console/login") {
			t.Errorf("GET without a session: %d → %q, want 303 to sign in", code, hdr.Get("Location"))
		}
		for _, tok := range []string{operatorToken, auditorToken} {
			if resp, _ := call(t, h, "GET", path, tok); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/console/login") {
				t.Errorf("GET with a bearer token: %d → %q, want the sign-in page", resp.StatusCode, resp.Header.Get("Location"))
			}
		}
		if code, _, _ := au.send("GET", path, nil); code == http.StatusUnauthorized || code == http.StatusForbidden || code == http.StatusSeeOther {
			t.Errorf("auditor session: GET answered %d", code)
		}
		return
	}
	if code, _, _ := anon.send("POST", path, url.Values{}); code != http.StatusUnauthorized {
		t.Errorf("POST without a session: %d, want 401", code)
	}
	if code, _, _ := op.send("POST", path, url.Values{}); code != http.StatusForbidden {
		t.Errorf("POST without the CSRF token: %d, want 403", code)
	}
	if r.path == "/console/logout" {
		// Sign out sessions of their own, not the ones the other routes use.
		au = newVisitor(t, h)
		auCSRF = au.signIn(auditorToken)
	}
	code, _, _ := au.send("POST", path, url.Values{"csrf": {auCSRF}})
	switch {
	case r.access == sessionOperator && code != http.StatusForbidden:
		t.Errorf("auditor on an operator route: %d, want 403", code)
	case r.access == session && (code == http.StatusUnauthorized || code == http.StatusForbidden):
		t.Errorf("auditor on a reader route: %d", code)
	}
	if r.path == "/console/logout" {
		return // would end the operator's session for the routes after it
	}
	if code, _, _ := op.send("POST", path, url.Values{"csrf": {opCSRF}}); code == http.StatusUnauthorized || code == http.StatusForbidden {
		t.Errorf("operator session with the CSRF token: %d", code)
	}
}

func TestAPISources(t *testing.T) {
	h, _, _ := testServer(t)
	for _, tok := range []string{auditorToken, operatorToken} {
		resp, body := call(t, h, "GET", "/api/v1/sources", tok)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("status %d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		var got struct{ Sources []sourceView }
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatal(err)
		}
		if len(got.Sources) != 2 || got.Sources[0].ID != "govcn-zuixin" || got.Sources[0].Health == nil ||
			got.Sources[0].Health.State != "degraded" || got.Sources[1].Health != nil {
			t.Errorf("sources = %+v", got.Sources)
		}
		if len(got.Sources[0].Lists) != 1 || got.Sources[0].Lists[0] != "https://www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json" {
			t.Errorf("lists = %v", got.Sources[0].Lists)
		}
	}
	if resp, body := call(t, h, "GET", "/api/v1/sources", ""); resp.StatusCode != 401 || !strings.Contains(body, "Bearer") {
		t.Errorf("anonymous: %d %s", resp.StatusCode, body)
	}
}

func TestMetrics(t *testing.T) {
	h, _, bus := testServer(t)
	ev := &syndicator.Event{Kind: syndicator.KindDiscovered, ID: "a", Revision: 1, Source: "govcn-zuixin", Item: &syndicator.Item{ID: "a"}}
	if _, err := bus.Publish(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	pub := &syndicator.Event{Kind: syndicator.KindPublished, Sink: "site", ID: "a", Revision: 1, Source: "govcn-zuixin"}
	if _, err := bus.Publish(context.Background(), pub); err != nil {
		t.Fatal(err)
	}
	resp, body := call(t, h, "GET", "/metrics", "")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	for _, want := range []string{
		`syndicator_events{kind="discovered",source="govcn-zuixin"} 1`,
		`syndicator_events{kind="published",sink="site",source="govcn-zuixin"} 1`,
		`syndicator_source_health{source="govcn-zuixin",state="degraded"} 1`,
		"# TYPE syndicator_sink_backlog gauge",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
}
