package archive_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/gyeco/syndicator/sinks/archive"
	"github.com/gyeco/syndicator/sinks/blob"
	"github.com/gyeco/syndicator/sinks/sinktest"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/rs/zerolog"
)

// failingStore is a blob.FS whose PutNew fails when its fault is armed.
type failingStore struct {
	*blob.FS
	fault sinktest.Fault
}

func (s *failingStore) PutNew(ctx context.Context, key string, data []byte, contentType string) (bool, error) {
	if err := s.fault.Next(); err != nil {
		return false, fmt.Errorf("put %s: %w", key, err)
	}
	return s.FS.PutNew(ctx, key, data, contentType)
}

// archiveHarness adapts the archive to the sink contract. Its effect is a
// complete revision: item.json (written last) with every other object of
// the revision, and the archived event announcing it.
type archiveHarness struct {
	e     *env
	store *failingStore
	sink  *archive.Sink
}

func (h *archiveHarness) Event(t *testing.T, id string, rev int) *syndicator.Event {
	t.Helper()
	c := h.e.discovered(t, fmt.Sprintf("%s_r%d.html", id, rev))
	ev := c.ev
	ev.ID, ev.Revision, ev.Item.ID, ev.Item.Revision = id, rev, id, rev
	if rev > 1 {
		ev.Kind = syndicator.KindRevised
	}
	return ev
}

func (h *archiveHarness) Handle(ctx context.Context, ev *syndicator.Event, attempt int) error {
	return h.sink.Handle(ctx, ev, attempt)
}

func (h *archiveHarness) Effects(t *testing.T, id string, rev int) int {
	t.Helper()
	announced := 0
	for _, ev := range h.e.archived(t, id) {
		if ev.Revision == rev {
			announced++
		}
	}
	prefix := h.Event(t, id, rev).Item.ArchivePrefix()
	complete, err := h.store.Exists(context.Background(), prefix+"item.json")
	if err != nil {
		t.Fatal(err)
	}
	if complete {
		for _, name := range []string{"original.html", "response.json", archive.CaptureName} {
			if ok, err := h.store.Exists(context.Background(), prefix+name); err != nil || !ok {
				t.Logf("%s%s missing beside item.json (err %v)", prefix, name, err)
				return sinktest.Partial
			}
		}
	}
	switch {
	case complete && announced == 0, !complete && announced > 0:
		return sinktest.Partial
	case !complete:
		return 0 // stray objects without item.json are not an archived revision
	}
	return announced
}

func (h *archiveHarness) Current(t *testing.T, id string) int {
	t.Helper()
	cur := 0
	for _, ev := range h.e.archived(t, id) {
		cur = max(cur, ev.Revision)
	}
	return cur
}

func (h *archiveHarness) Fail(t *testing.T, f sinktest.Failure) {
	// Two writes go through (the attachment and original.html), the third
	// fails: a crash halfway through a revision.
	switch f {
	case sinktest.Transient:
		h.store.fault.Arm(2, errors.New("disk full (injected)"))
	case sinktest.Permanent:
		h.store.fault.Arm(2, syndicator.Permanent(errors.New("access denied (injected)")))
	default:
		t.Fatalf("unknown failure %v", f)
	}
}

func TestContract(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	store := &failingStore{FS: e.store}
	sinktest.Run(t, &archiveHarness{e: e, store: store, sink: archive.New(store, e.bus, e.bus, zerolog.Nop())})
}
