package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/ledger"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
)

// siteHits counts the requests govsim receives per site (the first path
// segment), which is how a test sees which sources are being polled.
type siteHits struct {
	mu sync.Mutex
	n  map[string]int
}

func (h *siteHits) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		site, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		h.mu.Lock()
		h.n[site]++
		h.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

func (h *siteHits) get(site string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n[site]
}

// reloadEnv is a configuration file for a pipeline over govsim's gov.cn,
// Guizhou and Guiyang sites (no history: only polls), which tests rewrite
// and reload.
type reloadEnv struct {
	dir, path, sim   string
	natsPort, listen int
	hits             *siteHits
}

// reloadSites are the sources a test may configure, by id, and the
// govsim site each polls.
var reloadSites = map[string]string{"govcn-zuixin": "govcn", "guizhou-szfwj": "guizhou", "guiyang-gfxwj": "guiyang"}

func newReloadEnv(t *testing.T) *reloadEnv {
	t.Helper()
	e := &reloadEnv{dir: t.TempDir(), hits: &siteHits{n: map[string]int{}}}
	srv := httptest.NewServer(e.hits.wrap(sim.New(sim.Options{Seed: 5, Items: -1, Sites: []string{sim.GovCN, sim.Guizhou, sim.Guiyang}})))
	t.Cleanup(srv.Close)
	e.sim, e.path = srv.URL, filepath.Join(e.dir, "syndicator.yaml")
	e.natsPort, e.listen = natstest.FreePort(t), natstest.FreePort(t)
	for e.listen == e.natsPort {
		e.listen = natstest.FreePort(t)
	}
	return e
}

// yaml is the configuration with the given sources; extra is appended
// inside the crawler mapping (a start-only change).
func (e *reloadEnv) yaml(crawlerExtra string, sources ...string) string {
	lines := map[string]string{
		"govcn-zuixin":  fmt.Sprintf("  - {id: govcn-zuixin, preset: govcn-zuixin, base_url: %s/govcn, interval: 300ms}\n", e.sim),
		"govcn-renamed": fmt.Sprintf("  - {id: govcn-zuixin, name: 中国政府网（改名）, preset: govcn-zuixin, base_url: %s/govcn, interval: 300ms}\n", e.sim),
		"guizhou-szfwj": fmt.Sprintf("  - {id: guizhou-szfwj, preset: guizhou-szfwj, base_url: %s/guizhou, interval: 300ms, list: {urls: [/zwgk/zcfg/szfwj/qff/]}}\n", e.sim),
		"guiyang-gfxwj": fmt.Sprintf("  - {id: guiyang-gfxwj, preset: guiyang-gfxwj, base_url: %s/guiyang, interval: 300ms}\n", e.sim),
	}
	var b strings.Builder
	fmt.Fprintf(&b, `data_dir: %[1]s/data
nats: {port: %[2]d}
http: {tokens: [{name: 审计, role: auditor, token: %[6]s}], listen: "127.0.0.1:%[3]d"}
crawler: {per_host_rps: 500, allow_private: [%[4]q]%[5]s}
archive: {backend: fs, dir: %[1]s/archive}
site: {backend: fs, dir: %[1]s/site, base_url: "https://stwm.example.gov.cn/"}
sources:
`, e.dir, e.natsPort, e.listen, strings.TrimPrefix(e.sim, "http://"), crawlerExtra, auditorToken)
	for _, s := range sources {
		b.WriteString(lines[s])
	}
	return b.String()
}

func (e *reloadEnv) write(t *testing.T, yml string) {
	t.Helper()
	if err := os.WriteFile(e.path, []byte(yml), 0o644); err != nil {
		t.Fatal(err)
	}
}

// start runs `run` in this process on the file as written, until the test
// ends, and returns the App and a reader of its embedded NATS.
func (e *reloadEnv) start(t *testing.T) (*App, jetstream.JetStream) {
	t.Helper()
	cfg, err := loadConfig(e.path)
	if err != nil {
		t.Fatal(err)
	}
	app := &App{Config: cfg, Embedded: true, Log: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx, RoleCrawl, RoleArchive, RoleSite, RoleServe) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run returned %v", err)
		}
	})
	return app, e.connect(t)
}

// connect opens a plain JetStream connection to the embedded NATS: not a
// natsbus.Bus, whose Connect updates every stream, which nats-server
// (v2.15.2 filestore) does racily against the consumers the running
// roles create, and the child's race detector stops it.
func (e *reloadEnv) connect(t *testing.T) jetstream.JetStream {
	t.Helper()
	url := fmt.Sprintf("nats://127.0.0.1:%d", e.natsPort)
	waitFor(t, 10*time.Second, "embedded nats", func() (bool, string) { return dialable(url), "" })
	nc, err := nats.Connect(url, nats.Name("reload-test-observer"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// messages reads stream's messages on subject one by one (direct gets:
// no consumer is created).
func messages(ctx context.Context, js jetstream.JetStream, stream, subject string) ([][]byte, error) {
	st, err := js.Stream(ctx, stream)
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for seq := uint64(1); ; {
		m, err := st.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(subject))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, m.Data)
		seq = m.Sequence + 1
	}
}

// polled waits until every source's site has had at least more requests
// than now, i.e. each was polled again.
func (e *reloadEnv) polled(t *testing.T, more int, sources ...string) {
	t.Helper()
	want := map[string]int{}
	for _, s := range sources {
		want[s] = e.hits.get(reloadSites[s]) + more
	}
	waitFor(t, 10*time.Second, fmt.Sprintf("%v polled", sources), func() (bool, string) {
		for _, s := range sources {
			if n := e.hits.get(reloadSites[s]); n < want[s] {
				return false, fmt.Sprintf("%s: %d requests, want %d", s, n, want[s])
			}
		}
		return true, ""
	})
}

// reloadRecord is one reload attempt as the event stream and the ledger
// hold it.
type reloadRecord struct {
	action syndicator.Action
	entry  bool // the ledger has an entry for the event's exact bytes
}

// reloadRecords reads the reload events of SYND_EVENTS and matches each to
// its ledger entry (SYND_AUDIT) by the digest of its bytes.
func reloadRecords(t *testing.T, js jetstream.JetStream) []reloadRecord {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	subject := syndicator.Subject{Kind: syndicator.KindOperator, Source: syndicator.SystemSource}.String()
	ledgerData, err := messages(ctx, js, natsbus.StreamAudit, syndicator.SubjectAuditEntry)
	if err != nil {
		t.Fatalf("read ledger: %v", err)
	}
	entries := map[string]bool{}
	for _, data := range ledgerData {
		var e ledger.Entry
		if err := json.Unmarshal(data, &e); err != nil {
			t.Fatalf("ledger entry: %v", err)
		}
		if e.Subject == subject {
			entries[e.EventSHA256] = true
		}
	}
	events, err := messages(ctx, js, natsbus.StreamEvents, subject)
	if err != nil {
		t.Fatalf("read events: %v", err)
	}
	var out []reloadRecord
	for _, data := range events {
		var ev syndicator.Event
		if err := json.Unmarshal(data, &ev); err != nil {
			t.Fatalf("event: %v", err)
		}
		if ev.Action == nil || ev.Action.Name != syndicator.ActionReload {
			continue
		}
		sum := sha256.Sum256(data)
		out = append(out, reloadRecord{action: *ev.Action, entry: entries[hex.EncodeToString(sum[:])]})
	}
	return out
}

// waitRecorded waits until the event stream and the ledger hold the
// attempts want (actor, outcome, failed), in order.
func waitRecorded(t *testing.T, js jetstream.JetStream, want ...syndicator.Action) {
	t.Helper()
	waitFor(t, 10*time.Second, "reload attempts in the ledger", func() (bool, string) {
		got := reloadRecords(t, js)
		if len(got) < len(want) {
			return false, fmt.Sprintf("%d of %d attempts recorded: %+v", len(got), len(want), got)
		}
		for i, w := range want {
			g := got[i]
			if g.action.Actor != w.Actor || g.action.Failed != w.Failed || !strings.Contains(g.action.Outcome, w.Outcome) {
				return false, fmt.Sprintf("attempt %d is %+v, want %+v", i, g.action, w)
			}
			if !g.entry {
				return false, fmt.Sprintf("attempt %d (%s) has no ledger entry yet", i, g.action.Outcome)
			}
		}
		return true, ""
	})
}

func sourceIDs(srcs []config.Source) []string {
	ids := make([]string, len(srcs))
	for i, s := range srcs {
		ids[i] = s.ID
	}
	return ids
}

// TestReloadAppliesSources: a reload that adds, removes and changes
// sources takes effect at once in the running crawl role (the removed
// source is no longer polled once Reload has answered), in the server's
// view, and is recorded with its actor in the audit ledger.
func TestReloadAppliesSources(t *testing.T) {
	t.Parallel() // own govsim, NATS, ports and data dir
	e := newReloadEnv(t)
	e.write(t, e.yaml("", "govcn-zuixin", "guizhou-szfwj"))
	app, bus := e.start(t)
	e.polled(t, 1, "govcn-zuixin", "guizhou-szfwj")

	e.write(t, e.yaml("", "govcn-renamed", "guiyang-gfxwj"))
	const actor = "信息中心张三"
	summary, err := app.Reload(context.Background(), actor)
	if err != nil {
		t.Fatalf("reload: %v", err)
	}
	const want = "新增来源 guiyang-gfxwj；删除来源 guizhou-szfwj；修改来源 govcn-zuixin"
	if summary != want {
		t.Errorf("summary %q, want %q", summary, want)
	}
	e.polled(t, 1, "guiyang-gfxwj", "govcn-zuixin")
	// A request the stopped crawler sent just before Reload answered may
	// reach the server a moment later; two more polls of the others are
	// well past that.
	e.polled(t, 2, "guiyang-gfxwj", "govcn-zuixin")
	settled := e.hits.get("guizhou")
	e.polled(t, 2, "guiyang-gfxwj", "govcn-zuixin")
	if n := e.hits.get("guizhou"); n != settled {
		t.Errorf("removed source guizhou-szfwj still polled: %d requests, %d after it was removed", n, n-settled)
	}

	live := []string{"govcn-zuixin", "guiyang-gfxwj"}
	if got := sourceIDs(app.current().Sources); !slices.Equal(got, live) {
		t.Errorf("configuration in force has sources %q, want %q", got, live)
	}
	if app.current().Sources[0].Name != "中国政府网（改名）" {
		t.Errorf("changed source's name %q, want the new one", app.current().Sources[0].Name)
	}
	// The changed source's crawler was restarted with its new settings.
	app.running.mu.Lock()
	set := app.running.crawl
	app.running.mu.Unlock()
	set.mu.Lock()
	crawling := set.running["govcn-zuixin"].src.Name
	set.mu.Unlock()
	if crawling != "中国政府网（改名）" {
		t.Errorf("govcn-zuixin is crawled as %q, want the reloaded name", crawling)
	}
	// The server answers with them.
	resp, body := get(t, fmt.Sprintf("http://127.0.0.1:%d/api/v1/sources", e.listen), auditorToken)
	var answer struct{ Sources []struct{ ID string } }
	if err := json.Unmarshal([]byte(body), &answer); resp.StatusCode != http.StatusOK || err != nil {
		t.Fatalf("GET /api/v1/sources: %d %v\n%.500s", resp.StatusCode, err, body)
	}
	var served []string
	for _, src := range answer.Sources {
		served = append(served, src.ID)
	}
	if !slices.Equal(served, live) {
		t.Errorf("server's sources %q, want %q", served, live)
	}

	// The same file again: nothing to do, and that is recorded too.
	if summary, err := app.Reload(context.Background(), actor); err != nil || summary != "配置无变化" {
		t.Errorf("second reload: %q, %v; want 配置无变化", summary, err)
	}
	waitRecorded(t, bus,
		syndicator.Action{Actor: actor, Outcome: want},
		syndicator.Action{Actor: actor, Outcome: "配置无变化"})
}

// TestReloadRefusesAndChangesNothing: a file `config check` refuses (bad
// YAML, an unknown preset) or a change to a start-only setting is refused
// with a Chinese error naming the file and line or the settings; the
// sources in force keep being polled and the one the refused files add
// never is. Each refusal is in the ledger.
func TestReloadRefusesAndChangesNothing(t *testing.T) {
	t.Parallel() // own govsim, NATS, ports and data dir
	e := newReloadEnv(t)
	good := e.yaml("", "govcn-zuixin", "guizhou-szfwj")
	e.write(t, good)
	app, bus := e.start(t)
	e.polled(t, 1, "govcn-zuixin", "guizhou-szfwj")
	start := app.current()

	// A line yaml cannot read ("key: a: b"), before the sources.
	badAt := strings.Index(good, "sources:\n")
	badYAML := good[:badAt] + "identity: 等待: 2h\n" + good[badAt:]
	badLine := strings.Count(good[:badAt], "\n") + 1
	unknownPreset := e.yaml("", "govcn-zuixin", "guizhou-szfwj") + "  - {id: guiyang-gfxwj, preset: guiyang-nope}\n"
	presetLine := strings.Count(unknownPreset, "\n")
	startOnly := e.yaml(", timeout: 30s", "govcn-zuixin", "guizhou-szfwj", "guiyang-gfxwj")
	startOnly = strings.Replace(startOnly, fmt.Sprintf(":%d\"}", e.listen), ":1\"}", 1)
	tests := []struct {
		name, yml string
		want      []string
	}{
		{"bad yaml", badYAML, []string{fmt.Sprintf("%s:%d: (file): not valid YAML", e.path, badLine), "mapping values are not allowed", "未做任何更改"}},
		{"unknown preset", unknownPreset, []string{fmt.Sprintf("%s:%d", e.path, presetLine), "sources[2].preset", `unknown preset "guiyang-nope"`, "未做任何更改"}},
		{"start-only", startOnly, []string{e.path, "http.listen", "crawler.timeout", "需要重启才能生效", "未做任何更改"}},
	}
	var recorded []syndicator.Action
	for _, tt := range tests {
		e.write(t, tt.yml)
		summary, err := app.Reload(context.Background(), "审计测试")
		if err == nil {
			t.Fatalf("%s: reload answered %q, want an error", tt.name, summary)
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error lacks %q:\n%v", tt.name, w, err)
			}
		}
		if app.current() != start {
			t.Fatalf("%s: the configuration in force changed", tt.name)
		}
		recorded = append(recorded, syndicator.Action{Actor: "审计测试", Outcome: tt.want[0], Failed: true})
	}
	e.polled(t, 2, "govcn-zuixin", "guizhou-szfwj")
	if n := e.hits.get("guiyang"); n != 0 {
		t.Errorf("guiyang-gfxwj, only in refused files, was polled (%d requests)", n)
	}
	waitRecorded(t, bus, recorded...)
}

// TestReloadWithBuiltInConfig: with the built-in configuration there is
// no file to read again; Reload says so and changes nothing.
func TestReloadWithBuiltInConfig(t *testing.T) {
	cfg, err := loadConfig("")
	if err != nil {
		t.Fatal(err)
	}
	app := &App{Config: cfg, Log: zerolog.Nop()}
	_, err = app.Reload(context.Background(), "信息中心张三")
	if err == nil || !strings.Contains(err.Error(), "内置默认配置") || !strings.Contains(err.Error(), "--config") {
		t.Fatalf("reload with the built-in configuration: %v; want an error naming 内置默认配置 and --config", err)
	}
	if app.current() != cfg {
		t.Error("the configuration in force changed")
	}
}

// TestReloadOnSIGHUP: `syndicator run` reloads its file on SIGHUP (actor
// SIGHUP（信号）) and goes on running when the file is refused; SIGTERM
// still stops it cleanly.
func TestReloadOnSIGHUP(t *testing.T) {
	t.Parallel() // own govsim, NATS, ports, data dir and child process
	e := newReloadEnv(t)
	e.write(t, e.yaml("", "govcn-zuixin"))
	logPath := filepath.Join(e.dir, "run.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command(os.Args[0], "run", "--config", e.path)
	cmd.Env = append(os.Environ(), "SYNDICATOR_TEST_MAIN=1")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	ended := false
	t.Cleanup(func() {
		if !ended {
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	showLog := func() string {
		b, _ := os.ReadFile(logPath)
		return string(b)
	}
	alive := func(what string) {
		t.Helper()
		select {
		case err := <-exited:
			ended = true
			t.Fatalf("%s: syndicator exited (%v):\n%s", what, err, showLog())
		default:
		}
	}
	// Polled means Run is under way: the SIGHUP handler is in place.
	e.polled(t, 1, "govcn-zuixin")
	bus := e.connect(t)

	e.write(t, e.yaml("", "govcn-zuixin", "guiyang-gfxwj"))
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	e.polled(t, 1, "guiyang-gfxwj")
	alive("after SIGHUP")

	e.write(t, e.yaml("", "govcn-zuixin")+"  - {id: guiyang-gfxwj, preset: guiyang-nope}\n")
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "refused reload logged", func() (bool, string) {
		return strings.Contains(showLog(), "configuration reload refused"), ""
	})
	e.polled(t, 2, "govcn-zuixin", "guiyang-gfxwj")
	alive("after a refused SIGHUP")
	waitRecorded(t, bus,
		syndicator.Action{Actor: actorSIGHUP, Outcome: "新增来源 guiyang-gfxwj"},
		syndicator.Action{Actor: actorSIGHUP, Outcome: `unknown preset "guiyang-nope"`, Failed: true})

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		ended = true
		var exit *exec.ExitError
		if errors.As(err, &exit) || err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, showLog())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("still running 20s after SIGTERM:\n%s", showLog())
	}
}
