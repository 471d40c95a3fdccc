package archive_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/gyeco/syndicator/sinks/archive"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/rs/zerolog"
)

// claimGone reports whether claim ref is gone from the store.
func (e *env) claimGone(t *testing.T, ref string) bool {
	t.Helper()
	_, err := e.bus.GetClaim(context.Background(), ref)
	if err != nil && !errors.Is(err, syndicator.ErrClaimGone) {
		t.Fatalf("claim %s: %v", ref, err)
	}
	return err != nil
}

// TestHandleDeletesItsClaims: once a revision is archived and announced,
// its original and attachment claims are deleted (the demo's claim store
// grew 11 MB a minute while they waited 30 days for the TTL); a redelivery
// then reads the archived copies and repeats nothing.
func TestHandleDeletesItsClaims(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.discovered(t, "t20260904_1.html")
	if err := e.handle(c.ev); err != nil {
		t.Fatalf("Handle: %v", err)
	}
	for _, ref := range []string{c.ev.Capture.Ref, c.ev.Attachments[0].Ref} {
		if !e.claimGone(t, ref) {
			t.Errorf("claim %s still stored after the revision was archived", ref)
		}
	}
	prefix := c.ev.Item.ArchivePrefix()
	before := map[string][]byte{}
	for _, name := range []string{"original.html", "response.json", archive.CaptureName, "item.json"} {
		before[name] = e.get(t, prefix+name)
	}
	if err := e.handle(c.ev); err != nil {
		t.Fatalf("redelivery after the claims were deleted: %v", err)
	}
	for name, want := range before {
		if !bytes.Equal(e.get(t, prefix+name), want) {
			t.Errorf("redelivery changed %s", name)
		}
	}
	if got := len(e.archived(t, c.ev.ID)); got != 1 {
		t.Errorf("%d archived events, want 1", got)
	}
	e.checkCapture(t, c.ev, prefix)
}

// TestSharedAttachmentOutlivesItsClaim: two items link the same file, so
// the crawler stored its bytes once; archiving the first deletes that
// claim, and the second reads the bytes from the archive's copy, its WARC
// complete.
func TestSharedAttachmentOutlivesItsClaim(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.discovered(t, "t20260904_2.html")
	b := e.discovered(t, "t20260904_3.html")
	b.attachment = []byte("same file, two notices")
	for _, c := range []capture{a, b} {
		sum := sha256Hex(b.attachment)
		c.ev.Item.Attachments[0].SHA256, c.ev.Item.Attachments[0].Size = sum, int64(len(b.attachment))
		c.ev.Attachments[0].Ref, c.ev.Attachments[0].SHA256 = syndicator.AttachmentRef(sum), sum
		c.ev.Attachments[0].Size = int64(len(b.attachment))
		c.attachment = b.attachment
		e.claim(t, c)
	}
	if err := e.handle(a.ev); err != nil {
		t.Fatalf("Handle the first: %v", err)
	}
	if !e.claimGone(t, b.ev.Attachments[0].Ref) {
		t.Fatal("the shared attachment's claim is still there; the test proves nothing")
	}
	if err := e.handle(b.ev); err != nil {
		t.Fatalf("Handle the second after the shared claim was deleted: %v", err)
	}
	e.checkCapture(t, b.ev, b.ev.Item.ArchivePrefix())
	if got := len(e.archived(t, b.ev.ID)); got != 1 {
		t.Errorf("%d archived events for the second, want 1", got)
	}
}

// faultyClaims fails claim reads or deletions as a test asks.
type faultyClaims struct {
	*natsbus.Bus
	get, del error
}

func (f *faultyClaims) GetClaim(ctx context.Context, name string) ([]byte, error) {
	if f.get != nil {
		return nil, f.get
	}
	return f.Bus.GetClaim(ctx, name)
}

func (f *faultyClaims) DeleteClaim(ctx context.Context, name string) error {
	if f.del != nil {
		return f.del
	}
	return f.Bus.DeleteClaim(ctx, name)
}

// TestClaimFailures: only a claim that is gone falls back to the archive;
// an unreachable store is a transient failure even when the archive holds
// the bytes. A failed deletion leaves the claim to its TTL and the
// revision archived.
func TestClaimFailures(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	c := e.discovered(t, "t20260904_4.html")
	if _, err := e.store.PutNew(context.Background(), c.ev.Item.ArchivePrefix()+"original.html", c.original, "text/html"); err != nil {
		t.Fatal(err)
	}
	unreachable := &faultyClaims{Bus: e.bus, get: fmt.Errorf("read claim: %w", errors.New("nats: timeout (injected)"))}
	err := archive.New(e.store, e.bus, unreachable, zerolog.Nop()).Handle(context.Background(), c.ev, 1)
	if err == nil || syndicator.IsPermanent(err) {
		t.Errorf("Handle with the claim store unreachable = %v, want a transient error", err)
	}
	if got := len(e.archived(t, c.ev.ID)); got != 0 {
		t.Errorf("%d archived events while the claims could not be read, want 0", got)
	}

	undeletable := &faultyClaims{Bus: e.bus, del: errors.New("nats: timeout (injected)")}
	if err := archive.New(e.store, e.bus, undeletable, zerolog.Nop()).Handle(context.Background(), c.ev, 2); err != nil {
		t.Fatalf("Handle with deletions failing: %v", err)
	}
	if e.claimGone(t, c.ev.Capture.Ref) {
		t.Error("the claim is gone though its deletion failed")
	}
	if got := len(e.archived(t, c.ev.ID)); got != 1 {
		t.Errorf("%d archived events, want 1", got)
	}
}
