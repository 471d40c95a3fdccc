package crawler_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/crawler"
	"github.com/gyeco/syndicator/crawler/extract"
	"github.com/gyeco/syndicator/crawler/fetch"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/rs/zerolog"
)

// BenchmarkCrawlPage is the crawl CPU per page of issue 14: a backfill of
// a govsim gov.cn source (Template A detail pages and their attachments)
// through the crawler's whole detail path — fetch over HTTP, extract,
// sanitize, related links, hash, claim-check puts, the event encoded as
// JSON, the item recorded as seen — with the bus replaced by in-memory
// fakes, so that only the crawler's own work is counted. Pages are served
// from memory (rendered once, before the timer), so the server's share of
// the process CPU is small and the same for every version measured.
//
// cpu-ms/page is user+system CPU of the process from getrusage, the
// figure to compare; µs/page is wall time.
func BenchmarkCrawlPage(b *testing.B) {
	const items = 200
	s := sim.New(sim.Options{Seed: 14, Items: items, LargeEvery: -1, Sites: []string{"govcn"}})
	srv := httptest.NewServer(&memoServer{next: s, pages: map[string]*memoPage{}})
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	src := benchSource(b, srv.URL)
	f, err := fetch.New(fetch.Options{AllowPrivate: []string{host}, PerHostConcurrency: -1, Timeout: 10 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	ext := extract.New(nil)
	backfill := func() int {
		bus := newMemBus()
		c := crawler.New(src, crawler.Deps{Fetch: f, Extract: ext, Pub: bus, State: bus, Leases: bus, Owner: "bench", Log: zerolog.Nop()})
		p, err := c.Backfill(context.Background(), 1, nil)
		if err != nil || p.Failed > 0 || p.New == 0 {
			b.Fatalf("backfill: %+v, %v", p, err)
		}
		return p.New
	}
	backfill() // renders every page into the server's memory
	var pages int
	before := cpuTime(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		pages += backfill()
	}
	b.StopTimer()
	cpu := cpuTime(b) - before
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(pages), "cpu-ms/page")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(pages), "µs/page")
	b.ReportMetric(float64(pages)/float64(b.N), "pages/op")
}

// BenchmarkCrawlPageFloor is the floor on the same pages and
// server as BenchmarkCrawlPage: net/http and goquery, the detail pages
// fetched one after another, parsed once, the title, four metadata
// values and the body text read. Its cpu-ms/page is what the crawler's
// is compared with (issue 14: at most 1.4 times the floor).
func BenchmarkCrawlPageFloor(b *testing.B) {
	const items = 200
	s := sim.New(sim.Options{Seed: 14, Items: items, LargeEvery: -1, Sites: []string{"govcn"}})
	srv := httptest.NewServer(&memoServer{next: s, pages: map[string]*memoPage{}})
	defer srv.Close()
	var urls []string
	for _, p := range s.Paths() {
		if strings.HasSuffix(p, ".htm") {
			urls = append(urls, srv.URL+p)
		}
	}
	client := &http.Client{Timeout: 10 * time.Second}
	var fields int
	read := func() int {
		for _, u := range urls {
			resp, err := client.Get(u)
			if err != nil {
				b.Fatal(err)
			}
			doc, err := goquery.NewDocumentFromReader(resp.Body)
			resp.Body.Close()
			if err != nil {
				b.Fatal(err)
			}
			for _, v := range []string{
				doc.Find("h1").First().Text(),
				doc.Find("meta[name=firstpublishedtime]").AttrOr("content", ""),
				doc.Find("table.bd1 td").Eq(1).Text(),
				doc.Find("table.bd1 td").Eq(3).Text(),
				doc.Find("table.bd1 td").Eq(5).Text(),
				doc.Find("table.bd1 td").Eq(7).Text(),
				doc.Find("#UCAP-CONTENT").Text(),
			} {
				if strings.TrimSpace(v) != "" {
					fields++
				}
			}
		}
		return len(urls)
	}
	read() // renders every page into the server's memory
	var pages int
	before := cpuTime(b)
	b.ResetTimer()
	for b.Loop() {
		pages += read()
	}
	b.StopTimer()
	cpu := cpuTime(b) - before
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(pages), "cpu-ms/page")
	b.ReportMetric(float64(fields)/float64(pages+len(urls)), "fields/page")
}

// benchSource is the gov.cn 最新政策 source at baseURL, parsed as the
// binary parses it.
func benchSource(b *testing.B, baseURL string) config.Source {
	b.Helper()
	cfg, err := config.Parse("bench.yml", []byte("sources:"+fmt.Sprintf(govcnSource, "govcn", baseURL)))
	if err != nil {
		b.Fatal(err)
	}
	return cfg.Sources[0]
}

// cpuTime is the user and system CPU the process has used, from the kernel.
func cpuTime(b *testing.B) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// memoServer serves each path as next first served it.
type memoServer struct {
	next http.Handler
	mu   sync.Mutex
	// pages is the response of next to each path, by path.
	pages map[string]*memoPage
}

type memoPage struct {
	status int
	header http.Header
	body   []byte
}

func (m *memoServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	p, ok := m.pages[r.URL.RequestURI()]
	if !ok {
		rec := httptest.NewRecorder()
		m.next.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		if strings.HasSuffix(r.URL.Path, ".htm") {
			body = padBody(body, benchBodyBytes)
			rec.Header().Del("Content-Length")
		}
		p = &memoPage{status: rec.Code, header: rec.Header(), body: body}
		m.pages[r.URL.RequestURI()] = p
	}
	m.mu.Unlock()
	for k, v := range p.header {
		w.Header()[k] = v
	}
	w.WriteHeader(p.status)
	_, _ = w.Write(p.body)
}

// benchBodyBytes is about the body size of the 5,000-page
// gov.cn-like site; govsim's own bodies are a few kilobytes.
const benchBodyBytes = 60 << 10

// padBody repeats paragraphs 5 and 6 of the #UCAP-CONTENT body of a
// govsim detail page in place until the page has grown by size bytes;
// the document number and the lines around it stay where they were.
func padBody(page []byte, size int) []byte {
	s := string(page)
	i := strings.Index(s, `<div id="UCAP-CONTENT"`)
	if i < 0 {
		return page
	}
	ends := make([]int, 0, 6)
	for j := i; len(ends) < 6; {
		k := strings.Index(s[j:], "</p>")
		if k < 0 {
			return page
		}
		j += k + len("</p>")
		ends = append(ends, j)
	}
	chunk := s[ends[3]:ends[5]]
	var b strings.Builder
	b.WriteString(s[:ends[5]])
	for n := 0; n < size; n += len(chunk) {
		b.WriteString(chunk)
	}
	b.WriteString(s[ends[5]:])
	return []byte(b.String())
}

// memBus stands in for JetStream: events are encoded as the bus would,
// claims and states kept in memory, leases always granted.
type memBus struct {
	mu     sync.Mutex
	state  map[string][]byte
	claims int64 // bytes put
	events int64 // bytes encoded
}

func newMemBus() *memBus { return &memBus{state: map[string][]byte{}} }

func (m *memBus) Publish(_ context.Context, ev *syndicator.Event) (bool, error) {
	data, err := json.Marshal(ev)
	if err != nil {
		return false, err
	}
	m.mu.Lock()
	m.events += int64(len(data))
	m.mu.Unlock()
	return false, nil
}

func (m *memBus) PutClaim(_ context.Context, _ string, data []byte) error {
	m.mu.Lock()
	m.claims += int64(len(data))
	m.mu.Unlock()
	return nil
}

func (m *memBus) PublishHealth(context.Context, *syndicator.HealthEvent) error { return nil }

func (m *memBus) GetState(_ context.Context, bucket, key string, v any) (bool, error) {
	m.mu.Lock()
	data, ok := m.state[bucket+"/"+key]
	m.mu.Unlock()
	if !ok {
		return false, nil
	}
	return true, json.Unmarshal(data, v)
}

func (m *memBus) PutState(_ context.Context, bucket, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	m.mu.Lock()
	m.state[bucket+"/"+key] = data
	m.mu.Unlock()
	return nil
}

func (m *memBus) CreateState(ctx context.Context, bucket, key string, v any) (bool, error) {
	m.mu.Lock()
	_, ok := m.state[bucket+"/"+key]
	m.mu.Unlock()
	if ok {
		return false, nil
	}
	return true, m.PutState(ctx, bucket, key, v)
}

func (m *memBus) Hold(ctx context.Context, _, _ string, fn func(context.Context) error) (bool, error) {
	return true, fn(ctx)
}
