package httpapi

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/gyeco/syndicator/sinks/blob"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/decide"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/readmodel/readmodeltest"
)

// fuzzBackends stands in for NATS behind the API. Like NATS, it must
// never see a key that did not pass the route's grammar: it fails the
// test when it does.
type fuzzBackends struct {
	t *testing.T
}

func (f fuzzBackends) GetState(_ context.Context, _, key string, _ any) (bool, error) {
	f.checkKey(key)
	return false, nil
}

func (f fuzzBackends) EachState(context.Context, string, string, func(string, []byte) error) error {
	return nil
}

func (f fuzzBackends) Stats(context.Context, ...string) (natsbus.Stats, error) {
	return natsbus.Stats{}, nil
}

func (f fuzzBackends) Review(_ context.Context, key string, _ decide.Input) (*decide.Review, error) {
	if !decide.IsReviewKey(key) {
		f.t.Fatalf("review key %.80q reached the backend", key)
	}
	return nil, decide.ErrNoEntry
}

func (f fuzzBackends) Document(_ context.Context, id string) (*decide.Doc, bool, error) {
	if !syndicator.IsItemID(id) {
		f.t.Fatalf("item id %.80q reached the backend", id)
	}
	return nil, false, nil
}

func (f fuzzBackends) checkKey(key string) {
	if len(key) > 256 {
		f.t.Fatalf("a %d-byte key reached the backend", len(key))
	}
}

// FuzzAPI sends arbitrary methods, paths, queries and tokens to every
// route: no panic, and no 5xx other than 503 (a dependency missing).
func FuzzAPI(f *testing.F) {
	id := strings.Repeat("0a", 16)
	for _, seed := range []struct {
		method, target string
		role           byte
	}{
		{"GET", "/api/v1/items/" + id + "/document", 1},
		{"GET", "/api/v1/items/" + strings.Repeat("a", 4100) + "/document", 1},
		{"POST", "/api/v1/review/" + strings.Repeat("k", 5000), 2},
		{"POST", "/api/v1/review/" + id + ".gone", 2},
		{"GET", "/api/v1/audit/items/" + id + "/timeline", 1},
		{"GET", "/api/v1/items?q=%22%E7%94%9F%E6%80%81%E7%8E%AF%E5%A2%83%22+100%25&state=review&from=2026-09-01&page=2&per_page=500", 1},
		{"GET", "/api/v1/audit/report?from=2026-09-01&to=2026-09-30&format=csv", 1},
		{"GET", "/api/v1/audit/report?to=9999-12-31&format=json", 1},
		{"GET", "/api/v1/audit/report?from=0001-01-01&format=html", 1},
		{"GET", "/api/v1/audit/report?from=2026-13-01", 1},
		{"GET", "/api/v1/review?state=%00", 1},
		{"GET", "/api/v1/sources?x=" + strings.Repeat("%", 10), 1},
		{"GET", "/metrics", 0},
		{"GET", "/readyz", 0},
		{"GET", "/../../etc/passwd", 0},
		{"GET", "/zcwj/%2e%2e/%2e%2e/index.html", 0},
	} {
		f.Add(seed.method, seed.target, seed.role, []byte(`{"outcome":"approved"}`))
	}
	cfg := parseConfig(f, `http:
  tokens:
    - {name: 信息中心, role: operator, token: `+operatorToken+`}
    - {name: 审计, role: auditor, token: `+auditorToken+`}
site:
  columns: [{id: zcwj, name: 政策文件}]
`)
	dir := f.TempDir()
	reports := testReports(f)
	index, ends := readmodeltest.Ledger(f, readmodeltest.Lines(f, "../syndicator/audit/testdata/period.jsonl"))
	if err := os.WriteFile(dir+"/index.html", []byte("<p>首页</p>"), 0o644); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, method, target string, role byte, body []byte) {
		u, err := url.ParseRequestURI(target)
		if err != nil || !strings.HasPrefix(target, "/") || len(target) > 16<<10 {
			return
		}
		// A request line cannot carry white space or control characters in
		// its target: the server's parser would split it before any route.
		if strings.ContainsFunc(u.RequestURI(), func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			return
		}
		if method != "GET" && method != "POST" {
			method = []string{"GET", "POST", "PUT", "DELETE"}[len(method)%4]
		}
		fb := fuzzBackends{t: t}
		s := &Server{
			site: blob.NewFS(dir), tokens: tokensOf(cfg), columns: []string{"zcwj"}, started: cfg, reports: reports,
			stats: fb, jetstream: fb, lister: fb, index: index, streams: ends, reviews: fb, connected: func() bool { return true },
		}
		req := httptest.NewRequest(method, "http://syndicator.test"+u.RequestURI(), bytes.NewReader(body))
		switch role % 3 {
		case 1:
			req.Header.Set("Authorization", "Bearer "+auditorToken)
		case 2:
			req.Header.Set("Authorization", "Bearer "+operatorToken)
		}
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code >= 500 && rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("%s %.200q: %d %.300s", method, target, rec.Code, rec.Body.String())
		}
	})
}

func (f fuzzBackends) JetStreamReady(context.Context) error { return nil }
