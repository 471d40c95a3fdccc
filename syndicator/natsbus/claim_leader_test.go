package natsbus

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// claimInfoAtLeader reads what GetInfo reads, from the stream leader: the
// meta of a stored claim, and not-found for a missing or deleted one.
func TestClaimInfoAtLeader(t *testing.T) {
	srv := NewEmbedded(EmbeddedOptions{StoreDir: filepath.Join(t.TempDir(), "nats")})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	b, err := Connect(ctx, srv.ClientURL(), "claim-leader-test", Options{}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	data := bytes.Repeat([]byte("正文"), 300<<10) // several chunks
	if err := b.PutClaim(ctx, "body/x/r1/abc", data); err != nil {
		t.Fatal(err)
	}
	want, err := b.captures.GetInfo(ctx, "body/x/r1/abc")
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.claimInfoAtLeader(ctx, "body/x/r1/abc")
	if err != nil {
		t.Fatal(err)
	}
	if got.NUID != want.NUID || got.Digest != want.Digest || got.Size != want.Size || got.Chunks != want.Chunks || !got.ModTime.Equal(want.ModTime) {
		t.Errorf("at the leader: %+v\nGetInfo: %+v", got, want)
	}
	if read, err := b.readChunks(ctx, got); err != nil || !bytes.Equal(read, data) {
		t.Errorf("reading the chunks the leader's meta names: %d bytes, %v", len(read), err)
	}
	if _, err := b.claimInfoAtLeader(ctx, "body/none/r1/abc"); !IsNotFound(err) {
		t.Errorf("a claim never stored: %v, want not found", err)
	}
	if err := b.DeleteClaim(ctx, "body/x/r1/abc"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.claimInfoAtLeader(ctx, "body/x/r1/abc"); !IsNotFound(err) {
		t.Errorf("a deleted claim: %v, want not found", err)
	}
}
