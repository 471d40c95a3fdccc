package crawler_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/crawler"
	"github.com/gyeco/syndicator/crawler/extract"
	"github.com/gyeco/syndicator/crawler/fetch"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/rs/zerolog"
)

// harness is govsim behind a fault injector, served over HTTP, and a real
// embedded JetStream bus.
type harness struct {
	sim     *sim.Site
	faults  *faults
	srv     *httptest.Server
	host    string // 127.0.0.1:port of srv
	bus     *natsbus.Bus
	natsURL string // of the embedded server behind bus
}

func newHarness(t *testing.T, opts sim.Options) *harness {
	t.Helper()
	h := &harness{sim: sim.New(opts)}
	h.faults = &faults{next: h.sim, status: map[string]int{}}
	h.srv = httptest.NewServer(h.faults)
	t.Cleanup(h.srv.Close)
	h.host = strings.TrimPrefix(h.srv.URL, "http://")
	h.natsURL = natstest.Embedded(t)
	h.bus = connectBus(t, h.natsURL)
	return h
}

func connectBus(t *testing.T, url string) *natsbus.Bus {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	b, err := natsbus.Connect(ctx, url, "crawler-test", natsbus.Options{}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

// faults sits in front of govsim and breaks what a test asks it to.
type faults struct {
	next http.Handler

	mu         sync.Mutex
	status     map[string]int // URL path -> status served instead of the page
	renameList bool           // serve pages with the ul.NewsList markup renamed
}

func (f *faults) set(path string, status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if status == 0 {
		delete(f.status, path)
		return
	}
	f.status[path] = status
}

// setNext replaces what the faults stand in front of.
func (f *faults) setNext(next http.Handler) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next = next
}

func (f *faults) setRename(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.renameList = on
}

func (f *faults) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	status, rename, next := f.status[r.URL.Path], f.renameList, f.next
	f.mu.Unlock()
	if status != 0 {
		http.Error(w, http.StatusText(status), status)
		return
	}
	if !rename {
		next.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	for k, v := range rec.Header() {
		if k != "Content-Length" && k != "Etag" && k != "Last-Modified" {
			w.Header()[k] = v
		}
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(bytes.ReplaceAll(rec.Body.Bytes(), []byte(`class="NewsList"`), []byte(`class="ArticleList"`)))
}

// Sources for govsim. %[1]s is the source id, %[2]s the govsim URL.
const (
	govcnSource = `
  - id: %[1]s
    preset: govcn-zuixin
    base_url: %[2]s/govcn
    interval: 200ms
    jitter: 10ms
`
	guizhouSource = `
  - id: %[1]s
    preset: guizhou-szfwj
    base_url: %[2]s/guizhou
    interval: 200ms
    jitter: 10ms
    list: {urls: [/zwgk/zcfg/szfwj/qff/, /zwgk/zcfg/szfwj/qfbf/], pages: 3}
`
)

// source parses one source entry through config, as the binary does.
func source(t *testing.T, tmpl, id, baseURL string) config.Source {
	t.Helper()
	yml := "sources:" + fmt.Sprintf(tmpl, id, baseURL)
	cfg, err := config.Parse("test.yml", []byte(yml))
	if err != nil {
		t.Fatalf("config: %v\n%s", err, yml)
	}
	return cfg.Sources[0]
}

// crawler returns a crawler on the harness bus whose fetcher may reach
// govsim (and nothing else on loopback).
func (h *harness) crawler(t *testing.T, src config.Source, owner string) *crawler.Crawler {
	t.Helper()
	return newCrawler(t, h.bus, src, owner, fetch.Options{AllowPrivate: []string{h.host}})
}

func newCrawler(t *testing.T, bus *natsbus.Bus, src config.Source, owner string, fo fetch.Options) *crawler.Crawler {
	t.Helper()
	if fo.Timeout == 0 {
		fo.Timeout = 10 * time.Second
	}
	if fo.BackoffBase == 0 {
		fo.BackoffBase = time.Millisecond // injected 500s are retried, quickly
	}
	f, err := fetch.New(fo)
	if err != nil {
		t.Fatal(err)
	}
	return crawler.New(src, crawler.Deps{
		Fetch: f, Extract: extract.New(nil), Pub: bus, State: bus, Leases: bus,
		Owner: owner, Log: zerolog.Nop(),
	})
}

func poll(t *testing.T, c *crawler.Crawler) crawler.PollResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return c.Poll(ctx)
}

// discovered returns the discovered events of source on the bus, in
// stream order.
func discovered(t *testing.T, bus *natsbus.Bus, sourceID string) []syndicator.Event {
	t.Helper()
	return natstest.Events(t, bus, "synd.item.discovered."+sourceID)
}

func readAll(t *testing.T, bus *natsbus.Bus, filter string, fn func([]byte) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := bus.ReadAll(ctx, natsbus.StreamEvents, filter, func(_ string, data []byte) error { return fn(data) }); err != nil {
		t.Fatalf("read %s: %v", filter, err)
	}
}

// releasesOf returns govsim's releases of one site, oldest first.
func releasesOf(s *sim.Site, site string) []sim.Release {
	var out []sim.Release
	for _, r := range slices.Backward(s.Releases()) {
		if r.Site == site {
			out = append(out, r)
		}
	}
	return out
}

func (h *harness) canonical(t *testing.T, r sim.Release) string {
	t.Helper()
	canon, err := syndicator.CanonicalURL(h.srv.URL+r.Path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return canon
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func sourceState(t *testing.T, bus *natsbus.Bus, id string) crawler.SourceState {
	t.Helper()
	var st crawler.SourceState
	found, err := bus.GetState(context.Background(), "synd_sources", id, &st)
	if err != nil || !found {
		t.Fatalf("synd_sources/%s: found %v, err %v", id, found, err)
	}
	return st
}
