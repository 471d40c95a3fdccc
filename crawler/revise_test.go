package crawler_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/crawler"
	"github.com/gyeco/syndicator/crawler/extract"
	"github.com/gyeco/syndicator/crawler/fetch"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/rs/zerolog"
)

// TestReplacedAttachmentIsARevision: the same attachment link serving new
// bytes makes the item's next re-read announce revision 2, its original
// claim-checked under the item and revision; an unchanged re-read
// announces nothing and stores nothing in the claim-check store.
func TestReplacedAttachmentIsARevision(t *testing.T) {
	t.Parallel()
	h := newHarness(t, sim.Options{Seed: 47, Items: 10, LargeEvery: -1})
	var target sim.Release
	for _, r := range releasesOf(h.sim, sim.GovCN) {
		if len(r.Attachments) > 0 {
			target = r
		}
	}
	if target.Path == "" {
		t.Fatal("no gov.cn release with an attachment")
	}
	var replaced atomic.Bool
	h.faults.setNext(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if replaced.Load() && r.URL.Path == target.Attachments[0].Path {
			w.Header().Set("Content-Type", "application/pdf")
			w.Write([]byte("%PDF-1.4\n% corrected version\n%%EOF\n"))
			return
		}
		rec := httptest.NewRecorder()
		h.sim.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(bytes.Clone(rec.Body.Bytes()))
	}))
	f, err := fetch.New(fetch.Options{AllowPrivate: []string{h.host}, BackoffBase: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	pub := &claimCounter{Bus: h.bus}
	c := crawler.New(source(t, govcnSource, "gov", h.srv.URL), crawler.Deps{
		Fetch: f, Extract: extract.New(nil), Pub: pub, State: h.bus, Leases: h.bus,
		Owner: "o", Recheck: time.Nanosecond, Log: zerolog.Nop(),
	})
	first := poll(t, c)
	if first.New == 0 {
		t.Fatalf("first poll: %+v", first)
	}
	kept := pub.puts.Load()
	if kept == 0 {
		t.Fatal("the first poll kept no claim")
	}
	if res := poll(t, c); res.Revised != 0 {
		t.Fatalf("unchanged re-read: %+v, want no revision", res)
	}
	if got := pub.puts.Load(); got != kept {
		t.Errorf("an unchanged re-read stored %d claims, want none", got-kept)
	}
	replaced.Store(true)
	if res := poll(t, c); res.Revised != 1 {
		t.Fatalf("after replacing the attachment: %+v, want 1 revision", res)
	}
	var revised []string
	readAll(t, h.bus, "synd.item.revised.gov", func(data []byte) error {
		revised = append(revised, string(data))
		return nil
	})
	id := syndicator.ItemID(h.canonical(t, target))
	if len(revised) != 1 || !bytes.Contains([]byte(revised[0]), []byte(`"id":"`+id+`"`)) || !bytes.Contains([]byte(revised[0]), []byte(`"revision":2`)) {
		t.Fatalf("revised events: %d, want one for %s at revision 2", len(revised), target.Path)
	}
	var ev syndicator.Event
	if err := json.Unmarshal([]byte(revised[0]), &ev); err != nil {
		t.Fatal(err)
	}
	if want := syndicator.CaptureRef(id, 2, ev.Capture.SHA256); ev.Capture.Ref != want {
		t.Errorf("revision 2's original claim-checked as %q, want %q", ev.Capture.Ref, want)
	}
	if _, err := h.bus.GetClaim(context.Background(), ev.Capture.Ref); err != nil {
		t.Errorf("revision 2's original: %v", err)
	}
	// The first poll was the source's baseline; the revision stays one.
	if len(revised) == 1 && !bytes.Contains([]byte(revised[0]), []byte(`"baseline":true`)) {
		t.Errorf("revision of a baseline item not marked baseline: %s", revised[0])
	}
	if res := poll(t, c); res.Revised != 0 {
		t.Errorf("re-read after the revision: %+v, want none", res)
	}
}

// claimCounter counts the claims a crawler stores.
type claimCounter struct {
	*natsbus.Bus
	puts atomic.Int64
}

func (c *claimCounter) PutClaim(ctx context.Context, name string, data []byte) error {
	c.puts.Add(1)
	return c.Bus.PutClaim(ctx, name, data)
}

// TestRemovedPageIsFlaggedOnceAfterThreeReads: a detail page answering 410
// is announced as gone (for review) on the third re-read in a row, once;
// nothing else is announced for it.
func TestRemovedPageIsFlaggedOnceAfterThreeReads(t *testing.T) {
	t.Parallel()
	h := newHarness(t, sim.Options{Seed: 47, Items: 4, LargeEvery: -1})
	target := releasesOf(h.sim, sim.GovCN)[0]
	f, err := fetch.New(fetch.Options{AllowPrivate: []string{h.host}, BackoffBase: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	c := crawler.New(source(t, govcnSource, "gov", h.srv.URL), crawler.Deps{
		Fetch: f, Extract: extract.New(nil), Pub: h.bus, State: h.bus, Leases: h.bus,
		Owner: "o", Recheck: time.Nanosecond, Log: zerolog.Nop(),
	})
	if first := poll(t, c); first.New == 0 {
		t.Fatalf("first poll: %+v", first)
	}
	if err := h.sim.Remove(target.Path, http.StatusGone); err != nil {
		t.Fatal(err)
	}
	gone := func() []syndicator.Event {
		var evs []syndicator.Event
		readAll(t, h.bus, "synd.item.validity.gov", func(data []byte) error {
			var ev syndicator.Event
			if err := json.Unmarshal(data, &ev); err != nil {
				return err
			}
			evs = append(evs, ev)
			return nil
		})
		return evs
	}
	for i := 1; i <= 2; i++ {
		poll(t, c)
		if n := len(gone()); n != 0 {
			t.Fatalf("flagged after %d re-reads", i)
		}
	}
	for range 3 {
		poll(t, c)
	}
	evs := gone()
	id := syndicator.ItemID(h.canonical(t, target))
	if len(evs) != 1 || evs[0].ID != id || evs[0].Validity == nil || !evs[0].Validity.Gone ||
		evs[0].Validity.Status != http.StatusGone || evs[0].Validity.Polls != 3 {
		t.Fatalf("gone events = %+v", evs)
	}
}
