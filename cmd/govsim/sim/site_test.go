package sim

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSameSeedSameBytes(t *testing.T) {
	t.Parallel()
	opts := Options{Seed: 42, Items: 45}
	a, b := New(opts), New(opts)
	for range 5 {
		if diff := cmp.Diff(a.Publish(), b.Publish()); diff != "" {
			t.Fatalf("Publish differs (-a +b):\n%s", diff)
		}
	}
	paths := a.Paths()
	if diff := cmp.Diff(paths, b.Paths()); diff != "" {
		t.Fatalf("paths differ (-a +b):\n%s", diff)
	}
	for _, p := range paths {
		ba, ta, _ := a.Body("example.test", p)
		bb, tb, _ := b.Body("example.test", p)
		if !bytes.Equal(ba, bb) || ta != tb {
			t.Errorf("%s: bytes differ for the same seed", p)
		}
		if again, _, _ := a.Body("example.test", p); !bytes.Equal(ba, again) {
			t.Errorf("%s: bytes differ between two requests", p)
		}
	}
	if diff := cmp.Diff(a.Releases(), b.Releases()); diff != "" {
		t.Errorf("releases differ (-a +b):\n%s", diff)
	}
}

func TestDifferentSeedDifferentContent(t *testing.T) {
	t.Parallel()
	a, b := New(Options{Seed: 1}), New(Options{Seed: 2})
	ja, _, _ := a.Body("h", govcnList)
	jb, _, _ := b.Body("h", govcnList)
	if bytes.Equal(ja, jb) {
		t.Error("the gov.cn lists are equal for seeds 1 and 2")
	}
	same := 0
	ra, rb := a.Releases(), b.Releases()
	for i := range min(len(ra), len(rb)) {
		if ra[i].Title == rb[i].Title || ra[i].Path == rb[i].Path {
			same++
		}
	}
	if same > len(ra)/4 {
		t.Errorf("%d of %d releases share a title or path across seeds", same, len(ra))
	}
}

func TestServedBytesEqualHTTP(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 4, Items: 30})
	s.Publish()
	s.Publish()
	srv := serve(t, s)
	h := host(t, srv)
	for _, p := range s.Paths() {
		want, ctype, ok := s.Body(h, p)
		if !ok {
			t.Errorf("%s is listed by Paths but Body has no page", p)
			continue
		}
		resp, got := get(t, srv.URL+p)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", p, resp.StatusCode)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: HTTP body (%d bytes) differs from Body (%d bytes)", p, len(got), len(want))
		}
		if ct := resp.Header.Get("Content-Type"); ct != ctype {
			t.Errorf("%s: Content-Type %q, Body says %q", p, ct, ctype)
		}
		if resp.Header.Get("Last-Modified") == "" || resp.Header.Get("ETag") == "" {
			t.Errorf("%s: no Last-Modified or ETag", p)
		}
	}
}

func TestJSONListUsesRequestHost(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 4, Items: 5})
	body, _, _ := s.Body("sim.example:8090", govcnList)
	rows := regexp.MustCompile(`"URL":"([^"]*)"`).FindAllStringSubmatch(string(body), -1)
	if len(rows) == 0 {
		t.Fatal("no URL in the list")
	}
	for _, m := range rows {
		if !strings.HasPrefix(m[1], "http://sim.example:8090/govcn/") {
			t.Errorf("URL %s is not absolute on the request host", m[1])
		}
	}
}

func TestRobotsNotFoundAndMethods(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 1, Items: 5})
	srv := serve(t, s)
	if got := string(getOK(t, srv.URL+"/robots.txt")); got != "User-agent: *\nDisallow:\n" {
		t.Errorf("robots.txt = %q, want allow-all", got)
	}
	for _, p := range []string{
		"/nope",
		"/govcn/zhengce/content/202601/content_1000000.htm",
		"/govcn/zhengce/zuixin/home.htm",
		"/guizhou/zwgk/zcfg/szfwj/qff",
		"/guizhou/zwgk/zcfg/szfwj/qfh/",
		"/guizhou/zwgk/zcfg/szfwj/qff/202601/t20260101_90000000.html",
	} {
		if resp, _ := get(t, srv.URL+p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", p, resp.StatusCode)
		}
		if _, _, ok := s.Body("h", p); ok {
			t.Errorf("Body(%s) ok, want not found", p)
		}
	}
	resp, err := http.Post(srv.URL+govcnList, "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d, want 405", resp.StatusCode)
	}
}

func TestConditionalGet(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 6, Items: 10, PublishEvery: time.Hour})
	srv := serve(t, s)
	r := s.Releases()[0]
	resp, _ := get(t, srv.URL+r.Path)
	if got, want := resp.Header.Get("Last-Modified"), r.ModifiedAt.UTC().Format(http.TimeFormat); got != want {
		t.Errorf("Last-Modified = %q, want %q", got, want)
	}
	for name, hdr := range map[string][2]string{
		"etag":     {"If-None-Match", resp.Header.Get("ETag")},
		"modified": {"If-Modified-Since", resp.Header.Get("Last-Modified")},
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+r.Path, nil)
		req.Header.Set(hdr[0], hdr[1])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotModified {
			t.Errorf("%s: status %d, want 304", name, resp.StatusCode)
		}
	}

	before, _ := get(t, srv.URL+govcnList)
	s.Publish()
	after, _ := get(t, srv.URL+govcnList)
	if before.Header.Get("Last-Modified") == after.Header.Get("Last-Modified") || before.Header.Get("ETag") == after.Header.Get("ETag") {
		t.Error("Last-Modified or ETag of the JSON list did not change with a new release")
	}
}

func TestHits(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 1, Items: 5})
	srv := serve(t, s)
	for range 3 {
		get(t, srv.URL+govcnList+"?t=1")
	}
	get(t, srv.URL+"/nope")
	if got := s.Hits(govcnList); got != 3 {
		t.Errorf("Hits(list) = %d, want 3", got)
	}
	if got := s.Hits("/nope"); got != 1 {
		t.Errorf("Hits(/nope) = %d, want 1", got)
	}
	if got := s.Hits("/robots.txt"); got != 0 {
		t.Errorf("Hits(/robots.txt) = %d, want 0", got)
	}
}

func TestAttachments(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 8, Items: 30})
	srv := serve(t, s)
	n := 0
	for _, r := range s.Releases() {
		for _, a := range r.Attachments {
			n++
			if !regexp.MustCompile(`^\./P0\d{20}\.pdf$`).MatchString(a.Href) {
				t.Errorf("href %q is not a TRS attachment name", a.Href)
			}
			if dir := r.Path[:strings.LastIndex(r.Path, "/")+1]; a.Path != dir+a.Href[2:] {
				t.Errorf("attachment %s is not beside its page %s", a.Path, r.Path)
			}
			resp, body := get(t, srv.URL+a.Path)
			sum := sha256.Sum256(body)
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" {
				t.Errorf("%s: status %d, type %q", a.Path, resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if hex.EncodeToString(sum[:]) != a.SHA256 || len(body) != a.Size {
				t.Errorf("%s: sha256 or size differ from the release", a.Path)
			}
			if !bytes.HasPrefix(body, []byte("%PDF-1.4\n")) || !bytes.HasSuffix(body, []byte("%%EOF\n")) || len(body) < 1500 || len(body) > 8000 {
				t.Errorf("%s: not a small PDF (%d bytes)", a.Path, len(body))
			}
		}
	}
	if n < 5 {
		t.Errorf("%d attachments in 60 releases, want more", n)
	}
}

func TestLargeBodies(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		largeEvery int
		want       int // per site, of 30 items
	}{
		{"default", 0, 3},
		{"every 5", 5, 6},
		{"never", -1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := New(Options{Seed: 3, LargeEvery: tc.largeEvery})
			count := map[string]int{}
			for _, r := range s.Releases() {
				text := len(r.Text())
				if !r.Large {
					if text > 50_000 {
						t.Errorf("%s: %d bytes of body but not large", r.Path, text)
					}
					continue
				}
				count[r.Site]++
				page, _, _ := s.Body("h", r.Path)
				if text < largeBodyBytes || text > largeBodyBytes+100_000 || len(page) < text {
					t.Errorf("%s: large body of %d bytes, page %d bytes", r.Path, text, len(page))
				}
			}
			if count[GovCN] != tc.want || count[Guizhou] != tc.want {
				t.Errorf("large releases %v, want %d per site", count, tc.want)
			}
		})
	}
}

func TestReleasesAreConsistent(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 21, Items: 400, LargeEvery: -1})
	rels := s.Releases()
	if got, want := len(rels), 800; got != want {
		t.Fatalf("%d releases, want %d", got, want)
	}
	seen := map[string]bool{}
	eco, lastID := 0, map[string]string{}
	for i, r := range slices.Backward(rels) {
		for _, key := range []string{r.Site + r.Title, r.Site + r.DocNumber, r.Path, r.Site + r.ID} {
			if seen[key] {
				t.Errorf("release %d: %q is not unique", i, key)
			}
			seen[key] = true
		}
		if prev := lastID[r.Site]; len(prev) == len(r.ID) && prev >= r.ID {
			t.Errorf("%s id %s does not increase after %s", r.Site, r.ID, prev)
		}
		lastID[r.Site] = r.ID
		if !r.PublishedAt.Before(time.Date(2026, 9, 1, 10, 0, 0, 0, r.PublishedAt.Location())) {
			t.Errorf("history release %s published at %s, not before Start", r.Path, r.PublishedAt)
		}
		if name, _ := r.PublishedAt.Zone(); name != "CST" {
			t.Errorf("%s: zone %s, want Asia/Shanghai", r.Path, name)
		}
		if r.WrittenAt.After(r.PublishedAt) {
			t.Errorf("%s: written after it was published", r.Path)
		}
		for _, w := range []string{"生态", "污染", "河长制", "碳", "绿色"} {
			if strings.Contains(r.Title, w) {
				eco++
				break
			}
		}
	}
	if eco < len(rels)/4 || eco > len(rels)*3/4 {
		t.Errorf("%d of %d titles are ecological, want a mix", eco, len(rels))
	}
	for i := 1; i < len(rels); i++ {
		if rels[i].PublishedAt.After(rels[i-1].PublishedAt) {
			t.Fatalf("Releases not newest first at %d", i)
		}
	}
}

func TestTitlesStayUniqueWhenCombinationsRunOut(t *testing.T) {
	t.Parallel()
	g := newGenerator(1, shanghai(), -1)
	seen := map[string]bool{}
	for range 10_000 {
		d := g.title(colQFF, colQFF.kinds[0], topics[0])
		if seen[d.title] {
			t.Fatalf("title %q given twice", d.title)
		}
		seen[d.title] = true
	}
	if g.fallback == 0 {
		t.Error("the fallback titles were never used")
	}
}

func TestPageIndex(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]int{"": 0, "index.html": 0, "index_1.html": 1, "index_12.html": 12,
		"3.html": -1, "index_0.html": -1, "index_01.html": -1, "index_x.html": -1, "other_2.html": -1} {
		got, ok := pageIndex(name)
		if !ok {
			got = -1
		}
		if got != want {
			t.Errorf("pageIndex(%q) = %d, want %d", name, got, want)
		}
	}
}
