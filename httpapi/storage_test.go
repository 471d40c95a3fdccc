package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/sinks/blob"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/rs/zerolog"
)

func storageTokens(t *testing.T) []config.Token {
	t.Helper()
	return tokensOf(parseConfig(t, "http:\n  tokens:\n    - {name: 审计, role: auditor, token: "+auditorToken+"}\n"))
}

// readyzOf reads /readyz from h without and with a token. status is the
// answer's without a token, or -1 when the two answers differed (the state
// changed between them).
func readyzOf(t *testing.T, h http.Handler) (status int, public string, report readyReport) {
	t.Helper()
	resp, body := call(t, h, "GET", "/readyz", "")
	status, public = resp.StatusCode, body
	resp, body = call(t, h, "GET", "/readyz", auditorToken)
	if resp.StatusCode != status {
		status = -1
	}
	if err := json.Unmarshal([]byte(body), &report); err != nil {
		t.Fatalf("readyz with a token is not JSON: %v\n%s", err, body)
	}
	return status, public, report
}

func (r readyReport) check(name string) readyCheck {
	for _, c := range r.Checks {
		if c.Name == name {
			return c
		}
	}
	return readyCheck{Name: name, Reason: "missing"}
}

// TestStorageFullShowsInReadyzAndMetrics fills the disk under the embedded
// store: /readyz turns 503 (the public learns only that; a token holder
// learns it is JetStream), syndicator_jetstream_available drops to 0, and
// once space is freed both recover and a new event is stored.
func TestStorageFullShowsInReadyzAndMetrics(t *testing.T) {
	t.Parallel() // own stores, ports and data dirs
	disk := natstest.Tmpfs(t, "8m")
	var logs natstest.LogBuffer
	emb := natsbus.NewEmbedded(natsbus.EmbeddedOptions{
		StoreDir: filepath.Join(disk, "nats"), Log: zerolog.New(&logs).Level(zerolog.WarnLevel),
		CheckEvery: 50 * time.Millisecond, MinFree: 1 << 20,
	})
	if err := emb.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emb.Shutdown)
	bus, err := natsbus.Connect(context.Background(), emb.ClientURL(), "httpapi-test", natsbus.Options{}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bus.Close)
	s := &Server{
		site: blob.NewFS(t.TempDir()), tokens: storageTokens(t),
		lister: bus, stats: bus, heads: bus, jetstream: bus, connected: bus.Connected, log: zerolog.Nop(),
	}
	h := s.Handler()
	metric := func() string {
		resp, body := call(t, h, "GET", "/metrics", "")
		if resp.StatusCode != 200 {
			t.Fatalf("metrics: %d %s", resp.StatusCode, body)
		}
		for _, line := range strings.Split(body, "\n") {
			if v, ok := strings.CutPrefix(line, "syndicator_jetstream_available "); ok {
				return v
			}
		}
		t.Fatalf("metrics lack syndicator_jetstream_available:\n%s", body)
		return ""
	}

	if status, public, rep := readyzOf(t, h); status != 200 || public != "ok\n" || !rep.Ready || !rep.check("jetstream").OK {
		t.Fatalf("healthy: readyz %d %q %+v", status, public, rep)
	}
	if v := metric(); v != "1" {
		t.Fatalf("healthy: syndicator_jetstream_available %s", v)
	}

	filler := filepath.Join(disk, "filler")
	natstest.Fill(t, filler)
	ctx := context.Background()
	pctx, cancel := context.WithTimeout(ctx, time.Second)
	_, err = bus.Publish(pctx, storageEvent("full", 64<<10))
	cancel()
	if err == nil {
		t.Fatal("a publish on a full disk was acknowledged")
	}
	natstest.WaitFor(t, 15*time.Second, "readyz 503", func() (bool, string) {
		status, public, rep := readyzOf(t, h)
		return status == 503, fmt.Sprintf("%d %q %+v", status, public, rep)
	})
	status, public, rep := readyzOf(t, h)
	if public != "未就绪\n" {
		t.Errorf("public readyz body %q tells more than not ready", public)
	}
	if c := rep.check("jetstream"); status != 503 || rep.Ready || c.OK || !strings.Contains(c.Reason, "JetStream 不可用") {
		t.Errorf("readyz with a token while the disk is full: %d %+v", status, rep)
	}
	if !rep.check("site").OK || !rep.check("nats").OK {
		t.Errorf("only JetStream should fail: %+v", rep)
	}
	if v := metric(); v != "0" {
		t.Errorf("disk full: syndicator_jetstream_available %s, want 0", v)
	}
	if !strings.Contains(logs.String(), "no space left on device") {
		t.Errorf("the log does not say the disk is full:\n%s", logs.String())
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	natstest.WaitFor(t, 20*time.Second, "readyz 200 again", func() (bool, string) {
		status, public, rep := readyzOf(t, h)
		return status == 200, fmt.Sprintf("%d %q %+v", status, public, rep)
	})
	if v := metric(); v != "1" {
		t.Errorf("recovered: syndicator_jetstream_available %s, want 1", v)
	}
	pctx, cancel = context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := bus.Publish(pctx, storageEvent("after", 1<<10)); err != nil {
		t.Fatalf("publish after space returned: %v", err)
	}
	if evs := natstest.Events(t, bus, "synd.item.discovered.src"); len(evs) != 1 || evs[0].ID != "after" {
		t.Errorf("stored events after recovery: %+v; want the one published after", evs)
	}
}

func storageEvent(id string, size int) *syndicator.Event {
	return &syndicator.Event{
		Kind: syndicator.KindDiscovered, ID: id, Revision: 1, Source: "src", At: time.Now().UTC(),
		Item: &syndicator.Item{ID: id, Source: "src", Title: "标题", BodyText: strings.Repeat("x", size), Revision: 1},
	}
}

// failingSite is a site store that fails the way an unreachable S3 does,
// naming its endpoint and bucket.
type failingSite struct{ fail bool }

func (f *failingSite) Get(context.Context, string) ([]byte, error) {
	if f.fail {
		return nil, errors.New("s3 get index.html: dial tcp 10.0.0.5:9000: connection refused (bucket site-private)")
	}
	return nil, blob.ErrNotFound
}

// TestReadyzTellsDetailsOnlyToTokenHolders checks that the public /readyz
// says only ready or not, a reader token gets each check with its reason,
// and a probe every second logs a failure once, not every time, and its
// end once.
func TestReadyzTellsDetailsOnlyToTokenHolders(t *testing.T) {
	site := &failingSite{fail: true}
	var logs natstest.LogBuffer
	s := &Server{site: site, tokens: storageTokens(t), log: zerolog.New(&logs)}
	rl := &readyLog{every: time.Hour}
	now := time.Now()
	probe := func(token string) (int, string) {
		req := httptest.NewRequest("GET", "/readyz", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		w := httptest.NewRecorder()
		s.answerReady(w, req, rl)
		return w.Code, w.Body.String()
	}

	for _, tok := range []string{"", "wrong-token-0123456789"} {
		code, body := probe(tok)
		if code != 503 || body != "未就绪\n" {
			t.Errorf("token %q: %d %q; want 503 and nothing but not ready", tok, code, body)
		}
	}
	code, body := probe(auditorToken)
	var rep readyReport
	if err := json.Unmarshal([]byte(body), &rep); err != nil || code != 503 {
		t.Fatalf("with a token: %d %s", code, body)
	}
	if c := rep.check("site"); c.OK || !strings.Contains(c.Reason, "10.0.0.5:9000") || !strings.Contains(c.Reason, "site-private") {
		t.Errorf("with a token the site check should give its reason: %+v", rep)
	}
	for range 20 { // a probe every second for 20 seconds
		probe("")
	}
	if n := logs.Count("warn", "readyz: not ready"); n != 1 {
		t.Errorf("23 failing probes logged %d warnings, want 1:\n%s", n, logs.String())
	}
	// After the interval it is logged again.
	rl.note(s.log, []readyCheck{{Name: "site", Reason: "still"}}, now.Add(2*time.Hour))
	if n := logs.Count("warn", "readyz: not ready"); n != 2 {
		t.Errorf("after the interval: %d warnings, want 2", n)
	}

	site.fail = false
	for range 3 {
		if code, body := probe(""); code != 200 || body != "ok\n" {
			t.Errorf("recovered: %d %q", code, body)
		}
	}
	if n := logs.Count("info", "readyz: check passes again"); n != 1 {
		t.Errorf("recovery logged %d times, want once:\n%s", n, logs.String())
	}
	if strings.Contains(logs.String(), auditorToken) {
		t.Error("a token reached the log")
	}
}
