package sim

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
)

// serve starts a real HTTP server for s, closed when the test ends.
func serve(t *testing.T, s *Site) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv
}

// get fetches url and returns the response (body already read) and body.
func get(t *testing.T, rawURL string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(rawURL)
	if err != nil {
		t.Fatalf("GET %s: %v", rawURL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", rawURL, err)
	}
	return resp, body
}

// getOK is get that fails the test unless the status is 200.
func getOK(t *testing.T, rawURL string) []byte {
	t.Helper()
	resp, body := get(t, rawURL)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200", rawURL, resp.StatusCode)
	}
	return body
}

func parse(t *testing.T, body []byte) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parse html: %v", err)
	}
	return doc
}

func host(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// normLabel is the label normalisation of sources.md §2.3: the tests read
// pages the way the crawler is told to.
func normLabel(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		switch r {
		case ':', '：', '﹕', '\u200b', '\ufeff':
			return -1
		}
		return r
	}, s)
}

// splitLabel splits "LABEL：VALUE" at the first colon of any form.
func splitLabel(s string) (label, value string, ok bool) {
	i := strings.IndexAny(s, ":：﹕")
	if i < 0 {
		return "", "", false
	}
	_, size := utf8.DecodeRuneInString(s[i:])
	return normLabel(s[:i]), strings.TrimSpace(s[i+size:]), true
}

func meta(doc *goquery.Document, name string) string {
	v, _ := doc.Find(`meta[name="` + name + `"]`).Attr("content")
	return v
}

// paragraphs returns the text of every <p> in sel.
func paragraphs(sel *goquery.Selection) []string {
	var ps []string
	sel.Find("p").Each(func(_ int, p *goquery.Selection) { ps = append(ps, p.Text()) })
	return ps
}

// links returns the hrefs of sel's links resolved against base.
func links(t *testing.T, base string, sel *goquery.Selection) []string {
	t.Helper()
	b, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	sel.Find("a[href]").Each(func(_ int, a *goquery.Selection) {
		href, _ := a.Attr("href")
		u, err := b.Parse(href)
		if err != nil {
			t.Fatalf("bad href %q: %v", href, err)
		}
		out = append(out, u.String())
	})
	return out
}

// releasesOf returns the releases of one column, newest first.
func releasesOf(s *Site, column string) []Release {
	var out []Release
	for _, r := range s.Releases() {
		if r.Column == column {
			out = append(out, r)
		}
	}
	return out
}
