package archive_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gyeco/syndicator/sinks/archive"
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
	return &env{bus: bus, store: store, sink: archive.New(store, bus, zerolog.Nop())}
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
// the item inline, the capture describing the original.
func (e *env) discovered(t *testing.T, path string) capture {
	t.Helper()
	ctx := context.Background()
	url := "http://127.0.0.1:8090/guizhou/zwgk/zcfg/szfwj/qff/202609/" + path
	original := []byte(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>关于印发方案的通知</title></head>` +
		`<body><div id="Zoom"><p>各市（州）人民政府：` + path + `</p><p><a href="./P020260901.pdf">附件</a></p></div></body></html>`)
	attachment := []byte("%PDF-1.4\n% attachment of " + path + "\n%%EOF\n")
	if err := e.bus.PutClaim(ctx, syndicator.CaptureRef(sha256Hex(original)), original); err != nil {
		t.Fatal(err)
	}
	if err := e.bus.PutClaim(ctx, syndicator.AttachmentRef(sha256Hex(attachment)), attachment); err != nil {
		t.Fatal(err)
	}
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
			Ref: syndicator.CaptureRef(sha256Hex(original)), URL: url, Status: 200,
			Header:    map[string][]string{"Content-Type": {"text/html; charset=utf-8"}, "Etag": {`"abc"`}},
			FetchedAt: fetched, SHA256: sha256Hex(original), Size: int64(len(original)), Charset: "utf-8",
		},
	}
	return capture{ev: ev, original: original, attachment: attachment}
}

// archived returns the archived events of item id.
func (e *env) archived(t *testing.T, id string) []syndicator.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var evs []syndicator.Event
	err := e.bus.ReadAll(ctx, natsbus.StreamEvents, "synd.item.archived.>", func(_ string, data []byte) error {
		var ev syndicator.Event
		if err := json.Unmarshal(data, &ev); err != nil {
			return err
		}
		if ev.ID == id {
			evs = append(evs, ev)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
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

func (e *env) handle(ev *syndicator.Event) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return e.sink.Handle(ctx, ev, 1)
}

func TestHandleArchivesTheRevision(t *testing.T) {
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
	wantKeys := []string{attKey, prefix + "original.html", prefix + "response.json", prefix + "item.json"}
	if diff := cmp.Diff(wantKeys, ev.ArchiveKeys); diff != "" {
		t.Errorf("archive_keys (-want +got):\n%s", diff)
	}
	if got := ev.Item.Attachments[0].ArchiveKey; got != attKey {
		t.Errorf("archived event's attachment archive_key %q, want %q", got, attKey)
	}

	t.Run("redelivery", func(t *testing.T) {
		itemJSON := e.get(t, prefix+"item.json")
		if err := e.handle(c.ev); err != nil {
			t.Fatalf("Handle again: %v", err)
		}
		if got := len(e.archived(t, c.ev.ID)); got != 1 {
			t.Errorf("%d archived events after redelivery, want 1", got)
		}
		if got := e.get(t, prefix+"item.json"); !bytes.Equal(got, itemJSON) {
			t.Error("redelivery changed item.json")
		}
	})
}

// TestHandleCompletesAHalfWrittenRevision: a crash after the first object
// leaves original.html alone; the redelivery writes the rest.
func TestHandleCompletesAHalfWrittenRevision(t *testing.T) {
	e := newEnv(t)
	c := e.discovered(t, "t20260901_2.html")
	prefix := c.ev.Item.ArchivePrefix()
	if _, err := e.store.PutNew(context.Background(), prefix+"original.html", c.original, "text/html"); err != nil {
		t.Fatal(err)
	}
	if err := e.handle(c.ev); err != nil {
		t.Fatalf("Handle: %v", err)
	}
	for _, name := range []string{"original.html", "response.json", "item.json"} {
		if ok, err := e.store.Exists(context.Background(), prefix+name); !ok || err != nil {
			t.Errorf("%s: exists %v, err %v", name, ok, err)
		}
	}
	if got := len(e.archived(t, c.ev.ID)); got != 1 {
		t.Errorf("%d archived events, want 1", got)
	}
}

func TestHandleRefusesBadEvidence(t *testing.T) {
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
			c.ev.Capture.Ref, c.ev.Capture.SHA256 = syndicator.CaptureRef(sha256Hex(missing)), sha256Hex(missing)
		}, nil, nil},
		{"attachment claim missing", func(t *testing.T, c *capture) {
			c.ev.Item.Attachments[0].SHA256 = sha256Hex([]byte("never stored"))
		}, nil, nil},
		{"no capture", func(t *testing.T, c *capture) { c.ev.Capture = nil }, nil, nil},
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
