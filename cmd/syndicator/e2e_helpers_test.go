package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/sinks/blob"
	"github.com/gyeco/syndicator/sinks/blob/blobtest"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/rs/zerolog"
)

// TestMain lets a test run this binary's main as a child process (the
// restart test kills it with SIGKILL).
func TestMain(m *testing.M) {
	if os.Getenv("SYNDICATOR_TEST_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	code := m.Run()
	built.remove()
	os.Exit(code)
}

// pipeline is one test deployment: govsim, a config and its stores.
type pipeline struct {
	sim     *sim.Site
	srv     *httptest.Server
	natsURL string
	yaml    string
	archive store
	site    store
}

type store interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

// newPipeline starts govsim and writes a configuration for it. natsURL ""
// means the embedded server on natsPort; backend is fs or s3.
func newPipeline(t testing.TB, opts sim.Options, natsURL string, natsPort int, backend string) *pipeline {
	t.Helper()
	p := &pipeline{sim: sim.New(opts), natsURL: natsURL}
	p.srv = httptest.NewServer(p.sim)
	t.Cleanup(p.srv.Close)
	dir := t.TempDir()
	host := strings.TrimPrefix(p.srv.URL, "http://")

	var stores string
	switch backend {
	case "fs":
		stores = fmt.Sprintf("archive: {backend: fs, dir: %s/archive}\nsite: {backend: fs, dir: %s/site, columns: [{id: zcwj, name: 政策文件}]}\n", dir, dir)
		p.archive, p.site = blob.NewFS(dir+"/archive"), blob.NewFS(dir+"/site")
	case "s3":
		a, s := blobtest.MinIO(t), blobtest.MinIO(t)
		s3yaml := func(c blob.S3Config) string {
			return fmt.Sprintf("{endpoint: %q, bucket: %q, access_key: %q, secret_key: %q}", c.Endpoint, c.Bucket, c.AccessKey, c.SecretKey)
		}
		stores = fmt.Sprintf("archive: {backend: s3, s3: %s}\nsite: {backend: s3, s3: %s, columns: [{id: zcwj, name: 政策文件}]}\n", s3yaml(a), s3yaml(s))
		var err error
		if p.archive, err = blob.NewS3(a); err != nil {
			t.Fatal(err)
		}
		if p.site, err = blob.NewS3(s); err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("backend %q", backend)
	}
	// Two ports asked for one after the other can be the same one.
	httpPort := natstest.FreePort(t)
	for httpPort == natsPort {
		httpPort = natstest.FreePort(t)
	}
	p.yaml = fmt.Sprintf(`data_dir: %[1]s/data
nats: {url: %[2]q, port: %[3]d}
http: {listen: "127.0.0.1:%[4]d"}
crawler: {per_host_rps: 200, allow_private: [%[5]q]}
%[6]s
# These tests follow every release through the transport; relevance has
# its own tests (TestLifecycle, syndicator/relevance).
rules: [{name: 全部转载, class: timely}]
sources:
  - id: govcn-zuixin
    preset: govcn-zuixin
    base_url: %[7]s/govcn
    interval: 1s
  - id: guizhou-szfwj
    preset: guizhou-szfwj
    base_url: %[7]s/guizhou
    interval: 1s
    list: {urls: [/zwgk/zcfg/szfwj/qff/, /zwgk/zcfg/szfwj/qfbf/], pages: 3}
`, dir, natsURL, natsPort, httpPort, host, stores, p.srv.URL)
	return p
}

func (p *pipeline) config(t testing.TB) *config.Config {
	t.Helper()
	path := t.TempDir() + "/syndicator.yaml"
	if err := os.WriteFile(path, []byte(p.yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatalf("test config invalid: %v\n%s", err, p.yaml)
	}
	return cfg
}

// record is what the event streams say happened to each item id.
type record struct {
	discovered, archived, published map[string]int
	originalKey                     map[string]string // item id -> archive key of original.html
}

func readRecord(t testing.TB, bus *natsbus.Bus) record {
	t.Helper()
	r := record{discovered: map[string]int{}, archived: map[string]int{}, published: map[string]int{}, originalKey: map[string]string{}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := bus.ReadAll(ctx, natsbus.StreamEvents, "synd.item.>", func(subject string, data []byte) error {
		var ev syndicator.Event
		if err := json.Unmarshal(data, &ev); err != nil {
			return err
		}
		switch ev.Kind {
		case syndicator.KindDiscovered:
			r.discovered[ev.ID]++
		case syndicator.KindArchived:
			r.archived[ev.ID]++
			for _, k := range ev.ArchiveKeys {
				if strings.HasSuffix(k, "/original.html") {
					r.originalKey[ev.ID] = k
				}
			}
		case syndicator.KindPublished:
			r.published[ev.ID]++
		}
		return nil
	})
	if err != nil {
		t.Fatalf("read events: %v", err)
	}
	return r
}

func connectBus(t testing.TB, url string) *natsbus.Bus {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	b, err := natsbus.Connect(ctx, url, "e2e-observer", natsbus.Options{}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

var reArticleLink = regexp.MustCompile(`t\d{8}_([0-9a-f]{32})\.html`)

// siteListing counts how often each item id is linked from the column's
// index pages (index.html, index_1.html, ...).
func siteListing(t testing.TB, site store) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for n := 0; ; n++ {
		key := "zcwj/index.html"
		if n > 0 {
			key = fmt.Sprintf("zcwj/index_%d.html", n)
		}
		page, err := site.Get(context.Background(), key)
		if errors.Is(err, blob.ErrNotFound) {
			return counts
		}
		if err != nil {
			t.Fatalf("read %s: %v", key, err)
		}
		for _, m := range reArticleLink.FindAllSubmatch(page, -1) {
			counts[string(m[1])]++
		}
	}
}

// itemIDOf is the id the pipeline must give a govsim release.
func (p *pipeline) itemIDOf(t testing.TB, r sim.Release) (id, canon string) {
	t.Helper()
	return releaseID(t, p.srv.URL, r)
}

// releaseID is the item id (and canonical URL) of a release of the
// govsim served at base.
func releaseID(t testing.TB, base string, r sim.Release) (id, canon string) {
	t.Helper()
	canon, err := syndicator.CanonicalURL(base+r.Path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return syndicator.ItemID(canon), canon
}

// waitFor polls cond every 50 ms until it holds or the deadline passes:
// often enough that a test goes on soon after the pipeline is done, not
// so often that reading site listings and event streams (a few files, a
// few hundred messages) takes the pipeline's CPU on a small machine.
func waitFor(t testing.TB, total time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	natstest.WaitEvery(t, 50*time.Millisecond, total, what, cond)
}

// verify checks the acceptance invariants for every release govsim has
// published: announced, archived and published exactly once, archived
// byte-identical to what govsim served, listed exactly once on the site.
func (p *pipeline) verify(t testing.TB, bus *natsbus.Bus) {
	t.Helper()
	releases := p.sim.Releases()
	// A page can be listed before its published event is out (a process
	// killed between the two redoes the announce after AckWait, 30 s):
	// wait for every event before holding the counts to exactly one.
	var rec record
	waitFor(t, 90*time.Second, "every release discovered, archived and published", func() (bool, string) {
		rec = readRecord(t, bus)
		for _, r := range releases {
			id, _ := p.itemIDOf(t, r)
			if rec.discovered[id] == 0 || rec.archived[id] == 0 || rec.published[id] == 0 {
				return false, fmt.Sprintf("%s: discovered %d, archived %d, published %d", r.Path, rec.discovered[id], rec.archived[id], rec.published[id])
			}
		}
		return true, ""
	})
	listing := siteListing(t, p.site)
	host := strings.TrimPrefix(p.srv.URL, "http://")
	for _, r := range releases {
		id, _ := p.itemIDOf(t, r)
		if rec.discovered[id] != 1 || rec.archived[id] != 1 || rec.published[id] != 1 {
			t.Errorf("%s: discovered %d, archived %d, published %d times; want 1 each",
				r.Path, rec.discovered[id], rec.archived[id], rec.published[id])
		}
		if listing[id] != 1 {
			t.Errorf("%s: listed %d times on the site, want 1", r.Path, listing[id])
		}
		key := rec.originalKey[id]
		if key == "" {
			t.Errorf("%s: no archived original", r.Path)
			continue
		}
		got, err := p.archive.Get(context.Background(), key)
		if err != nil {
			t.Errorf("%s: read %s: %v", r.Path, key, err)
			continue
		}
		want, _, _ := p.sim.Body(host, r.Path)
		if sha(got) != sha(want) {
			t.Errorf("%s: archived %s has sha256 %s, govsim served %s", r.Path, key, sha(got), sha(want))
		}
	}
	if len(rec.discovered) != len(releases) {
		t.Errorf("discovered %d distinct items, govsim has %d releases", len(rec.discovered), len(releases))
	}
	if n := len(listing); n != len(releases) {
		t.Errorf("site lists %d articles, govsim has %d releases", n, len(releases))
	}
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// Tokens of the tests' configurations.
const (
	operatorToken = "op-0123456789abcdef"
	auditorToken  = "au-0123456789abcdef"
)

// get and do send a request with token as its bearer token (none when
// empty).
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
