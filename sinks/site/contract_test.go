package site

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/gyeco/syndicator/sinks/blob"
	"github.com/gyeco/syndicator/sinks/sinktest"
	"github.com/gyeco/syndicator/sinks/site/render"
	"github.com/gyeco/syndicator/syndicator"
)

// failingDocroot is a blob.FS whose writes fail when its fault is armed.
type failingDocroot struct {
	*blob.FS
	fault sinktest.Fault
}

func (d *failingDocroot) Put(ctx context.Context, key string, data []byte, contentType string) error {
	if err := d.fault.Next(); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return d.FS.Put(ctx, key, data, contentType)
}

func (d *failingDocroot) PutNew(ctx context.Context, key string, data []byte, contentType string) (bool, error) {
	if err := d.fault.Next(); err != nil {
		return false, fmt.Errorf("put %s: %w", key, err)
	}
	return d.FS.PutNew(ctx, key, data, contentType)
}

// siteHarness adapts the site sink to the contract. Its effect is an
// article at that revision: the record, the page, and the published event.
type siteHarness struct {
	e       *env
	docroot *failingDocroot
}

func (h *siteHarness) Event(t *testing.T, id string, rev int) *syndicator.Event {
	t.Helper()
	ev := h.e.archivedEvent(t, 1, rev, fmt.Sprintf("省人民政府关于合同测试的通知（第%d版）", rev), fmt.Sprintf("第%d版正文。", rev))
	ev.ID, ev.Item.ID = id, id
	return ev
}

func (h *siteHarness) Handle(ctx context.Context, ev *syndicator.Event, attempt int) error {
	return h.e.sink.Handle(ctx, ev, attempt)
}

func (h *siteHarness) Effects(t *testing.T, id string, rev int) int {
	t.Helper()
	announced := 0
	for _, ev := range h.e.published(t, id) {
		if ev.Revision == rev {
			announced++
		}
	}
	var rec record
	found, err := h.e.bus.GetState(context.Background(), syndicator.BucketSite, id, &rec)
	if err != nil {
		t.Fatal(err)
	}
	live := found && rec.Item.Revision >= rev
	if live {
		if ok, err := h.docroot.Exists(context.Background(), render.ArticlePath(&rec.Article)); err != nil || !ok {
			return sinktest.Partial // a record without its page
		}
	}
	switch {
	case live && announced == 0, !live && announced > 0:
		return sinktest.Partial
	}
	return announced
}

func (h *siteHarness) Current(t *testing.T, id string) int {
	t.Helper()
	var rec record
	if _, err := h.e.bus.GetState(context.Background(), syndicator.BucketSite, id, &rec); err != nil {
		t.Fatal(err)
	}
	return rec.Item.Revision
}

func (h *siteHarness) Fail(t *testing.T, f sinktest.Failure) {
	// The attachment copy goes through, the page write fails.
	switch f {
	case sinktest.Transient:
		h.docroot.fault.Arm(1, errors.New("bucket unavailable (injected)"))
	case sinktest.Permanent:
		h.docroot.fault.Arm(1, syndicator.Permanent(errors.New("access denied (injected)")))
	default:
		t.Fatalf("unknown failure %v", f)
	}
}

func TestContract(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	d := &failingDocroot{FS: e.docroot}
	e.sink.docroot = d
	sinktest.Run(t, &siteHarness{e: e, docroot: d})
}
