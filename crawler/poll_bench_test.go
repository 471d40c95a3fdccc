package crawler_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/crawler"
	"github.com/gyeco/syndicator/crawler/extract"
	"github.com/gyeco/syndicator/crawler/fetch"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/rs/zerolog"
	"golang.org/x/sync/errgroup"
)

// benchSources is how many sources BenchmarkUnchangedPoll polls.
const benchSources = 1000

// BenchmarkUnchangedPoll runs the crawlers of 1,000 sources, as the crawl
// role does (Crawler.Run: lease, poll, health), against a server that
// answers every list with 304 Not Modified, and reports per poll:
//
//   - cpu-ms/poll: user+system CPU of this process (getrusage RUSAGE_SELF),
//     which includes the embedded NATS server and the HTTP server: both
//     run in-process, so their share of a poll is counted too;
//   - disk-B/poll: write_bytes of /proc/self/io, the bytes this process
//     sent to the storage layer (page granularity: an fsync'd 100-byte
//     append counts 4 KiB, as it costs the disk a page), which is what the
//     file store of the embedded server (sync always) writes.
//
// One op is one poll of every source on average (b.N*1,000 polls; the
// crawlers poll concurrently on their own timers). Each source starts with
// a realistic crawl state: a taken baseline, validators and 20 recent
// items not due for a re-read.
func BenchmarkUnchangedPoll(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		http.NotFound(w, r) // robots.txt, and nothing else is asked
	}))
	b.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")

	embedded := natsbus.NewEmbedded(natsbus.EmbeddedOptions{StoreDir: filepath.Join(b.TempDir(), "nats")})
	if err := embedded.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(embedded.Shutdown)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	bus, err := natsbus.Connect(ctx, embedded.ClientURL(), "bench", natsbus.Options{}, zerolog.Nop())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(bus.Close)

	f, err := fetch.New(fetch.Options{AllowPrivate: []string{host}, Timeout: 10 * time.Second, PerHostConcurrency: -1})
	if err != nil {
		b.Fatal(err)
	}
	var polls atomic.Int64
	counter := countPolls{n: &polls, mu: new(sync.Mutex), per: map[string]int{}}
	deps := crawler.Deps{
		Fetch: f, Extract: extract.New(nil), Pub: bus, State: bus, Leases: bus, Owner: "bench:1",
		Observer: counter, Log: zerolog.New(io.Discard).Level(zerolog.InfoLevel),
	}
	var crawlers []*crawler.Crawler
	for i := range benchSources {
		src := pollSource(b, fmt.Sprintf("s%04d", i), srv.URL)
		if err := bus.PutState(ctx, syndicator.BucketSources, src.ID, seededState(src)); err != nil {
			b.Fatal(err)
		}
		crawlers = append(crawlers, crawler.New(src, deps))
	}

	run, stop := context.WithCancel(context.Background())
	g, gctx := errgroup.WithContext(run)
	for _, c := range crawlers {
		g.Go(func() error { return c.Run(gctx) })
	}
	defer func() {
		stop()
		if err := g.Wait(); err != nil {
			b.Error(err)
		}
	}()
	// Warm up: every source polled twice (lease taken, state read and
	// brought up to date).
	deadline := time.Now().Add(10 * time.Minute)
	for counter.fewest() < 2 {
		if time.Now().After(deadline) {
			b.Fatal("not every source polled twice in 10 minutes")
		}
		time.Sleep(10 * time.Millisecond)
	}

	b.ResetTimer()
	cpu0, disk0, n0 := procCPU(b), writeBytes(b), polls.Load()
	waitPolls(b, &polls, n0+int64(b.N)*benchSources)
	cpu1, disk1, n1 := procCPU(b), writeBytes(b), polls.Load()
	b.StopTimer()
	n := float64(n1 - n0)
	b.ReportMetric(float64(cpu1-cpu0)/float64(time.Millisecond)/n, "cpu-ms/poll")
	b.ReportMetric(float64(disk1-disk0)/n, "disk-B/poll")
}

// pollSource is a gov.cn JSON list source on the server at baseURL,
// polled as often as the configuration allows.
func pollSource(b *testing.B, id, baseURL string) config.Source {
	b.Helper()
	yml := fmt.Sprintf("sources:\n  - id: %s\n    preset: govcn-zuixin\n    base_url: %s/govcn\n    interval: 200ms\n    jitter: 10ms\n", id, baseURL)
	cfg, err := config.Parse("bench.yml", []byte(yml))
	if err != nil {
		b.Fatal(err)
	}
	return cfg.Sources[0]
}

// seededState is the crawl state of a source crawled for a while: its
// baseline taken, its list's validator, and 20 recent items checked just
// now (so no re-read falls due during the benchmark).
func seededState(src config.Source) *crawler.SourceState {
	now := time.Now().UTC()
	st := &crawler.SourceState{
		Source: src.ID, State: crawler.HealthOK, LastPoll: now, LastOK: now, Listed: 20, EverListed: true,
		Validators: map[string]crawler.Validator{},
		Baseline:   &crawler.Baseline{TakenAt: now.Add(-24 * time.Hour)},
	}
	for _, u := range src.Resolved.ListURLs {
		st.Validators[u.String()] = crawler.Validator{ETag: `"v1"`, LastModified: now.Format(http.TimeFormat)}
	}
	for i := range 20 {
		u := fmt.Sprintf("%s/govcn/zhengce/content/2026-12/%02d/content_%07d.htm", strings.TrimSuffix(src.BaseURL, "/govcn"), 1+i%28, 5000000+i)
		st.Recent = append(st.Recent, crawler.RecentItem{
			ID: syndicator.ItemID(u), URL: u, DiscoveredAt: now.Add(-time.Hour), LastChecked: now,
			Entry: extract.ListEntry{URL: u, Title: "国务院办公厅关于进一步优化政务服务提升行政效能推动“高效办成一件事”的指导意见 " + strconv.Itoa(i), Date: now.Add(-time.Duration(i) * 24 * time.Hour).Truncate(24 * time.Hour)},
		})
	}
	return st
}

// countPolls counts polls, in all and of each source.
type countPolls struct {
	n *atomic.Int64

	mu  *sync.Mutex
	per map[string]int
}

func (c countPolls) Poll(source string, _ time.Duration, _ error) {
	c.n.Add(1)
	c.mu.Lock()
	c.per[source]++
	c.mu.Unlock()
}

func (c countPolls) ItemFailed(string, error) {}

// fewest is the polls of the source polled least.
func (c countPolls) fewest() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.per) < benchSources {
		return 0
	}
	least := -1
	for _, n := range c.per {
		if least < 0 || n < least {
			least = n
		}
	}
	return least
}

func waitPolls(b *testing.B, polls *atomic.Int64, n int64) {
	b.Helper()
	deadline := time.Now().Add(10 * time.Minute)
	for polls.Load() < n {
		if time.Now().After(deadline) {
			b.Fatalf("%d polls after 10 minutes, want %d", polls.Load(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// procCPU is the user+system CPU time of this process so far.
func procCPU(b *testing.B) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// writeBytes is write_bytes of /proc/self/io: what this process sent to
// the storage layer so far.
func writeBytes(b *testing.B) int64 {
	b.Helper()
	data, err := os.ReadFile("/proc/self/io")
	if err != nil {
		b.Skipf("no /proc/self/io: %v", err)
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "write_bytes: "); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return n
		}
	}
	b.Fatal("no write_bytes in /proc/self/io")
	return 0
}
