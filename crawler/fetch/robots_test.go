package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
)

// rfcExample is the example of RFC 9309 §5.1, with a Crawl-delay added.
const rfcExample = `User-Agent: *
Disallow: *.gif$
Disallow: /example/
Allow: /publications/

User-Agent: foobot
Disallow:/
Allow:/example/page.html
Allow:/example/allowed.gif
Crawl-delay: 2.5

User-Agent: barbot
User-Agent: bazbot
Disallow: /example/page.html

User-Agent: quxbot

EOF`

func TestRobotsRules(t *testing.T) {
	tests := []struct {
		name, robots, agent, path string
		want                      bool
		rule                      string // the deciding line; "" = none
	}{
		{"rfc * gif", rfcExample, "otherbot", "/a/b.gif", false, "Disallow: *.gif$"},
		{"rfc * gif query", rfcExample, "otherbot", "/a/b.gif?x=1", true, ""},
		{"rfc * example", rfcExample, "otherbot", "/example/x", false, "Disallow: /example/"},
		{"rfc * publications", rfcExample, "otherbot", "/publications/x.html", true, "Allow: /publications/"},
		{"rfc * other", rfcExample, "otherbot", "/other", true, ""},
		{"rfc foobot page", rfcExample, "foobot", "/example/page.html", true, "Allow: /example/page.html"},
		{"rfc foobot gif", rfcExample, "foobot", "/example/allowed.gif", true, "Allow: /example/allowed.gif"},
		{"rfc foobot other", rfcExample, "foobot", "/other", false, "Disallow: /"},
		{"rfc barbot", rfcExample, "barbot", "/example/page.html", false, "Disallow: /example/page.html"},
		{"rfc bazbot", rfcExample, "bazbot", "/example/page.html", false, "Disallow: /example/page.html"},
		{"rfc bazbot other", rfcExample, "bazbot", "/example/", true, ""},
		{"rfc quxbot empty group", rfcExample, "quxbot", "/example/x", true, ""},
		{"token case-insensitive", "User-agent: SyndicatorBot\nDisallow: /\n", "syndicatorbot", "/x", false, "Disallow: /"},
		{"token with version", "User-agent: syndicator/1.0\nDisallow: /x\n", "syndicator", "/x", false, "Disallow: /x"},
		{"longest wins", "User-agent: *\nDisallow: /a\nAllow: /a/b\n", "x", "/a/b/c", true, "Allow: /a/b"},
		{"longest wins 2", "User-agent: *\nAllow: /a\nDisallow: /a/b\n", "x", "/a/b/c", false, "Disallow: /a/b"},
		{"tie allow wins", "User-agent: *\nDisallow: /page\nAllow: /page\n", "x", "/page", true, "Allow: /page"},
		{"dollar end", "User-agent: *\nDisallow: /*.pdf$\n", "x", "/doc/a.pdf", false, "Disallow: /*.pdf$"},
		{"dollar not end", "User-agent: *\nDisallow: /*.pdf$\n", "x", "/doc/a.pdf.html", true, ""},
		{"star middle", "User-agent: *\nDisallow: /zhengce/*/content_\n", "x", "/zhengce/202401/content_1.htm", false, "Disallow: /zhengce/*/content_"},
		{"star query", "User-agent: *\nDisallow: /*?page=\n", "x", "/list?page=2", false, "Disallow: /*?page="},
		{"query kept", "User-agent: *\nDisallow: /search?\n", "x", "/search?q=1", false, "Disallow: /search?"},
		{"empty disallow", "User-agent: *\nDisallow:\n", "x", "/anything", true, ""},
		{"no robots groups", "# nothing\n", "x", "/", true, ""},
		{"rules before agent ignored", "Disallow: /\nUser-agent: *\nAllow: /\n", "x", "/x", true, "Allow: /"},
		{"robots.txt itself", "User-agent: *\nDisallow: /\n", "x", "/robots.txt", true, ""},
		{"comments and CRLF", "User-agent: * # all\r\nDisallow: /private # secret\r\n", "x", "/private/1", false, "Disallow: /private"},
		{"merged groups", "User-agent: a\nDisallow: /1\n\nUser-agent: b\nDisallow: /2\n\nUser-agent: a\nDisallow: /3\n", "a", "/3", false, "Disallow: /3"},
		{"our group beats *", "User-agent: *\nDisallow: /\n\nUser-agent: syndicator\nAllow: /\n", "syndicator", "/x", true, "Allow: /"},
		{"* when no group for us", "User-agent: *\nDisallow: /\n\nUser-agent: syndicator\nAllow: /\n", "other", "/x", false, "Disallow: /"},
		{"utf-8 pattern", "User-agent: *\nDisallow: /政策/\n", "x", "/%E6%94%BF%E7%AD%96/1.html", false, "Disallow: /政策/"},
		{"escaped unreserved", "User-agent: *\nDisallow: /%62%61%7A\n", "x", "/baz", false, "Disallow: /%62%61%7A"},
		{"escape case", "User-agent: *\nDisallow: /a%3cb\n", "x", "/a%3Cb", false, "Disallow: /a%3cb"},
		{"literal star in path", "User-agent: *\nDisallow: /file-%2A.html\n", "x", "/file-*.html", false, "Disallow: /file-%2A.html"},
		{"star pattern not literal", "User-agent: *\nDisallow: /file-%2A.html\n", "x", "/file-x.html", true, ""},
		{"bom", "\xef\xbb\xbfUser-agent: *\nDisallow: /x\n", "x", "/x", false, "Disallow: /x"},
		{"case-insensitive keys", "USER-AGENT: *\nDISALLOW: /x\n", "x", "/x", false, "Disallow: /x"},
		{"path case-sensitive", "User-agent: *\nDisallow: /X\n", "x", "/x", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := parseRobots([]byte(tt.robots)).rulesFor(tt.agent)
			got, rule := rs.allowed(tt.path)
			line := ""
			if rule != nil {
				line = rule.line
			}
			if got != tt.want || line != tt.rule {
				t.Errorf("allowed(%q) for %q = %v by %q, want %v by %q", tt.path, tt.agent, got, line, tt.want, tt.rule)
			}
		})
	}
}

func TestRobotsCrawlDelay(t *testing.T) {
	r := parseRobots([]byte(rfcExample))
	if d := r.rulesFor("foobot").delay; d != 2500*time.Millisecond {
		t.Errorf("foobot delay %s, want 2.5s", d)
	}
	if d := r.rulesFor("otherbot").delay; d != 0 {
		t.Errorf("otherbot delay %s, want 0", d)
	}
	if d := parseRobots([]byte("User-agent: *\nCrawl-delay: 1e30\n")).rulesFor("x").delay; d != maxCrawlDelay {
		t.Errorf("huge delay %s, want %s", d, maxCrawlDelay)
	}
	for _, v := range []string{"-1", "NaN", "Inf", "soon"} {
		if d := parseRobots([]byte("User-agent: *\nCrawl-delay: " + v + "\n")).rulesFor("x").delay; d != 0 {
			t.Errorf("Crawl-delay %s: %s, want ignored", v, d)
		}
	}
}

func TestProductToken(t *testing.T) {
	for ua, want := range map[string]string{
		"syndicator/1.0": "syndicator",
		"Mozilla/5.0 (compatible; syndicator/1.0; +republishing for 贵阳市生态文明委员会)":   "syndicator",
		"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)": "googlebot",
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36":                       "mozilla",
		"My_Bot-2": "my_bot-",
		"":         "",
	} {
		if got := productToken(ua); got != want {
			t.Errorf("productToken(%q) = %q, want %q", ua, got, want)
		}
	}
}

func TestRobotsDisallowIsHonoured(t *testing.T) {
	s, srv := newSite(t, "User-agent: *\nDisallow: /private\n", nil)
	f := newTestFetcher(t, Options{}, nil, srv)
	_, err := f.Get(context.Background(), srv.URL+"/private/doc.html")
	var re *RobotsError
	if !errors.Is(err, ErrDisallowed) || !errors.As(err, &re) || !syndicator.IsPermanent(err) {
		t.Fatalf("err = %v, want a permanent ErrDisallowed", err)
	}
	for _, want := range []string{"Disallow: /private", srv.URL + "/robots.txt"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q should name %q", err, want)
		}
	}
	if s.hit("/private/doc.html") != 0 {
		t.Error("the disallowed page was requested")
	}
	if resp, err := f.Get(context.Background(), srv.URL+"/public.html"); err != nil || resp.RobotsIgnored != "" {
		t.Fatalf("allowed page: %v", err)
	}
}

func TestRobotsGroupForOurToken(t *testing.T) {
	robots := "User-agent: *\nDisallow: /\n\nUser-agent: syndicator\nDisallow: /nosynd\n"
	_, srv := newSite(t, robots, nil)
	ours := newTestFetcher(t, Options{UserAgent: "Mozilla/5.0 (compatible; syndicator/1.0; +test)"}, nil, srv)
	if _, err := ours.Get(context.Background(), srv.URL+"/page"); err != nil {
		t.Errorf("our group allows /page: %v", err)
	}
	if _, err := ours.Get(context.Background(), srv.URL+"/nosynd/1"); !errors.Is(err, ErrDisallowed) {
		t.Errorf("our group disallows /nosynd: err = %v", err)
	}
	other := newTestFetcher(t, Options{UserAgent: "otherbot/2.0"}, nil, srv)
	if _, err := other.Get(context.Background(), srv.URL+"/page"); !errors.Is(err, ErrDisallowed) {
		t.Errorf("* group disallows all: err = %v", err)
	}
	named := newTestFetcher(t, Options{UserAgent: "otherbot/2.0", RobotsAgent: "syndicator"}, nil, srv)
	if _, err := named.Get(context.Background(), srv.URL+"/page"); err != nil {
		t.Errorf("RobotsAgent picks our group: %v", err)
	}
}

func TestRobotsOverrideWithReason(t *testing.T) {
	s, srv := newSite(t, "User-agent: *\nDisallow: /\nCrawl-delay: 30\n", nil)
	f := newTestFetcher(t, Options{}, nil, srv)
	const reason = "经网站主办单位书面同意（2026-10-08 函）"
	var resp *Response
	var err error
	within(t, 10*time.Second, func() {
		for range 2 { // no Crawl-delay either
			resp, err = f.Do(context.Background(), Request{URL: srv.URL + "/zhengce/1.html", IgnoreRobots: reason})
		}
	})
	if err != nil || resp.RobotsIgnored != reason {
		t.Fatalf("override: resp %+v, err %v; want the page and the reason reported", resp, err)
	}
	if s.hit("/robots.txt") != 0 {
		t.Error("robots.txt was fetched although ignored")
	}
	if s.hit("/zhengce/1.html") != 2 {
		t.Errorf("page requested %d times, want 2", s.hit("/zhengce/1.html"))
	}
}

func TestRobotsMissingAllowsAll(t *testing.T) {
	for _, status := range []int{http.StatusNotFound, http.StatusForbidden, http.StatusGone, http.StatusUnauthorized} {
		s, srv := newSite(t, "User-agent: *\nDisallow: /\n", nil)
		s.set("User-agent: *\nDisallow: /\n", status) // the body must be ignored
		f := newTestFetcher(t, Options{}, nil, srv)
		if _, err := f.Get(context.Background(), srv.URL+"/page"); err != nil {
			t.Errorf("robots.txt %d: %v, want allowed", status, err)
		}
	}
}

func TestRobotsServerErrorDisallowsUntilRetry(t *testing.T) {
	s, srv := newSite(t, "", nil)
	s.set("oops", http.StatusInternalServerError)
	clk := newManualClock()
	f := newTestFetcher(t, Options{Retries: 1, RobotsErrorTTL: 2 * time.Second, now: clk.now}, nil, srv)
	_, err := f.Get(context.Background(), srv.URL+"/page")
	var re *RobotsError
	if !errors.Is(err, ErrDisallowed) || !errors.As(err, &re) || syndicator.IsPermanent(err) || re.RetryAt.IsZero() {
		t.Fatalf("err = %v, want a transient ErrDisallowed with RetryAt", err)
	}
	if !strings.Contains(err.Error(), "HTTP 500") {
		t.Errorf("error %q should say robots.txt answered 500", err)
	}
	if s.hit("/page") != 0 {
		t.Error("page requested while robots.txt is unreachable")
	}
	if n := s.hit("/robots.txt"); n != 2 {
		t.Errorf("robots.txt requested %d times, want 2 (one retry)", n)
	}
	// Cached: no new robots.txt request until RobotsErrorTTL.
	clk.advance(1900 * time.Millisecond)
	f.Get(context.Background(), srv.URL+"/page")
	if n := s.hit("/robots.txt"); n != 2 {
		t.Errorf("robots.txt requested %d times within the error TTL, want 2", n)
	}
	// After it, robots.txt is read again.
	s.set("", 0)
	clk.advance(600 * time.Millisecond)
	if _, err := f.Get(context.Background(), srv.URL+"/page"); err != nil {
		t.Fatalf("after robots.txt recovered: %v", err)
	}
}

func TestRobotsUnreachableSite(t *testing.T) {
	_, srv := newSite(t, "", nil)
	addr := srv.URL
	srv.Close() // nothing listens there any more
	f := newTestFetcher(t, Options{Retries: 1}, nil, srv)
	_, err := f.Get(context.Background(), addr+"/page")
	if err == nil || errors.Is(err, ErrDisallowed) || syndicator.IsPermanent(err) {
		t.Fatalf("err = %v, want a transient network error, not a robots refusal", err)
	}
	if !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("error %q should say the connection was refused", err)
	}
}

func TestRobotsStaleCopyKeptWhileUnreachable(t *testing.T) {
	s, srv := newSite(t, "User-agent: *\nDisallow: /private\n", nil)
	clk := newManualClock()
	f := newTestFetcher(t, Options{RobotsTTL: 100 * time.Millisecond, Retries: -1, now: clk.now}, nil, srv)
	if _, err := f.Get(context.Background(), srv.URL+"/page"); err != nil {
		t.Fatal(err)
	}
	s.set("down", http.StatusServiceUnavailable)
	clk.advance(150 * time.Millisecond)
	if _, err := f.Get(context.Background(), srv.URL+"/page"); err != nil {
		t.Errorf("allowed by the earlier copy: %v", err)
	}
	if _, err := f.Get(context.Background(), srv.URL+"/private/x"); !errors.Is(err, ErrDisallowed) || !syndicator.IsPermanent(err) {
		t.Errorf("disallowed by the earlier copy: err = %v", err)
	}
	if n := s.hit("/robots.txt"); n != 2 {
		t.Errorf("robots.txt requested %d times, want 2", n)
	}
}

func TestRobotsFetchedOncePerOrigin(t *testing.T) {
	s, srv := newSite(t, "User-agent: *\nAllow: /\n", nil)
	f := newTestFetcher(t, Options{PerHostConcurrency: -1}, nil, srv)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			if _, err := f.Get(context.Background(), srv.URL+"/page/"+string(rune('a'+i))); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := s.hit("/robots.txt"); n != 1 {
		t.Errorf("robots.txt requested %d times for 20 pages, want 1", n)
	}
}

func TestRobotsFetchTakenOverWhenItsCallerGivesUp(t *testing.T) {
	release, fetching := make(chan struct{}), make(chan struct{})
	var robotsCalls atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		if robotsCalls.Add(1) == 1 {
			close(fetching)
			select { // the first fetch hangs until its caller gives up
			case <-r.Context().Done():
				return
			case <-release:
			}
		}
		w.Write([]byte("User-agent: *\nDisallow: /private\n"))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("page")) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	defer close(release)
	f := newTestFetcher(t, Options{PerHostConcurrency: -1}, nil, srv)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var first, second error
	firstDone, secondDone := make(chan struct{}), make(chan struct{})
	go func() { defer close(firstDone); _, first = f.Get(ctx, srv.URL+"/a") }()
	waitFor(t, fetching, "the first caller to fetch robots.txt")
	// The second caller finds the fetch under way and waits for it: the
	// first use of its ctx's Done is that wait.
	ctx2 := watchDone(context.Background())
	go func() { defer close(secondDone); _, second = f.Get(ctx2, srv.URL+"/private/b") }()
	waitFor(t, ctx2.waiting, "the second caller to wait for robots.txt")
	cancel() // the first caller gives up
	waitFor(t, firstDone, "the first caller to return")
	waitFor(t, secondDone, "the second caller to return")
	if !errors.Is(first, context.Canceled) {
		t.Errorf("first caller: err = %v, want its own cancellation", first)
	}
	if !errors.Is(second, ErrDisallowed) {
		t.Errorf("second caller: err = %v, want robots.txt read and applied", second)
	}
}

func TestRobotsCacheExpires(t *testing.T) {
	s, srv := newSite(t, "User-agent: *\nAllow: /\n", nil)
	clk := newManualClock()
	f := newTestFetcher(t, Options{RobotsTTL: 2 * time.Second, now: clk.now}, nil, srv)
	f.Get(context.Background(), srv.URL+"/1")
	clk.advance(1900 * time.Millisecond)
	f.Get(context.Background(), srv.URL+"/2")
	clk.advance(600 * time.Millisecond)
	f.Get(context.Background(), srv.URL+"/3")
	if n := s.hit("/robots.txt"); n != 2 {
		t.Errorf("robots.txt requested %d times, want 2 (once per TTL)", n)
	}
}

func TestRobotsCrawlDelaySpacesRequests(t *testing.T) {
	t.Parallel() // waits on the clock
	s, srv := newSite(t, "User-agent: *\nCrawl-delay: 0.4\n", nil)
	f := newTestFetcher(t, Options{PerHostConcurrency: -1}, nil, srv)
	within(t, 20*time.Second, func() {
		var wg sync.WaitGroup
		for _, p := range []string{"/1", "/2", "/3"} {
			wg.Go(func() {
				if _, err := f.Get(context.Background(), srv.URL+p); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.starts) != 3 {
		t.Fatalf("%d page requests, want 3", len(s.starts))
	}
	for i := 1; i < len(s.starts); i++ {
		if gap := s.starts[i].Sub(s.starts[i-1]); gap < 350*time.Millisecond {
			t.Errorf("requests %d and %d %s apart, want at least the 0.4s Crawl-delay", i-1, i, gap)
		}
	}
}

func TestRobotsRedirectIsFollowed(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/robots.txt", http.RedirectHandler("/real-robots.txt", http.StatusMovedPermanently))
	mux.HandleFunc("/real-robots.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("User-agent: *\nDisallow: /private\n"))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("page")) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	f := newTestFetcher(t, Options{}, nil, srv)
	if _, err := f.Get(context.Background(), srv.URL+"/private/1"); !errors.Is(err, ErrDisallowed) {
		t.Fatalf("robots.txt behind a redirect: err = %v, want ErrDisallowed", err)
	}
	if _, err := f.Get(context.Background(), srv.URL+"/public"); err != nil {
		t.Fatal(err)
	}

	// A 3xx without Location is a response, not a redirect: robots.txt
	// is unavailable, so everything is allowed.
	s, srv2 := newSite(t, "", nil)
	s.set("", http.StatusMovedPermanently)
	f2 := newTestFetcher(t, Options{}, nil, srv2)
	if _, err := f2.Get(context.Background(), srv2.URL+"/private/1"); err != nil {
		t.Fatalf("robots.txt 301 without Location: %v", err)
	}
}

func TestRobotsOfRedirectTargetApplies(t *testing.T) {
	_, target := newSite(t, "User-agent: *\nDisallow: /closed\n", nil)
	_, front := newSite(t, "", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/closed/1", http.StatusFound)
	})
	f := newTestFetcher(t, Options{}, nil, front, target)
	_, err := f.Get(context.Background(), front.URL+"/moved")
	if !errors.Is(err, ErrDisallowed) || !strings.Contains(err.Error(), target.URL+"/robots.txt") {
		t.Fatalf("err = %v, want ErrDisallowed by the target's robots.txt", err)
	}
	if resp, err := f.Do(context.Background(), Request{URL: front.URL + "/moved", IgnoreRobots: "test"}); err != nil || resp.URL != target.URL+"/closed/1" {
		t.Fatalf("with robots ignored: %v", err)
	}
}

func TestRobotsBodyIsCapped(t *testing.T) {
	big := "User-agent: *\nDisallow: /early\n" + strings.Repeat("# padding padding padding\n", 30000) + "Disallow: /late\n"
	_, srv := newSite(t, big, nil)
	f := newTestFetcher(t, Options{}, nil, srv)
	if _, err := f.Get(context.Background(), srv.URL+"/early"); !errors.Is(err, ErrDisallowed) {
		t.Errorf("/early: err = %v, want ErrDisallowed", err)
	}
	if _, err := f.Get(context.Background(), srv.URL+"/late"); err != nil {
		t.Errorf("/late is past the first 500 KiB and must be ignored: %v", err)
	}
}

// FuzzRobots feeds arbitrary robots.txt bodies, agents and paths to the
// parser and matcher: they must not panic, and must finish.
func FuzzRobots(f *testing.F) {
	f.Add([]byte(rfcExample), "foobot", "/example/page.html")
	f.Add([]byte("User-agent: *\nDisallow: /*.pdf$\nAllow: /a/*/b**c$\n"), "x", "/a/1/bxxc")
	f.Add([]byte("User-agent: *\nDisallow: /政策/%E6%94%BF%zz%\n\rCrawl-delay: 1e309\n"), "*", "/%E6%94%BF%E7%AD%96/?q=$*")
	f.Add([]byte("\xef\xbb\xbfuser-agent:syndicator\nallow:$\ndisallow:*\n"), "Mozilla/5.0 (compatible; syndicator/1.0)", "")
	f.Fuzz(func(t *testing.T, body []byte, agent, path string) {
		if len(body) > 64<<10 || len(path) > 4<<10 {
			return
		}
		rs := parseRobots(body).rulesFor(productToken(agent))
		rs.allowed(path)
		if ok, _ := rs.allowed("/robots.txt"); !ok {
			t.Fatal("/robots.txt disallowed")
		}
		if u, err := url.Parse("http://example.test" + path); err == nil {
			rs.allowed(robotsPath(u))
		}
		if rs.delay < 0 || rs.delay > maxCrawlDelay {
			t.Fatalf("delay %s out of range", rs.delay)
		}
	})
}
