package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/crawler"
	"github.com/gyeco/syndicator/sinks/blob"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/rs/zerolog"
)

const (
	operatorToken = "op-0123456789abcdef"
	auditorToken  = "au-0123456789abcdef"
)

func testServer(t *testing.T) (*httptest.Server, *Server) {
	t.Helper()
	yaml := `
http:
  tokens:
    - {name: 信息中心, role: operator, token: ` + operatorToken + `}
    - {name: 审计, role: auditor, token: ` + auditorToken + `}
sources:
  - {id: govcn-zuixin, preset: govcn-zuixin}
  - {id: guizhou-szfwj, preset: guizhou-szfwj}
`
	cfg, err := config.Parse("api.yml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	bus := connectBus(t, natstest.Embedded(t))
	s := &Server{
		site: blob.NewFS(t.TempDir()), sources: cfg.Sources, tokens: tokensOf(cfg),
		states: bus, stats: bus, jetstream: bus, connected: bus.Connected, log: zerolog.Nop(),
	}
	st := crawler.SourceState{Source: "govcn-zuixin", State: crawler.HealthDegraded, Reason: "列表条目选择器未匹配", LastPoll: time.Now().UTC()}
	if err := bus.PutState(context.Background(), "synd_sources", "govcn-zuixin", &st); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv, s
}

func get(t *testing.T, url, token string) (*http.Response, string) {
	t.Helper()
	return do(t, "GET", url, token)
}

func do(t *testing.T, method, url, token string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader("{}"))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

// TestEveryRouteEnforcesItsAccess walks the route table: a route that
// needs a token refuses none or a wrong one, and an auditor cannot reach
// operator routes.
func TestEveryRouteEnforcesItsAccess(t *testing.T) {
	srv, s := testServer(t)
	for _, r := range s.routes() {
		path := strings.NewReplacer("{key}", "0123abcd", "{id}", "0123abcd").Replace(r.path)
		if r.path == "/api/" {
			path = "/api/v1/nope"
		}
		method := r.method
		if method == "" {
			method = "GET"
		}
		t.Run(r.method+" "+path, func(t *testing.T) {
			if r.access == public {
				resp, _ := get(t, srv.URL+path, "")
				if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
					t.Errorf("public route answered %d", resp.StatusCode)
				}
				return
			}
			for _, tok := range []string{"", "wrong-token-0123456789", operatorToken + "x"} {
				if resp, _ := do(t, method, srv.URL+path, tok); resp.StatusCode != http.StatusUnauthorized {
					t.Errorf("token %q: %d, want 401", tok, resp.StatusCode)
				}
			}
			resp, _ := do(t, method, srv.URL+path, auditorToken)
			switch {
			case r.access == operator && resp.StatusCode != http.StatusForbidden:
				t.Errorf("auditor on operator route: %d, want 403", resp.StatusCode)
			case r.access == reader && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden):
				t.Errorf("auditor on reader route: %d", resp.StatusCode)
			}
		})
	}
}

func TestAPISources(t *testing.T) {
	srv, _ := testServer(t)
	for _, tok := range []string{auditorToken, operatorToken} {
		resp, body := get(t, srv.URL+"/api/v1/sources", tok)
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
	if resp, body := get(t, srv.URL+"/api/v1/sources", ""); resp.StatusCode != 401 || !strings.Contains(body, "Bearer") {
		t.Errorf("anonymous: %d %s", resp.StatusCode, body)
	}
}

func TestMetrics(t *testing.T) {
	srv, s := testServer(t)
	bus := s.stats.(*natsbus.Bus)
	ev := &syndicator.Event{Kind: syndicator.KindDiscovered, ID: "a", Revision: 1, Source: "govcn-zuixin", Item: &syndicator.Item{ID: "a"}}
	if _, err := bus.Publish(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	pub := &syndicator.Event{Kind: syndicator.KindPublished, Sink: "site", ID: "a", Revision: 1, Source: "govcn-zuixin"}
	if _, err := bus.Publish(context.Background(), pub); err != nil {
		t.Fatal(err)
	}
	resp, body := get(t, srv.URL+"/metrics", "")
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
