package archive_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gyeco/syndicator/sinks/archive"
	"github.com/gyeco/syndicator/sinks/archive/warc/warctest"
	"github.com/gyeco/syndicator/sinks/blob"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/rs/zerolog"
)

type env struct {
	bus   *natsbus.Bus
	store *blob.FS
	sink  *archive.Sink
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	bus, err := natsbus.Connect(ctx, natstest.Embedded(t), "archive-test", natsbus.Options{}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bus.Close)
	store := blob.NewFS(t.TempDir())
	return &env{bus: bus, store: store, sink: archive.New(store, bus, bus, zerolog.Nop())}
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// capture is what a crawler would have captured for one page.
type capture struct {
	ev         *syndicator.Event
	original   []byte
	attachment []byte
}

// discovered builds a discovered event for the page at path the way the
// crawler does: original and attachment bytes in the claim-check store,
// the item inline, the captures describing the original and the
// attachment download.
func (e *env) discovered(t *testing.T, path string) capture {
	t.Helper()
	url := "http://127.0.0.1:8090/guizhou/zwgk/zcfg/szfwj/qff/202609/" + path
	original := []byte(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>关于印发方案的通知</title></head>` +
		`<body><div id="Zoom"><p>各市（州）人民政府：` + path + `</p><p><a href="./P020260901.pdf">附件</a></p></div></body></html>`)
	attachment := []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n% attachment of " + path + "\r\n\r\nWARC/1.1\r\n\x00\x1f\x8b\n%%EOF\n")
	published := time.Date(2026, 9, 1, 10, 30, 0, 0, syndicator.Shanghai)
	fetched := time.Date(2026, 9, 1, 3, 0, 0, 0, time.UTC)
	id := syndicator.ItemID(url)
	it := &syndicator.Item{
		ID: id, Source: "guizhou-szfwj", Level: syndicator.LevelProvincial, URL: url,
		Title: "省人民政府关于印发方案的通知", DocNumber: "黔府发〔2026〕3号", Issuer: "贵州省人民政府",
		PublishedAt: published, PublishedPrecision: syndicator.PrecisionMinute, Validity: syndicator.ValidityEffective,
		BodyHTML: "<p>各市（州）人民政府：</p>", BodyText: "各市（州）人民政府：",
		Attachments: []syndicator.Attachment{{
			Name: "附件", URL: "http://127.0.0.1:8090/guizhou/zwgk/zcfg/szfwj/qff/202609/P020260901.pdf",
			SHA256: sha256Hex(attachment), Size: int64(len(attachment)), ContentType: "application/pdf",
		}, {
			Name: "未取得的附件", URL: "http://127.0.0.1:8090/gone.pdf", Error: "fetch: HTTP 404",
		}},
		Revision: 1, Column: "zcwj", FetchedAt: fetched, DiscoveredAt: fetched,
	}
	it.ContentSHA256 = syndicator.ContentSHA256(it)
	ev := &syndicator.Event{
		Kind: syndicator.KindDiscovered, ID: id, Revision: 1, Source: it.Source, At: fetched, Item: it,
		Capture: &syndicator.Capture{
			Ref: syndicator.CaptureRef(id, 1, sha256Hex(original)), URL: url, Status: 200, Proto: "HTTP/1.1",
			Header:    map[string][]string{"Content-Type": {"text/html; charset=utf-8"}, "Etag": {`"abc"`}},
			Request:   map[string][]string{"User-Agent": {"syndicator/1.0"}, "Accept-Language": {"zh-CN,zh;q=0.9"}},
			FetchedAt: fetched, SHA256: sha256Hex(original), Size: int64(len(original)), Charset: "utf-8",
		},
		Attachments: []syndicator.Capture{{
			Ref: syndicator.AttachmentRef(sha256Hex(attachment)), URL: it.Attachments[0].URL, Status: 200, Proto: "HTTP/1.1",
			Header:    map[string][]string{"Content-Type": {"application/pdf"}},
			Request:   map[string][]string{"User-Agent": {"syndicator/1.0"}, "Accept-Language": {"zh-CN,zh;q=0.9"}},
			FetchedAt: fetched.Add(2 * time.Second), SHA256: sha256Hex(attachment), Size: int64(len(attachment)),
		}},
	}
	c := capture{ev: ev, original: original, attachment: attachment}
	e.claim(t, c)
	return c
}

// claim puts c's bytes in the claim-check store, as the crawler does
// before announcing it (and as it was before the archive deleted them).
func (e *env) claim(t *testing.T, c capture) {
	t.Helper()
	ctx := context.Background()
	if err := e.bus.PutClaim(ctx, c.ev.Capture.Ref, c.original); err != nil {
		t.Fatal(err)
	}
	if err := e.bus.PutClaim(ctx, syndicator.AttachmentRef(sha256Hex(c.attachment)), c.attachment); err != nil {
		t.Fatal(err)
	}
}

// archived returns the archived events of item id.
func (e *env) archived(t *testing.T, id string) []syndicator.Event {
	t.Helper()
	var evs []syndicator.Event
	for _, ev := range natstest.Events(t, e.bus, "synd.item.archived.>") {
		if ev.ID == id {
			evs = append(evs, ev)
		}
	}
	return evs
}

func (e *env) get(t *testing.T, key string) []byte {
	t.Helper()
	data, err := e.store.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("archive %s: %v", key, err)
	}
	return data
}

// checkCapture reads prefix's capture.warc.gz with the independent reader
// and checks it against the event and the other archived objects: a
// warcinfo record, then a request and a response for the page and for
// every captured attachment, paired, aimed at the captured URLs, with
// digests that match, and bodies that are the archived bytes.
func (e *env) checkCapture(t *testing.T, ev *syndicator.Event, prefix string) {
	t.Helper()
	recs, err := warctest.Read(e.get(t, prefix+"capture.warc.gz"))
	if err != nil {
		t.Fatalf("capture.warc.gz: %v", err)
	}
	captures := append([]syndicator.Capture{*ev.Capture}, ev.Attachments...)
	wantTypes := []string{"warcinfo"}
	for range captures {
		wantTypes = append(wantTypes, "request", "response")
	}
	var types []string
	for i, r := range recs {
		types = append(types, r.Get("WARC-Type"))
		if r.Version != "WARC/1.1" {
			t.Errorf("record %d: version %q", i, r.Version)
		}
		if got, want := r.Get("WARC-Block-Digest"), warctest.SHA256(r.Block); got != want {
			t.Errorf("record %d: WARC-Block-Digest %s, want %s", i, got, want)
		}
	}
	if diff := cmp.Diff(wantTypes, types); diff != "" {
		t.Fatalf("record types (-want +got):\n%s", diff)
	}
	if !bytes.Contains(recs[0].Block, []byte("software: syndicator\r\n")) {
		t.Errorf("warcinfo block %q does not name the software", recs[0].Block)
	}
	for i, c := range captures {
		req, resp := recs[1+2*i], recs[2+2*i]
		if req.Get("WARC-Concurrent-To") != resp.Get("WARC-Record-ID") || resp.Get("WARC-Concurrent-To") != req.Get("WARC-Record-ID") {
			t.Errorf("capture %d: request %s and response %s do not name each other",
				i, req.Get("WARC-Record-ID"), resp.Get("WARC-Record-ID"))
		}
		for _, r := range []warctest.Record{req, resp} {
			if got := r.Get("WARC-Target-URI"); got != c.URL {
				t.Errorf("capture %d %s: WARC-Target-URI %q, want %q", i, r.Get("WARC-Type"), got, c.URL)
			}
			if got, want := r.Get("WARC-Date"), c.FetchedAt.UTC().Format(time.RFC3339Nano); got != want {
				t.Errorf("capture %d %s: WARC-Date %q, want %q", i, r.Get("WARC-Type"), got, want)
			}
		}
		if _, err := req.Request(); err != nil {
			t.Errorf("capture %d: %v", i, err)
		}
		hresp, body, err := resp.Response()
		if err != nil {
			t.Fatalf("capture %d: %v", i, err)
		}
		if hresp.StatusCode != c.Status {
			t.Errorf("capture %d: status %d, want %d", i, hresp.StatusCode, c.Status)
		}
		if got, want := resp.Get("WARC-Payload-Digest"), warctest.SHA256(body); got != want {
			t.Errorf("capture %d: WARC-Payload-Digest %s, body digest %s", i, got, want)
		}
		if got := sha256Hex(body); got != c.SHA256 {
			t.Errorf("capture %d: body sha256 %s, capture says %s", i, got, c.SHA256)
		}
		archived := prefix + "original.html"
		if i > 0 {
			archived = "attachments/" + c.SHA256
		}
		if !bytes.Equal(body, e.get(t, archived)) {
			t.Errorf("capture %d: response body differs from %s", i, archived)
		}
	}
}

func (e *env) handle(ev *syndicator.Event) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return e.sink.Handle(ctx, ev, 1)
}

func TestHandleArchivesTheRevision(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.discovered(t, "t20260901_1.html")
	if err := e.handle(c.ev); err != nil {
		t.Fatalf("Handle: %v", err)
	}
	prefix := "guizhou-szfwj/2026/09/" + c.ev.ID + "/r1/"
	attKey := "attachments/" + sha256Hex(c.attachment)

	if got := e.get(t, prefix+"original.html"); !bytes.Equal(got, c.original) {
		t.Errorf("original.html differs from the bytes served:\n got %q\nwant %q", got, c.original)
	}
	if got := e.get(t, attKey); !bytes.Equal(got, c.attachment) {
		t.Errorf("%s = %q, want the attachment bytes", attKey, got)
	}
	var resp archive.Response
	if err := json.Unmarshal(e.get(t, prefix+"response.json"), &resp); err != nil {
		t.Fatal(err)
	}
	wantResp := archive.Response{
		URL: c.ev.Capture.URL, Status: 200, Header: c.ev.Capture.Header, FetchedAt: c.ev.Capture.FetchedAt,
		SHA256: sha256Hex(c.original), Size: int64(len(c.original)), Charset: "utf-8",
	}
	if diff := cmp.Diff(wantResp, resp); diff != "" {
		t.Errorf("response.json (-want +got):\n%s", diff)
	}
	var it syndicator.Item
	if err := json.Unmarshal(e.get(t, prefix+"item.json"), &it); err != nil {
		t.Fatal(err)
	}
	wantItem := *c.ev.Item
	wantItem.Attachments = append([]syndicator.Attachment(nil), c.ev.Item.Attachments...)
	wantItem.Attachments[0].ArchiveKey = attKey
	if diff := cmp.Diff(wantItem, it); diff != "" {
		t.Errorf("item.json (-want +got):\n%s", diff)
	}
	if c.ev.Item.Attachments[0].ArchiveKey != "" {
		t.Error("Handle changed the event's item")
	}

	evs := e.archived(t, c.ev.ID)
	if len(evs) != 1 {
		t.Fatalf("%d archived events, want 1", len(evs))
	}
	ev := evs[0]
	if ev.Kind != syndicator.KindArchived || ev.Revision != 1 || ev.Source != "guizhou-szfwj" || ev.Item == nil {
		t.Fatalf("archived event %+v, want kind archived, r1, source guizhou-szfwj, with item", ev)
	}
	wantKeys := []string{attKey, prefix + "original.html", prefix + "response.json", prefix + "capture.warc.gz", prefix + "item.json"}
	if diff := cmp.Diff(wantKeys, ev.ArchiveKeys); diff != "" {
		t.Errorf("archive_keys (-want +got):\n%s", diff)
	}
	if got := ev.Item.Attachments[0].ArchiveKey; got != attKey {
		t.Errorf("archived event's attachment archive_key %q, want %q", got, attKey)
	}

	e.checkCapture(t, c.ev, prefix)

	t.Run("redelivery", func(t *testing.T) {
		itemJSON, warcGz := e.get(t, prefix+"item.json"), e.get(t, prefix+"capture.warc.gz")
		if err := e.handle(c.ev); err != nil {
			t.Fatalf("Handle again: %v", err)
		}
		if got := len(e.archived(t, c.ev.ID)); got != 1 {
			t.Errorf("%d archived events after redelivery, want 1", got)
		}
		if got := e.get(t, prefix+"item.json"); !bytes.Equal(got, itemJSON) {
			t.Error("redelivery changed item.json")
		}
		if got := e.get(t, prefix+"capture.warc.gz"); !bytes.Equal(got, warcGz) {
			t.Error("redelivery changed capture.warc.gz")
		}
	})
}

// TestHandleCompletesAHalfWrittenRevision: a crash after the first object
// leaves original.html alone; the redelivery writes the rest.
func TestHandleCompletesAHalfWrittenRevision(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.discovered(t, "t20260901_2.html")
	prefix := c.ev.Item.ArchivePrefix()
	if _, err := e.store.PutNew(context.Background(), prefix+"original.html", c.original, "text/html"); err != nil {
		t.Fatal(err)
	}
	if err := e.handle(c.ev); err != nil {
		t.Fatalf("Handle: %v", err)
	}
	for _, name := range []string{"original.html", "response.json", "capture.warc.gz", "item.json"} {
		if ok, err := e.store.Exists(context.Background(), prefix+name); !ok || err != nil {
			t.Errorf("%s: exists %v, err %v", name, ok, err)
		}
	}
	if got := len(e.archived(t, c.ev.ID)); got != 1 {
		t.Errorf("%d archived events, want 1", got)
	}
}

func TestHandleRefusesBadEvidence(t *testing.T) {
	t.Parallel()
	e := newEnv(t) // cases use distinct items on one bus and store
	tests := []struct {
		name    string
		corrupt func(t *testing.T, c *capture)
		// kept is an object that must hold these bytes after the failure.
		kept func(c *capture) (key string, data []byte)
		is   error // also in the error chain, when set
	}{
		{"capture sha256 differs from the event", func(t *testing.T, c *capture) {
			c.ev.Capture.SHA256 = sha256Hex([]byte("other bytes"))
		}, nil, nil},
		{"capture claim missing", func(t *testing.T, c *capture) {
			missing := []byte("never stored")
			c.ev.Capture.Ref, c.ev.Capture.SHA256 = syndicator.CaptureRef(c.ev.ID, 1, sha256Hex(missing)), sha256Hex(missing)
		}, nil, nil},
		{"attachment claim missing", func(t *testing.T, c *capture) {
			c.ev.Item.Attachments[0].SHA256 = sha256Hex([]byte("never stored"))
		}, nil, nil},
		{"no capture", func(t *testing.T, c *capture) { c.ev.Capture = nil }, nil, nil},
		{"attachment capture sha256 differs from its claim", func(t *testing.T, c *capture) {
			c.ev.Attachments[0].SHA256 = sha256Hex([]byte("other bytes"))
		}, nil, nil},
		{"attachment capture claim missing", func(t *testing.T, c *capture) {
			missing := []byte("never stored")
			c.ev.Attachments = append(c.ev.Attachments, syndicator.Capture{
				Ref: syndicator.AttachmentRef(sha256Hex(missing)), URL: "http://127.0.0.1:8090/b.pdf", Status: 200,
				FetchedAt: c.ev.Capture.FetchedAt, SHA256: sha256Hex(missing),
			})
		}, nil, nil},
		{"attachment capture unrecordable", func(t *testing.T, c *capture) {
			c.ev.Attachments[0].URL = "/relative.pdf"
		}, nil, nil},
		{"different capture already archived", func(t *testing.T, c *capture) {
			key := c.ev.Item.ArchivePrefix() + "capture.warc.gz"
			if _, err := e.store.PutNew(context.Background(), key, gzipped(t, []byte("WARC/1.1\r\n")), "application/gzip"); err != nil {
				t.Fatal(err)
			}
		}, func(c *capture) (string, []byte) {
			return c.ev.Item.ArchivePrefix() + "capture.warc.gz", gzipped(t, []byte("WARC/1.1\r\n"))
		}, blob.ErrConflict},
		{"different original already archived", func(t *testing.T, c *capture) {
			key := c.ev.Item.ArchivePrefix() + "original.html"
			if _, err := e.store.PutNew(context.Background(), key, []byte("an earlier, different page"), "text/html"); err != nil {
				t.Fatal(err)
			}
		}, func(c *capture) (string, []byte) {
			return c.ev.Item.ArchivePrefix() + "original.html", []byte("an earlier, different page")
		}, blob.ErrConflict},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := e.discovered(t, fmt.Sprintf("t20260902_%d.html", i))
			tt.corrupt(t, &c)
			err := e.handle(c.ev)
			if !syndicator.IsPermanent(err) {
				t.Errorf("Handle = %v, want a permanent error", err)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("Handle = %v, want %v in the chain", err, tt.is)
			}
			if tt.kept != nil {
				key, want := tt.kept(&c)
				if got := e.get(t, key); !bytes.Equal(got, want) {
					t.Errorf("%s = %q after the refusal, want it unchanged: %q", key, got, want)
				}
			}
			if ok, _ := e.store.Exists(context.Background(), c.ev.Item.ArchivePrefix()+"item.json"); ok {
				t.Error("item.json written for a refused revision")
			}
			if got := len(e.archived(t, c.ev.ID)); got != 0 {
				t.Errorf("%d archived events for a refused revision, want 0", got)
			}
		})
	}
}

// TestHandleCaptureIsDeterministic: the same event archived into two
// stores gives the same capture.warc.gz, so a redelivery after the first
// store lost nothing writes what a write-once bucket already holds.
func TestHandleCaptureIsDeterministic(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.discovered(t, "t20260903_1.html")
	other := blob.NewFS(t.TempDir())
	for _, sink := range []*archive.Sink{e.sink, archive.New(other, e.bus, e.bus, zerolog.Nop())} {
		e.claim(t, c) // the first took them away
		if err := sink.Handle(context.Background(), c.ev, 1); err != nil {
			t.Fatalf("Handle: %v", err)
		}
	}
	key := c.ev.Item.ArchivePrefix() + "capture.warc.gz"
	again, err := other.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(e.get(t, key), again) {
		t.Error("the same event gave two different capture.warc.gz")
	}
}

// TestHandleArchivesAnOlderEvent: an event from before attachment captures,
// request headers and protocol were recorded gets a WARC of the page alone.
func TestHandleArchivesAnOlderEvent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.discovered(t, "t20260903_2.html")
	c.ev.Attachments, c.ev.Capture.Proto, c.ev.Capture.Request = nil, "", nil
	if err := e.handle(c.ev); err != nil {
		t.Fatalf("Handle: %v", err)
	}
	e.checkCapture(t, c.ev, c.ev.Item.ArchivePrefix())
	if got := len(e.archived(t, c.ev.ID)); got != 1 {
		t.Errorf("%d archived events, want 1", got)
	}
}

// TestHandleAcceptsARecompressedCapture: a capture.warc.gz holding the same
// records compressed differently (an older build's gzip) is the same
// evidence; the redelivery succeeds and leaves it as it is.
func TestHandleAcceptsARecompressedCapture(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.discovered(t, "t20260903_3.html")
	if err := e.handle(c.ev); err != nil {
		t.Fatalf("Handle: %v", err)
	}
	key := c.ev.Item.ArchivePrefix() + "capture.warc.gz"
	older := recompress(t, e.get(t, key))
	if bytes.Equal(older, e.get(t, key)) {
		t.Fatal("recompressing gave the same bytes; the test proves nothing")
	}

	store := blob.NewFS(t.TempDir())
	if _, err := store.PutNew(context.Background(), key, older, "application/gzip"); err != nil {
		t.Fatal(err)
	}
	e.claim(t, c) // the first handling took them away
	if err := archive.New(store, e.bus, e.bus, zerolog.Nop()).Handle(context.Background(), c.ev, 2); err != nil {
		t.Fatalf("Handle with a recompressed capture in place: %v", err)
	}
	if got, _ := store.Get(context.Background(), key); !bytes.Equal(got, older) {
		t.Error("the stored capture.warc.gz was replaced")
	}
	if ok, err := store.Exists(context.Background(), c.ev.Item.ArchivePrefix()+"item.json"); !ok || err != nil {
		t.Errorf("item.json: exists %v, err %v", ok, err)
	}
}

func gzipped(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// recompress rewrites every gzip member of data at another level.
func recompress(t *testing.T, data []byte) []byte {
	t.Helper()
	br := bufio.NewReader(bytes.NewReader(data))
	zr, err := gzip.NewReader(br)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	for {
		zr.Multistream(false)
		member, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		zw, _ := gzip.NewWriterLevel(&out, gzip.NoCompression)
		if _, err := zw.Write(member); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		if err := zr.Reset(br); err == io.EOF {
			return out.Bytes()
		} else if err != nil {
			t.Fatal(err)
		}
	}
}
