package warc_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gyeco/syndicator/sinks/archive/warc"
	"github.com/gyeco/syndicator/sinks/archive/warc/warctest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.warc from the current output")

// exchanges are a page and one attachment as the crawler captures them.
func exchanges() []warc.Exchange {
	pdf := append([]byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), 0x00, 0x1f, 0x8b, 0xff, '\r', '\n')
	pdf = append(pdf, "\r\n\r\nWARC/1.1\r\nWARC-Type: response\r\n\r\n%%EOF\n"...)
	return []warc.Exchange{{
		URL:   "https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qff/202609/t20260901_1.html?from=list#Zoom",
		Proto: "HTTP/1.1", Status: 200,
		Header: http.Header{
			"Content-Type": {"text/html; charset=utf-8"},
			"Etag":         {`"abc"`},
			"Set-Cookie":   {"a=1; Path=/", "b=2; Path=/"},
			"Server":       {"nginx"},
		},
		Request: http.Header{
			"User-Agent":      {"syndicator/1.0"},
			"Accept-Language": {"zh-CN,zh;q=0.9"},
		},
		FetchedAt: time.Date(2026, 9, 1, 3, 0, 0, 123456789, time.UTC),
		Body:      []byte("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>关于印发方案的通知</title></head><body><p>各市（州）人民政府：</p></body></html>"),
	}, {
		URL:   "https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qff/202609/P020260901.pdf",
		Proto: "HTTP/2.0", Status: 200,
		Header: http.Header{
			"Content-Type":        {"application/pdf"},
			"Content-Length":      {"999"},
			"Content-Disposition": {"attachment; filename=\"\xb8\xbd\xbc\xfe.pdf\""}, // GBK 附件
		},
		Request:   http.Header{"User-Agent": {"syndicator/1.0"}},
		FetchedAt: time.Date(2026, 9, 1, 11, 0, 5, 0, time.FixedZone("CST", 8*3600)),
		Body:      pdf,
	}}
}

func capture(t *testing.T, exs []warc.Exchange) []byte {
	t.Helper()
	data, err := warc.Capture(exs)
	if err != nil {
		t.Fatalf("Capture: %v", err)
	}
	return data
}

func read(t *testing.T, data []byte) []warctest.Record {
	t.Helper()
	recs, err := warctest.Read(data)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestCaptureGolden pins the uncompressed output. A change here changes the
// bytes of capture.warc.gz: an event archived before the change and
// redelivered after it would then conflict with its first archive.
func TestCaptureGolden(t *testing.T) {
	zr, err := gzip.NewReader(bytes.NewReader(capture(t, exchanges())))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr) // multistream: all members
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "capture.warc")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("capture (-want +got), run with -update if intended:\n%s", diff)
	}
}

var reUUID = regexp.MustCompile(`^<urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}>$`)

func TestCaptureRecords(t *testing.T) {
	exs := exchanges()
	recs := read(t, capture(t, exs))

	var types []string
	for _, r := range recs {
		types = append(types, r.Get("WARC-Type"))
	}
	if diff := cmp.Diff([]string{"warcinfo", "request", "response", "request", "response"}, types); diff != "" {
		t.Fatalf("record types (-want +got):\n%s", diff)
	}
	ids := map[string]bool{}
	for i, r := range recs {
		if r.Version != "WARC/1.1" {
			t.Errorf("record %d: version %q, want WARC/1.1", i, r.Version)
		}
		id := r.Get("WARC-Record-ID")
		if !reUUID.MatchString(id) {
			t.Errorf("record %d: WARC-Record-ID %q is not a <urn:uuid:…> of version 8", i, id)
		}
		if ids[id] {
			t.Errorf("record %d: WARC-Record-ID %s repeats", i, id)
		}
		ids[id] = true
		if got, want := r.Get("WARC-Block-Digest"), warctest.SHA256(r.Block); got != want {
			t.Errorf("record %d: WARC-Block-Digest %s, want %s", i, got, want)
		}
		if i > 0 {
			if got, want := r.Get("WARC-Warcinfo-ID"), recs[0].Get("WARC-Record-ID"); got != want {
				t.Errorf("record %d: WARC-Warcinfo-ID %s, want %s", i, got, want)
			}
		}
	}

	info := recs[0]
	if got := info.Get("Content-Type"); got != "application/warc-fields" {
		t.Errorf("warcinfo Content-Type %q", got)
	}
	for _, want := range []string{"software: syndicator\r\n", "format: WARC File Format 1.1\r\n"} {
		if !bytes.Contains(info.Block, []byte(want)) {
			t.Errorf("warcinfo block %q lacks %q", info.Block, want)
		}
	}
	if got, want := info.Get("WARC-Date"), "2026-09-01T03:00:00.123456789Z"; got != want {
		t.Errorf("warcinfo WARC-Date %s, want %s (the page's fetch time)", got, want)
	}

	targets := []string{
		"https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qff/202609/t20260901_1.html?from=list",
		"https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qff/202609/P020260901.pdf",
	}
	dates := []string{"2026-09-01T03:00:00.123456789Z", "2026-09-01T03:00:05Z"}
	paths := []string{"/zwgk/zcfg/szfwj/qff/202609/t20260901_1.html?from=list", "/zwgk/zcfg/szfwj/qff/202609/P020260901.pdf"}
	for i, ex := range exs {
		req, resp := recs[1+2*i], recs[2+2*i]
		if got, want := req.Get("WARC-Concurrent-To"), resp.Get("WARC-Record-ID"); got != want {
			t.Errorf("exchange %d: request WARC-Concurrent-To %s, want the response %s", i, got, want)
		}
		if got, want := resp.Get("WARC-Concurrent-To"), req.Get("WARC-Record-ID"); got != want {
			t.Errorf("exchange %d: response WARC-Concurrent-To %s, want the request %s", i, got, want)
		}
		for _, r := range []warctest.Record{req, resp} {
			if got := r.Get("WARC-Target-URI"); got != targets[i] {
				t.Errorf("exchange %d %s: WARC-Target-URI %q, want %q", i, r.Get("WARC-Type"), got, targets[i])
			}
			if got := r.Get("WARC-Date"); got != dates[i] {
				t.Errorf("exchange %d %s: WARC-Date %q, want %q", i, r.Get("WARC-Type"), got, dates[i])
			}
			if want := "application/http;msgtype=" + r.Get("WARC-Type"); r.Get("Content-Type") != want {
				t.Errorf("exchange %d: Content-Type %q, want %q", i, r.Get("Content-Type"), want)
			}
		}

		hr, err := req.Request()
		if err != nil {
			t.Fatalf("exchange %d: %v", i, err)
		}
		if hr.Method != http.MethodGet || hr.RequestURI != paths[i] || hr.Host != "www.guizhou.gov.cn" || hr.Proto != ex.Proto {
			t.Errorf("exchange %d: request %s %s %s Host %s, want GET %s %s Host www.guizhou.gov.cn",
				i, hr.Method, hr.RequestURI, hr.Proto, hr.Host, paths[i], ex.Proto)
		}
		if diff := cmp.Diff(ex.Request, hr.Header); diff != "" {
			t.Errorf("exchange %d: request headers (-want +got):\n%s", i, diff)
		}
		if got, want := req.Get("WARC-Payload-Digest"), warctest.SHA256(nil); got != want {
			t.Errorf("exchange %d: request WARC-Payload-Digest %s, want %s (no body)", i, got, want)
		}

		hresp, body, err := resp.Response()
		if err != nil {
			t.Fatalf("exchange %d: %v", i, err)
		}
		if !bytes.Equal(body, ex.Body) {
			t.Errorf("exchange %d: body\n got %q\nwant %q", i, body, ex.Body)
		}
		if got, want := resp.Get("WARC-Payload-Digest"), warctest.SHA256(ex.Body); got != want {
			t.Errorf("exchange %d: WARC-Payload-Digest %s, want %s", i, got, want)
		}
		if hresp.StatusCode != ex.Status || hresp.Proto != ex.Proto {
			t.Errorf("exchange %d: status line %s %d, want %s %d", i, hresp.Proto, hresp.StatusCode, ex.Proto, ex.Status)
		}
		for name, want := range ex.Header {
			if name == "Content-Length" {
				continue
			}
			if diff := cmp.Diff(want, hresp.Header[name]); diff != "" {
				t.Errorf("exchange %d: response header %s (-want +got):\n%s", i, name, diff)
			}
		}
	}
}

func TestCaptureIsDeterministic(t *testing.T) {
	first := capture(t, exchanges())
	if second := capture(t, exchanges()); !bytes.Equal(first, second) {
		t.Fatal("the same exchanges gave different files")
	}

	exs := exchanges()
	exs[1].Body = append(bytes.Clone(exs[1].Body), '!')
	changed := read(t, capture(t, exs))
	for i, r := range read(t, first) {
		if r.Get("WARC-Record-ID") == changed[i].Get("WARC-Record-ID") {
			t.Errorf("record %d keeps its id %s when the file's content changes", i, r.Get("WARC-Record-ID"))
		}
	}
}

// TestCaptureConcurrently: archive handlers run in parallel; run with -race.
func TestCaptureConcurrently(t *testing.T) {
	want := capture(t, exchanges())
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			got, err := warc.Capture(exchanges())
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("concurrent Capture = %d bytes, %v; want the same file", len(got), err)
			}
		})
	}
	wg.Wait()
}

// TestCaptureBodiesRoundTrip: whatever the body holds, the response record
// gives it back byte for byte.
func TestCaptureBodiesRoundTrip(t *testing.T) {
	every := make([]byte, 0, 512)
	for i := range 512 {
		every = append(every, byte(i))
	}
	gz := func() []byte {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write([]byte("compressed as served"))
		zw.Close()
		return b.Bytes()
	}()
	tests := []struct {
		name   string
		body   []byte
		header http.Header
	}{
		{"empty", nil, nil},
		{"a WARC record inside", []byte("<p>a</p>\r\n\r\nWARC/1.1\r\nWARC-Type: response\r\nContent-Length: 0\r\n\r\n\r\n\r\n"), nil},
		{"every byte value", every, http.Header{"Content-Type": {"application/octet-stream"}}},
		{"ends in CRLF CRLF", []byte("\r\n\r\n"), nil},
		{"HTTP message inside", []byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"), nil},
		{"still gzip-encoded", gz, http.Header{"Content-Encoding": {"gzip"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exs := exchanges()[:1]
			exs[0].Body, exs[0].Header = tt.body, tt.header
			recs := read(t, capture(t, exs))
			_, body, err := recs[2].Response()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(body, tt.body) {
				t.Errorf("body\n got %q\nwant %q", body, tt.body)
			}
			if got, want := recs[2].Get("WARC-Payload-Digest"), warctest.SHA256(tt.body); got != want {
				t.Errorf("WARC-Payload-Digest %s, want %s", got, want)
			}
		})
	}
}

// TestCaptureResponseHeaders: the headers describe the stored body; what
// was changed is kept under X-Syndicator-Original-*; nothing can break a
// line.
func TestCaptureResponseHeaders(t *testing.T) {
	t.Parallel()
	body := []byte("<html>decoded</html>")
	tests := []struct {
		name   string
		header http.Header
		want   http.Header // the parsed response header
	}{{
		name:   "content length added",
		header: http.Header{"Content-Type": {"text/html"}},
		want:   http.Header{"Content-Type": {"text/html"}, "Content-Length": {"20"}},
	}, {
		name:   "content length corrected",
		header: http.Header{"Content-Length": {"7"}},
		want:   http.Header{"Content-Length": {"20"}, "X-Syndicator-Original-Content-Length": {"7"}},
	}, {
		name:   "matching content length kept",
		header: http.Header{"Content-Length": {"20"}},
		want:   http.Header{"Content-Length": {"20"}},
	}, {
		name:   "chunked transfer removed",
		header: http.Header{"Transfer-Encoding": {"chunked"}},
		want:   http.Header{"Content-Length": {"20"}, "X-Syndicator-Original-Transfer-Encoding": {"chunked"}},
	}, {
		name:   "gzip that was decoded removed",
		header: http.Header{"Content-Encoding": {"gzip"}, "Content-Length": {"11"}},
		want: http.Header{"Content-Length": {"20"}, "X-Syndicator-Original-Content-Encoding": {"gzip"},
			"X-Syndicator-Original-Content-Length": {"11"}},
	}, {
		name:   "other codings kept",
		header: http.Header{"Content-Encoding": {"br"}},
		want:   http.Header{"Content-Encoding": {"br"}, "Content-Length": {"20"}},
	}, {
		name:   "identity kept",
		header: http.Header{"Content-Encoding": {"identity"}},
		want:   http.Header{"Content-Encoding": {"identity"}, "Content-Length": {"20"}},
	}, {
		name:   "line breaks in values neutralised",
		header: http.Header{"Etag": {"\"a\"\r\nX-Injected: 1\r\n\r\nWARC/1.1"}, "Link": {"<a>\n; rel=x\x00"}},
		want: http.Header{"Etag": {"\"a\"  X-Injected: 1    WARC/1.1"}, "Link": {"<a> ; rel=x"},
			"Content-Length": {"20"}},
	}, {
		name:   "invalid names dropped",
		header: http.Header{"Bad Name": {"x"}, "Bad\r\nName": {"y"}, "": {"z"}, "Good": {"ok"}},
		want:   http.Header{"Good": {"ok"}, "Content-Length": {"20"}},
	}, {
		name:   "names differing in case merged",
		header: http.Header{"x-a": {"1"}, "X-A": {"2"}},
		want:   http.Header{"X-A": {"2", "1"}, "Content-Length": {"20"}},
	}, {
		name:   "obs-text kept",
		header: http.Header{"Content-Disposition": {"attachment; filename=\"\xb8\xbd\xbc\xfe.pdf\""}},
		want:   http.Header{"Content-Disposition": {"attachment; filename=\"\xb8\xbd\xbc\xfe.pdf\""}, "Content-Length": {"20"}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exs := exchanges()[:1]
			exs[0].Body, exs[0].Header = body, tt.header
			exs[0].Request = http.Header{"X-Evil": {"a\r\nHost: other"}}
			recs := read(t, capture(t, exs))
			resp, got, err := recs[2].Response()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, body) {
				t.Errorf("body %q, want %q", got, body)
			}
			if diff := cmp.Diff(tt.want, resp.Header); diff != "" {
				t.Errorf("response header (-want +got):\n%s", diff)
			}
			req, err := recs[1].Request()
			if err != nil {
				t.Fatal(err)
			}
			if req.Host != "www.guizhou.gov.cn" || req.Header.Get("X-Evil") != "a  Host: other" {
				t.Errorf("request Host %q, X-Evil %q: a value broke its line", req.Host, req.Header.Get("X-Evil"))
			}
		})
	}
}

// TestCaptureTargets: the target URI and the request line are valid URI
// text whatever Go's lenient URL parser let through.
func TestCaptureTargets(t *testing.T) {
	tests := []struct {
		url, target, requestURI, host string
	}{
		{"http://example.org", "http://example.org", "/", "example.org"},
		{"http://example.org:8090/a/b.html?x=1&y=2#top", "http://example.org:8090/a/b.html?x=1&y=2", "/a/b.html?x=1&y=2", "example.org:8090"},
		{"http://example.org/a b/中文.html", "http://example.org/a%20b/%E4%B8%AD%E6%96%87.html", "/a%20b/%E4%B8%AD%E6%96%87.html", "example.org"},
		{"http://example.org/s?q=中文 x\"<>", "http://example.org/s?q=%E4%B8%AD%E6%96%87%20x%22%3C%3E", "/s?q=%E4%B8%AD%E6%96%87%20x%22%3C%3E", "example.org"},
		{"http://example.org/s?q=%E4%B8%AD&a=b/c", "http://example.org/s?q=%E4%B8%AD&a=b/c", "/s?q=%E4%B8%AD&a=b/c", "example.org"},
		{"http://政府.中国:8080/", "http://xn--mxtq1m.xn--fiqs8s:8080/", "/", "xn--mxtq1m.xn--fiqs8s:8080"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			exs := exchanges()[:1]
			exs[0].URL = tt.url
			recs := read(t, capture(t, exs))
			for _, r := range recs[1:] {
				if got := r.Get("WARC-Target-URI"); got != tt.target {
					t.Errorf("%s WARC-Target-URI %q, want %q", r.Get("WARC-Type"), got, tt.target)
				}
			}
			req, err := recs[1].Request()
			if err != nil {
				t.Fatal(err)
			}
			if req.RequestURI != tt.requestURI || req.Host != tt.host {
				t.Errorf("request %s Host %s, want %s Host %s", req.RequestURI, req.Host, tt.requestURI, tt.host)
			}
		})
	}
}

func TestCaptureRefuses(t *testing.T) {
	if _, err := warc.Capture(nil); !errors.Is(err, warc.ErrNoExchange) {
		t.Errorf("Capture(nil) = %v, want ErrNoExchange", err)
	}
	tests := []struct {
		name   string
		change func(*warc.Exchange)
		want   string
	}{
		{"relative url", func(e *warc.Exchange) { e.URL = "/a.html" }, "not an absolute http(s) URL"},
		{"ftp url", func(e *warc.Exchange) { e.URL = "ftp://example.org/a" }, "not an absolute http(s) URL"},
		{"bad url", func(e *warc.Exchange) { e.URL = "http://a b/" }, "url"},
		{"no fetch time", func(e *warc.Exchange) { e.FetchedAt = time.Time{} }, "no fetch time"},
		{"no status", func(e *warc.Exchange) { e.Status = 0 }, "status 0"},
		{"bad protocol", func(e *warc.Exchange) { e.Proto = "SPDY/3" }, "protocol"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exs := exchanges()
			tt.change(&exs[1])
			_, err := warc.Capture(exs)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "exchange 1") {
				t.Errorf("Capture = %v, want an error about exchange 1 with %q", err, tt.want)
			}
		})
	}
}

// TestCaptureDefaults: an exchange recorded before Proto and Request were
// kept still makes a valid file.
func TestCaptureDefaults(t *testing.T) {
	exs := exchanges()[:1]
	exs[0].Proto, exs[0].Request = "", nil
	recs := read(t, capture(t, exs))
	req, err := recs[1].Request()
	if err != nil {
		t.Fatal(err)
	}
	if req.Proto != "HTTP/1.1" || len(req.Header) != 0 {
		t.Errorf("request %s with headers %v, want HTTP/1.1 with Host only", req.Proto, req.Header)
	}
	if resp, _, err := recs[2].Response(); err != nil || resp.Proto != "HTTP/1.1" {
		t.Errorf("response %v, %v; want HTTP/1.1", resp, err)
	}
}

func FuzzCapture(f *testing.F) {
	f.Add([]byte("<html></html>"), "text/html", "/a?b=c")
	f.Add([]byte("\r\n\r\nWARC/1.1\r\n"), "x\r\ny: z", "/%zz")
	f.Add([]byte{0x1f, 0x8b, 0, 0xff}, "\x00\x7f\xff", "/\u4e2d")
	f.Fuzz(func(t *testing.T, body []byte, value, path string) {
		ex := exchanges()[0]
		ex.URL = "http://example.org" + path
		ex.Body, ex.Header = body, http.Header{"Content-Type": {value}}
		data, err := warc.Capture([]warc.Exchange{ex})
		if err != nil {
			return // a URL Capture refuses
		}
		recs, err := warctest.Read(data)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 3 {
			t.Fatalf("%d records, want 3", len(recs))
		}
		if _, err := recs[1].Request(); err != nil {
			t.Fatal(err)
		}
		resp, got, err := recs[2].Response()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, body) {
			t.Fatalf("body %q, want %q", got, body)
		}
		if strings.ContainsAny(resp.Header.Get("Content-Type"), "\r\n") {
			t.Fatalf("Content-Type %q holds a line break", resp.Header.Get("Content-Type"))
		}
		for _, r := range recs {
			if r.Get("WARC-Block-Digest") != warctest.SHA256(r.Block) {
				t.Fatalf("%s: block digest mismatch", r.Get("WARC-Type"))
			}
		}
	})
}
