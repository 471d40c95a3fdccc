package ledger_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/ledger"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/rs/zerolog"
)

func connect(t *testing.T, url string) *natsbus.Bus {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// A small inline limit sends the large test item by item claim (its
	// body stays in it, so the item claim is what the recorder must read;
	// a body claim it never reads: TestRecordedDecodesWhatFactOfReads).
	bus, err := natsbus.Connect(ctx, url, t.Name(), natsbus.Options{InlineLimit: 4 << 10, BodyInlineLimit: 1 << 20}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bus.Close)
	return bus
}

// publish sends n item events numbered from first, with a health event
// (not an item event, so never recorded) between them.
func publish(t *testing.T, bus *natsbus.Bus, first, n int) {
	t.Helper()
	ctx := context.Background()
	for i := first; i < first+n; i++ {
		id := fmt.Sprintf("%032x", i)
		ev := &syndicator.Event{Kind: syndicator.KindDiscovered, ID: id, Revision: 1, Source: "govcn", At: time.Now()}
		switch i % 3 {
		case 0:
			ev.Item = &syndicator.Item{ID: id, Source: "govcn", Title: fmt.Sprintf("关于生态保护的通知 %d", i), URL: "https://www.gov.cn/x/" + id}
			if i%2 == 0 {
				ev.Item.BodyText = strings.Repeat("正文", 4<<10) // claim-checked
			}
		case 1:
			ev.Kind = syndicator.KindDecided
			ev.Decision = &syndicator.Decision{Step: syndicator.StepRules, Class: syndicator.ClassSync, Rule: "生态", Publish: true}
		case 2:
			ev.Kind, ev.Sink, ev.Location = syndicator.KindPublished, "site", "/zcwj/t_"+id+".html"
		}
		if _, err := bus.Publish(ctx, ev); err != nil {
			t.Fatal(err)
		}
		if err := bus.PublishHealth(ctx, &syndicator.HealthEvent{Source: "govcn", State: "ok", At: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
}

// itemEvents returns the item events as stored: subject and digest in order.
func itemEvents(t *testing.T, bus *natsbus.Bus) (subjects, digests []string, evs []syndicator.Event) {
	t.Helper()
	err := bus.ReadAll(context.Background(), natsbus.StreamEvents, "synd.item.>", func(subject string, data []byte) error {
		sum := sha256.Sum256(data)
		subjects, digests = append(subjects, subject), append(digests, hex.EncodeToString(sum[:]))
		var ev syndicator.Event
		if err := json.Unmarshal(data, &ev); err != nil {
			return err
		}
		evs = append(evs, ev)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return subjects, digests, evs
}

// entries reads the live ledger and verifies it.
func entries(t *testing.T, bus *natsbus.Bus, anchors map[uint64]ledger.Anchor) ([]*ledger.Entry, ledger.Summary) {
	t.Helper()
	v := ledger.NewVerifier(ledger.VerifyOptions{Live: true, Anchors: anchors})
	var out []*ledger.Entry
	err := bus.ReadEntries(context.Background(), func(data []byte) error {
		e, err := v.Add(data)
		if err != nil {
			return err
		}
		out = append(out, e)
		return nil
	})
	if err != nil {
		t.Fatalf("live ledger: %v", err)
	}
	s, err := v.End()
	if err != nil {
		t.Fatalf("live ledger: %v", err)
	}
	return out, s
}

func waitEntries(t *testing.T, bus *natsbus.Bus, n uint64) {
	t.Helper()
	natstest.WaitFor(t, 30*time.Second, fmt.Sprintf("%d ledger entries", n), func() (bool, string) {
		data, _, err := bus.LastEntry(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var e ledger.Entry
		if data != nil {
			if err := json.Unmarshal(data, &e); err != nil {
				t.Fatal(err)
			}
		}
		return e.Seq >= n, fmt.Sprintf("%d entries", e.Seq)
	})
}

// runRecorder runs a recorder until the test ends or stop is called.
func runRecorder(t *testing.T, bus *natsbus.Bus) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ledger.NewRecorder(bus, bus, bus, zerolog.Nop()).Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("recorder: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Error("recorder did not stop within 10s of cancel")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func TestRecorderRecordsEveryItemEventInOrder(t *testing.T) {
	t.Parallel()
	bus := connect(t, natstest.Embedded(t))
	publish(t, bus, 0, 12)
	stop := runRecorder(t, bus)
	waitEntries(t, bus, 12)
	publish(t, bus, 12, 3) // recorded while following
	waitEntries(t, bus, 15)
	stop()

	subjects, digests, evs := itemEvents(t, bus)
	got, s := entries(t, bus, nil)
	if len(got) != 15 || s.Count != 15 || len(evs) != 15 {
		t.Fatalf("%d entries, %d item events, want 15", len(got), len(evs))
	}
	var lastEventSeq uint64
	for i, e := range got {
		ev := evs[i]
		if e.Seq != uint64(i+1) || e.Subject != subjects[i] || e.EventSHA256 != digests[i] || e.EventSeq <= lastEventSeq {
			t.Errorf("entry %d: seq %d subject %s digest %s event_seq %d; want subject %s digest %s", i, e.Seq, e.Subject, e.EventSHA256, e.EventSeq, subjects[i], digests[i])
		}
		lastEventSeq = e.EventSeq
		if e.Fact.Kind != ev.Kind || e.Fact.ID != ev.ID || e.Fact.Sink != ev.Sink || e.Fact.Location != ev.Location {
			t.Errorf("entry %d fact %+v does not match event %+v", i, e.Fact, ev)
		}
		if i%3 == 0 {
			want := fmt.Sprintf("关于生态保护的通知 %d", i)
			if e.Fact.Title != want {
				t.Errorf("entry %d title %q, want %q (claim-checked: %v)", i, e.Fact.Title, want, ev.ItemRef != "")
			}
		}
		if i%3 == 1 && (e.Fact.Class != syndicator.ClassSync || !e.Fact.Publish || e.Fact.Step != syndicator.StepRules) {
			t.Errorf("entry %d decision facts %+v", i, e.Fact)
		}
	}
	if evs[0].ItemRef == "" {
		t.Error("test item 0 was not claim-checked; the claim-check path is untested")
	}
}

func TestTwoRecordersKeepOneChain(t *testing.T) {
	t.Parallel()
	url := natstest.Embedded(t)
	pub := connect(t, url)
	busA, busB := connect(t, url), connect(t, url)
	publish(t, pub, 0, 40)
	runRecorder(t, busA)
	runRecorder(t, busB)
	publish(t, pub, 40, 80)
	waitEntries(t, pub, 120)
	time.Sleep(200 * time.Millisecond) // let a late loser try to append more
	_, digests, _ := itemEvents(t, pub)
	got, _ := entries(t, pub, nil)
	if len(got) != len(digests) {
		t.Fatalf("%d entries for %d events", len(got), len(digests))
	}
	for i, e := range got {
		if e.EventSHA256 != digests[i] {
			t.Fatalf("entry %d records event %s, want %s (skipped or repeated event)", e.Seq, e.EventSHA256, digests[i])
		}
	}
}

func TestRecorderResumesWithoutDuplicates(t *testing.T) {
	t.Parallel()
	url := natstest.Embedded(t)
	bus := connect(t, url)
	publish(t, bus, 0, 5)
	stop := runRecorder(t, bus)
	waitEntries(t, bus, 5)
	stop()
	publish(t, bus, 5, 5)
	runRecorder(t, connect(t, url))
	waitEntries(t, bus, 10)
	time.Sleep(100 * time.Millisecond)
	_, digests, _ := itemEvents(t, bus)
	got, _ := entries(t, bus, nil)
	if len(got) != 10 || len(digests) != 10 {
		t.Fatalf("%d entries for %d events after restart, want 10", len(got), len(digests))
	}
	for i, e := range got {
		if e.EventSHA256 != digests[i] {
			t.Errorf("entry %d records %s, want %s", e.Seq, e.EventSHA256, digests[i])
		}
	}
}

func TestAnchorWrittenOncePerHead(t *testing.T) {
	t.Parallel()
	bus := connect(t, natstest.Embedded(t))
	store := newMemAnchors()
	ctx := context.Background()

	anc := ledger.NewAnchorer(bus, store, bus, 10*time.Millisecond, zerolog.Nop())
	if _, created, err := anc.AnchorNow(ctx); err != nil || created {
		t.Fatalf("empty ledger anchored: created=%v err=%v", created, err)
	}
	publish(t, bus, 0, 4)
	stop := runRecorder(t, bus)
	waitEntries(t, bus, 4)

	// ~15 ticks on an unchanged head, twice. The anchorer is stopped while
	// entries 5 and 6 are recorded, or it could anchor head 5 between them.
	tick := func(head uint64) {
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- anc.Run(runCtx) }()
		natstest.WaitFor(t, 10*time.Second, fmt.Sprintf("head %d anchored", head), func() (bool, string) {
			anchors, err := ledger.LoadAnchors(ctx, bus, store)
			if err != nil {
				t.Fatal(err)
			}
			_, ok := anchors[head]
			return ok, fmt.Sprintf("%d anchors", len(anchors))
		})
		time.Sleep(150 * time.Millisecond)
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	tick(4)
	publish(t, bus, 4, 2)
	waitEntries(t, bus, 6)
	stop()
	tick(6)
	// A second anchorer (another instance) finds the object there.
	if _, created, err := ledger.NewAnchorer(bus, store, bus, 0, zerolog.Nop()).AnchorNow(ctx); err != nil || created {
		t.Fatalf("second instance: created=%v err=%v", created, err)
	}

	files := store.keys("audit/anchors/")
	if len(files) != 2 {
		t.Fatalf("anchor files %v, want one for head 4 and one for head 6", files)
	}
	anchors, err := ledger.LoadAnchors(ctx, bus, store)
	if err != nil {
		t.Fatal(err)
	}
	got, s := entries(t, bus, anchors)
	if len(anchors) != 2 || anchors[4].Hash != got[3].Hash || anchors[6].Hash != got[5].Hash || s.Anchors != 2 {
		t.Fatalf("anchors %+v, summary %+v", anchors, s)
	}
	if !strings.HasPrefix(anchors[6].Key, "audit/anchors/") || !strings.HasSuffix(anchors[6].Key, fmt.Sprintf("%012d-%s.json", 6, got[5].Hash[:16])) {
		t.Errorf("anchor key %s", anchors[6].Key)
	}
	// An anchor removed from the archive is reported.
	store.remove(files[0])
	if _, err := ledger.LoadAnchors(ctx, bus, store); err == nil || !strings.Contains(err.Error(), "无法从存档读取锚点") {
		t.Fatalf("missing anchor object: %v", err)
	}
}
