package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/rs/zerolog"
)

// runApp runs app with the roles until the test ends; a Run that returns
// before that (the defect these tests look for) fails the test.
func runApp(t *testing.T, app *App, roles ...Role) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		err := app.Run(ctx, roles...)
		if ctx.Err() == nil {
			t.Errorf("run returned while the test still ran: %v", err)
		} else if err != nil {
			t.Errorf("run returned %v", err)
		}
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-finished:
		case <-time.After(30 * time.Second):
			t.Errorf("run did not stop within 30s of its context ending")
		}
	})
}

// waitAllListed waits until every govsim release is on the site.
func (p *pipeline) waitAllListed(t *testing.T, within time.Duration) {
	t.Helper()
	waitFor(t, within, "every release on the site", func() (bool, string) {
		n := len(siteListing(t, p.site))
		return n == len(p.sim.Releases()), fmt.Sprintf("%d of %d listed", n, len(p.sim.Releases()))
	})
}

// testApp is an App on cfg for these tests: restarts after 100 ms, logs
// at level and above to the test's log.
func testApp(t *testing.T, cfg *config.Config, embedded bool, level zerolog.Level) *App {
	return &App{Config: cfg, Embedded: embedded, RestartDelay: 100 * time.Millisecond, Log: zerolog.New(zerolog.NewTestWriter(t)).Level(level)}
}

// publishesNewRelease checks the pipeline still works end to end: a new
// govsim release reaches the site.
func (p *pipeline) publishesNewRelease(t *testing.T, within time.Duration) {
	t.Helper()
	fresh := p.sim.Publish()
	id, _ := p.itemIDOf(t, fresh)
	waitFor(t, within, "a release published after the fault on the site", func() (bool, string) {
		return siteListing(t, p.site)[id] == 1, fresh.Title
	})
}

// TestLongKeysDoNotStopRun sends ids and keys far beyond NATS's 4 KB
// control line to a running `run`. They used to make nats-server drop the
// connection, after which nats.go gave up for good and `run` exited.
func TestLongKeysDoNotStopRun(t *testing.T) {
	t.Parallel() // own govsim, NATS, ports and data dirs: shares nothing
	p := newPipeline(t, sim.Options{Seed: 11, Items: 4}, "", natstest.FreePort(t), "fs")
	p.yaml = strings.Replace(p.yaml, "http: {", "http: {tokens: [{name: 信息中心, role: operator, token: "+operatorToken+"}, {name: 审计, role: auditor, token: "+auditorToken+"}], ", 1)
	cfg := p.config(t)
	app := testApp(t, cfg, true, zerolog.WarnLevel)
	runApp(t, app, RoleCrawl, RoleArchive, RoleSite, RoleServe)
	p.waitAllListed(t, 60*time.Second)

	base := "http://" + cfg.HTTP.Listen
	for _, c := range []struct{ method, path, token, want string }{
		{"GET", "/api/v1/items/" + strings.Repeat("a", 4100) + "/document", auditorToken, "条目编号"},
		{"GET", "/api/v1/audit/items/" + strings.Repeat("b", 4100) + "/timeline", auditorToken, "条目编号"},
		{"POST", "/api/v1/review/" + strings.Repeat("c", 5000), operatorToken, "审核条目编号"},
		{"POST", "/api/v1/review/" + strings.Repeat("d", 32) + ".gone.>", operatorToken, "审核条目编号"},
		{"GET", "/api/v1/items/" + strings.Repeat("E", 32) + "/document", auditorToken, "十六进制"},
	} {
		resp, body := do(t, c.method, base+c.path, c.token)
		var e struct{ Error string }
		_ = json.Unmarshal([]byte(body), &e)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(e.Error, c.want) {
			t.Errorf("%s %.60s…: %d %.200q, want 400 naming %s", c.method, c.path, resp.StatusCode, body, c.want)
		}
	}
	// A well-formed id that is unknown is 404, and NATS still answers.
	if resp, body := do(t, "GET", base+"/api/v1/items/"+strings.Repeat("0", 32)+"/document", auditorToken); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown item: %d %.200q, want 404", resp.StatusCode, body)
	}
	p.publishesNewRelease(t, 30*time.Second)
}

// TestRunSurvivesAClosedConnection closes the NATS connection for good the
// way nats-server does on a protocol violation ("maximum control line
// exceeded": the client gives up instead of reconnecting). The roles must
// dial again and carry on.
func TestRunSurvivesAClosedConnection(t *testing.T) {
	t.Parallel() // own govsim, NATS, ports and data dirs: shares nothing
	proxy := newNATSProxy(t, natstest.External(t))
	p := newPipeline(t, sim.Options{Seed: 12, Items: 3}, proxy.URL(), 0, "fs")
	cfg := p.config(t)
	app := testApp(t, cfg, false, zerolog.WarnLevel)
	runApp(t, app, RoleCrawl, RoleArchive, RoleSite, RoleServe)
	p.waitAllListed(t, 60*time.Second)
	before := proxy.Accepted()
	proxy.Fail("-ERR 'Maximum Control Line Exceeded'\r\n")
	waitFor(t, 30*time.Second, "a new connection after the fatal error", func() (bool, string) {
		return proxy.Accepted() > before, fmt.Sprintf("%d connections so far", proxy.Accepted())
	})
	p.publishesNewRelease(t, 60*time.Second)
	if resp, err := http.Get("http://" + cfg.HTTP.Listen + "/readyz"); err != nil || resp.StatusCode != 200 {
		t.Errorf("readyz after reconnecting: %v %v", resp, err)
	}
}

// TestRolesWaitForNATS starts the roles while NATS is down: they wait for
// it and then work, so no supervisor has to order the processes.
func TestRolesWaitForNATS(t *testing.T) {
	port := natstest.FreePort(t)
	natsURL := fmt.Sprintf("nats://127.0.0.1:%d", port)
	p := newPipeline(t, sim.Options{Seed: 13, Items: 3}, natsURL, 0, "fs")
	cfg := p.config(t)
	logs := &natstest.LogBuffer{}
	app := testApp(t, cfg, false, zerolog.InfoLevel)
	app.Log = zerolog.New(logs).Level(zerolog.InfoLevel)
	runApp(t, app, RoleCrawl, RoleArchive, RoleSite)
	waitFor(t, 20*time.Second, "the roles to say they wait for NATS", func() (bool, string) {
		return strings.Contains(logs.String(), "waiting for NATS"), logs.String()
	})
	emb := natsbus.NewEmbedded(natsbus.EmbeddedOptions{StoreDir: filepath.Join(t.TempDir(), "nats"), Port: port})
	if err := emb.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emb.Shutdown)
	p.waitAllListed(t, 60*time.Second)
}

// TestServeAnswersWhileNATSIsAway: serve with nats.url starts without
// NATS, serves the site and answers the API with 503 until NATS is there.
func TestServeAnswersWhileNATSIsAway(t *testing.T) {
	port := natstest.FreePort(t)
	yaml := fmt.Sprintf(`data_dir: %s
nats: {url: "nats://127.0.0.1:%d"}
http: {listen: "127.0.0.1:%d", tokens: [{name: 审计, role: auditor, token: %s}]}
`, t.TempDir(), port, natstest.FreePort(t), auditorToken)
	cfg, err := config.Parse("serve.yml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	app := testApp(t, cfg, false, zerolog.ErrorLevel)
	runApp(t, app, RoleServe)
	base := "http://" + cfg.HTTP.Listen
	waitFor(t, 10*time.Second, "serve to listen", func() (bool, string) {
		resp, err := http.Get(base + "/healthz")
		return err == nil && resp.StatusCode == 200, fmt.Sprint(err)
	})
	if resp, body := get(t, base+"/api/v1/sources", auditorToken); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("API without NATS: %d %s, want 503", resp.StatusCode, body)
	}
	emb := natsbus.NewEmbedded(natsbus.EmbeddedOptions{StoreDir: filepath.Join(t.TempDir(), "nats"), Port: port})
	if err := emb.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emb.Shutdown)
	waitFor(t, 30*time.Second, "the API once NATS is up", func() (bool, string) {
		resp, body := get(t, base+"/api/v1/sources", auditorToken)
		return resp.StatusCode == 200, body
	})
}

// natsProxy forwards TCP to a NATS server and can break the client side
// with a server error line, as nats-server does on a protocol violation.
type natsProxy struct {
	t        *testing.T
	ln       net.Listener
	upstream string
	accepted atomic.Int64

	mu      sync.Mutex
	clients []*proxiedConn
}

// proxiedConn is one client connection; writes to the client go through
// mu so an injected line never splits a server message.
type proxiedConn struct {
	mu        sync.Mutex
	client    net.Conn
	lastWrite time.Time
}

func newNATSProxy(t *testing.T, upstreamURL string) *natsProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &natsProxy{t: t, ln: ln, upstream: strings.TrimPrefix(upstreamURL, "nats://")}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		p.mu.Lock()
		for _, c := range p.clients {
			c.client.Close()
		}
		p.mu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", p.upstream)
			if err != nil {
				c.Close()
				continue
			}
			p.accepted.Add(1)
			pc := &proxiedConn{client: c}
			p.mu.Lock()
			p.clients = append(p.clients, pc)
			p.mu.Unlock()
			wg.Go(func() {
				_, _ = io.Copy(up, c)
				up.Close()
			})
			wg.Go(func() {
				buf := make([]byte, 64<<10)
				for {
					n, err := up.Read(buf)
					if n > 0 {
						pc.mu.Lock()
						_, werr := c.Write(buf[:n])
						pc.lastWrite = time.Now()
						pc.mu.Unlock()
						if werr != nil {
							break
						}
					}
					if err != nil {
						break
					}
				}
				c.Close()
			})
		}
	})
	return p
}

func (p *natsProxy) URL() string     { return "nats://" + p.ln.Addr().String() }
func (p *natsProxy) Accepted() int64 { return p.accepted.Load() }

// Fail writes line to every client once the server side has been quiet
// for a moment, so it lands between two server messages.
func (p *natsProxy) Fail(line string) {
	p.mu.Lock()
	clients := append([]*proxiedConn(nil), p.clients...)
	p.mu.Unlock()
	for _, c := range clients {
		for {
			c.mu.Lock()
			if time.Since(c.lastWrite) > 50*time.Millisecond {
				_, _ = c.client.Write([]byte(line))
				c.mu.Unlock()
				break
			}
			c.mu.Unlock()
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// TestRunRecoversFromFullDisk fills the disk under a running `run`'s
// embedded store: /readyz turns 503 while it is full, and once space is
// freed the pipeline resumes by itself and publishes a release made while
// the disk was full, without a restart.
func TestRunRecoversFromFullDisk(t *testing.T) {
	t.Parallel() // own tmpfs, govsim, NATS, ports and data dirs: shares nothing
	disk := natstest.Tmpfs(t, "160m")
	p := newPipeline(t, sim.Options{Seed: 14, Items: 3}, "", natstest.FreePort(t), "fs")
	dataDir := regexp.MustCompile(`(?m)^data_dir: .*$`)
	p.yaml = dataDir.ReplaceAllString(p.yaml, "data_dir: "+disk)
	cfg := p.config(t)
	app := testApp(t, cfg, true, zerolog.ErrorLevel)
	runApp(t, app, RoleCrawl, RoleArchive, RoleSite, RoleServe)
	p.waitAllListed(t, 60*time.Second)
	readyz := func() int {
		resp, err := http.Get("http://" + cfg.HTTP.Listen + "/readyz")
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	filler := filepath.Join(disk, "filler")
	natstest.Fill(t, filler)
	fresh := p.sim.Publish()
	id, _ := p.itemIDOf(t, fresh)
	waitFor(t, 30*time.Second, "readyz 503 while the disk is full", func() (bool, string) {
		s := readyz()
		return s == http.StatusServiceUnavailable, fmt.Sprint(s)
	})
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 90*time.Second, "the release made while the disk was full on the site", func() (bool, string) {
		return siteListing(t, p.site)[id] == 1, fmt.Sprintf("%s; readyz %d", fresh.Title, readyz())
	})
	if s := readyz(); s != 200 {
		t.Errorf("readyz after recovery: %d", s)
	}
}
