package crawler_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/crawler"
	"github.com/gyeco/syndicator/crawler/extract"
	"github.com/gyeco/syndicator/syndicator"
)

// TestRedesignDegradesWithinOnePoll flips govsim's redesign switch: the
// next poll turns the source degraded with a reason naming what stopped
// matching, the next poll (which reads the list whole again) keeps it so,
// and flipping it back restores ok on the next poll.
func TestRedesignDegradesWithinOnePoll(t *testing.T) {
	t.Parallel()
	tests := []struct {
		site, tmpl, id string
		wantReason     []string
	}{
		{sim.Guizhou, guizhouSource, "gz", []string{"改版", `"ul.NewsList li"`, "未匹配"}},
		{sim.GovCN, govcnSource, "gov", []string{"改版", "JSON"}},
	}
	for _, tt := range tests {
		t.Run(tt.site, func(t *testing.T) {
			h := newHarness(t, sim.Options{Seed: 31, Items: 8, LargeEvery: -1})
			c := h.crawler(t, source(t, tt.tmpl, tt.id, h.srv.URL), "owner")
			if res := poll(t, c); res.New == 0 || sourceState(t, h.bus, tt.id).State != crawler.HealthOK {
				t.Fatalf("first poll: %+v, state %s", res, sourceState(t, h.bus, tt.id).State)
			}
			h.sim.Redesign(tt.site, true)
			poll(t, c)
			wantDegraded(t, sourceState(t, h.bus, tt.id), tt.wantReason...)
			// The redesigned list was not remembered as read: the next poll
			// reads it whole again (no 304) and the verdict stands.
			if res := poll(t, c); res.Unchanged != 0 {
				t.Errorf("second poll after the redesign: %+v, want the unreadable list fetched whole, not a 304", res)
			}
			if st := sourceState(t, h.bus, tt.id); st.State != crawler.HealthDegraded || !strings.Contains(st.Reason, "改版") {
				t.Errorf("second poll on the redesigned list: state %s (%s), want degraded still", st.State, st.Reason)
			}
			h.sim.Redesign(tt.site, false)
			poll(t, c)
			if st := sourceState(t, h.bus, tt.id); st.State != crawler.HealthOK {
				t.Errorf("after switching back: state %s (%s), want ok", st.State, st.Reason)
			}
		})
	}
}

// countySource configures govsim's county site — GB18030 pages labelled
// gb2312, a table list, dates like 2026年03月05日 — by configuration only.
const countySource = `
  - id: %[1]s
    name: 修文县人民政府
    level: district
    preset: html
    base_url: %[2]s/county
    list:
      urls: [/zwgk/zcwj/]
      pages: 10
      item: table.zcwj-list tr
      link: td.bt a@href
      title: td.bt a@title
      date: td.rq
      link_pattern: /t\d{8}_\d+\.html$
    detail:
      title: [div.article-title]
      body: [div.article-content]
      meta_tables: [div.xxgk-meta table]
      meta_lists: [div.article-info]
`

func TestCountySiteByConfigurationOnly(t *testing.T) {
	t.Parallel()
	h := newHarness(t, sim.Options{Seed: 37, Items: 25, Sites: []string{sim.County}})
	c := h.crawler(t, source(t, countySource, "xiuwen", h.srv.URL), "owner")
	releases := releasesOf(h.sim, sim.County)
	if len(releases) != 25 {
		t.Fatalf("govsim county has %d releases", len(releases))
	}
	if res := poll(t, c); res.New != len(releases) || res.Failed != 0 {
		t.Fatalf("poll: %+v, want %d new", res, len(releases))
	}
	if st := sourceState(t, h.bus, "xiuwen"); st.State != crawler.HealthOK {
		t.Errorf("state %s: %s", st.State, st.Reason)
	}
	checkCountyItems(t, h, "xiuwen", releases, "")
}

// checkCountyItems checks every county release was announced by source id
// with govsim's fields, decoded as GB18030, and marked extractedBy.
func checkCountyItems(t *testing.T, h *harness, id string, releases []sim.Release, extractedBy string) {
	t.Helper()
	byURL := map[string]syndicator.Item{}
	for _, ev := range discovered(t, h.bus, id) {
		it, err := h.bus.Item(t.Context(), &ev)
		if err != nil {
			t.Fatal(err)
		}
		byURL[it.URL] = *it
		if ev.Capture.Charset != "gb18030" {
			t.Errorf("%s decoded as %q, want gb18030", it.URL, ev.Capture.Charset)
		}
	}
	for _, r := range releases {
		it, ok := byURL[h.canonical(t, r)]
		if !ok {
			t.Errorf("%s not announced", r.Path)
			continue
		}
		check := func(field, got, want string) {
			t.Helper()
			if got != want {
				t.Errorf("%s: %s = %q, want %q", r.Path, field, got, want)
			}
		}
		check("extracted_by", it.ExtractedBy, extractedBy)
		check("title", it.Title, r.Title)
		check("doc_number", it.DocNumber, r.DocNumber)
		check("doc_key", it.DocKey, syndicator.DocKey(r.DocNumber))
		check("index_number", it.IndexNumber, r.IndexNumber)
		check("issuer", it.Issuer, r.Issuer)
		check("origin", it.Origin, r.Origin)
		check("written_at", it.WrittenAt, r.WrittenAt.Format("2006-01-02"))
		check("validity", string(it.Validity), string(extract.ParseValidity(r.Validity)))
		if !it.PublishedAt.Equal(r.PublishedAt) || it.PublishedPrecision != syndicator.PrecisionMinute {
			t.Errorf("%s: published %v (%s), want %v (minute)", r.Path, it.PublishedAt, it.PublishedPrecision, r.PublishedAt)
		}
		if strings.Join(strings.Fields(it.BodyText), "") != strings.Join(strings.Fields(r.Text()), "") {
			t.Errorf("%s: body text differs:\n got %.80q\nwant %.80q", r.Path, it.BodyText, r.Text())
		}
		if strings.ContainsRune(it.Title+it.Issuer+it.BodyText, '\uFFFD') {
			t.Errorf("%s: replacement characters: decoded with GBK instead of GB18030?", r.Path)
		}
	}
}

// countingWriter counts what a handler writes.
type countingWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *countingWriter) WriteHeader(code int) { w.status = code; w.ResponseWriter.WriteHeader(code) }
func (w *countingWriter) Write(b []byte) (int, error) {
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// TestUnchangedListCostsOne304 re-polls an unchanged list from a server
// that honours ETag: the second poll costs one 304 and a few bytes.
func TestUnchangedListCostsOne304(t *testing.T) {
	h := newHarness(t, sim.Options{Seed: 41, Items: 8, LargeEvery: -1})
	type hit struct{ status, bytes int }
	var mu sync.Mutex
	var hits []hit
	const list = "/govcn/zhengce/zuixin/ZUIXINZHENGCE.json"
	h.faults.setNext(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &countingWriter{ResponseWriter: w, status: 200}
		h.sim.ServeHTTP(cw, r)
		if r.URL.Path == list {
			mu.Lock()
			hits = append(hits, hit{cw.status, cw.bytes})
			mu.Unlock()
		}
	}))
	c := h.crawler(t, source(t, govcnSource, "gov", h.srv.URL), "owner")
	poll(t, c)
	mu.Lock()
	first := hits
	hits = nil
	mu.Unlock()
	if len(first) != 1 || first[0].status != 200 || first[0].bytes < 1000 {
		t.Fatalf("first poll list fetches: %+v", first)
	}
	res := poll(t, c)
	mu.Lock()
	defer mu.Unlock()
	if len(hits) != 1 || hits[0].status != http.StatusNotModified || hits[0].bytes != 0 {
		t.Errorf("second poll list fetches: %+v, want one 304 with an empty body", hits)
	}
	if res.Unchanged != 1 || res.New != 0 {
		t.Errorf("second poll = %+v", res)
	}
	if st := sourceState(t, h.bus, "gov"); st.State != crawler.HealthOK {
		t.Errorf("state after a 304 poll: %s (%s)", st.State, st.Reason)
	}
	t.Logf("list: first poll %d bytes, second poll %d bytes (304)", first[0].bytes, hits[0].bytes)
}

// TestRobotsAndRetryAfterWithGovsim: a robots.txt Disallow keeps the
// crawler off the detail pages (and the health says why) unless the source
// states a reason to ignore it; a 429 with Retry-After is waited out.
func TestRobotsAndRetryAfterWithGovsim(t *testing.T) {
	t.Parallel() // waits on the clock; own govsim and NATS
	h := newHarness(t, sim.Options{Seed: 43, Items: 4, LargeEvery: -1})
	var mu sync.Mutex
	details, throttled := 0, false
	h.faults.setNext(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case r.URL.Path == "/robots.txt":
			w.Write([]byte("User-agent: *\nDisallow: /govcn/zhengce/content/\n"))
			return
		case strings.HasPrefix(r.URL.Path, "/govcn/zhengce/content/"):
			details++
		case r.URL.Path == "/govcn/zhengce/zuixin/ZUIXINZHENGCE.json" && !throttled:
			throttled = true
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		h.sim.ServeHTTP(w, r)
	}))

	c := h.crawler(t, source(t, govcnSource, "gov", h.srv.URL), "owner")
	start := time.Now()
	res := poll(t, c)
	if waited := time.Since(start); waited < 900*time.Millisecond {
		t.Errorf("poll took %s; the 429's Retry-After of 1 s was not honoured", waited)
	}
	mu.Lock()
	if details != 0 {
		t.Errorf("%d detail pages fetched against robots.txt", details)
	}
	mu.Unlock()
	if res.New != 0 || res.Failed == 0 {
		t.Errorf("poll = %+v, want the disallowed items failed", res)
	}
	if st := sourceState(t, h.bus, "gov"); st.State != crawler.HealthDegraded || !strings.Contains(st.Reason, "robots") {
		t.Errorf("state %s (%s), want degraded naming robots.txt", st.State, st.Reason)
	}

	ignoring := strings.Replace(govcnSource, "    interval:", "    ignore_robots: 经网站主办单位书面同意（测试）\n    interval:", 1)
	c2 := h.crawler(t, source(t, ignoring, "gov2", h.srv.URL), "owner")
	if res := poll(t, c2); res.New == 0 {
		t.Errorf("with ignore_robots: %+v, want items announced", res)
	}
	mu.Lock()
	defer mu.Unlock()
	if details == 0 {
		t.Error("ignore_robots did not let the crawler read detail pages")
	}
}

// TestCrawlDelayWithGovsim: a robots.txt Crawl-delay spaces every request
// to the host.
func TestCrawlDelayWithGovsim(t *testing.T) {
	t.Parallel() // waits on the clock; own govsim and NATS
	h := newHarness(t, sim.Options{Seed: 59, Items: 1, LargeEvery: -1})
	var mu sync.Mutex
	var times []time.Time
	h.faults.setNext(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			w.Write([]byte("User-agent: *\nCrawl-delay: 1\n"))
			return
		}
		mu.Lock()
		times = append(times, time.Now())
		mu.Unlock()
		h.sim.ServeHTTP(w, r)
	}))
	c := h.crawler(t, source(t, govcnSource, "gov", h.srv.URL), "owner")
	if res := poll(t, c); res.New != 1 {
		t.Fatalf("poll = %+v", res)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(times) < 2 {
		t.Fatalf("%d requests", len(times))
	}
	for i := 1; i < len(times); i++ {
		if gap := times[i].Sub(times[i-1]); gap < 900*time.Millisecond {
			t.Errorf("request %d came %s after the previous one; Crawl-delay is 1 s", i, gap)
		}
	}
}

// wantDegraded checks that st is degraded with a reason holding every word.
func wantDegraded(t *testing.T, st crawler.SourceState, words ...string) {
	t.Helper()
	if st.State != crawler.HealthDegraded {
		t.Fatalf("state %s (%s), want degraded", st.State, st.Reason)
	}
	for _, w := range words {
		if !strings.Contains(st.Reason, w) {
			t.Errorf("reason %q lacks %q", st.Reason, w)
		}
	}
}
