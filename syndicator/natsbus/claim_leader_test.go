package natsbus

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/nats-io/nats.go/jetstream"
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
	// The chunks, read at the leader one after the other as readChunks
	// falls back to, make up the claim.
	var joined []byte
	next := uint64(1)
	for range got.Chunks {
		m, err := b.msgAtLeader(ctx, objectStream, msgGetRequest{Seq: next, NextBySubject: "$O." + syndicator.ObjectCaptures + ".C." + got.NUID})
		if err != nil {
			t.Fatal(err)
		}
		joined, next = append(joined, m.Data...), m.Sequence+1
	}
	if !bytes.Equal(joined, data) {
		t.Errorf("chunks read at the leader: %d bytes, want the %d stored", len(joined), len(data))
	}
	if _, err := b.msgAtLeader(ctx, objectStream, msgGetRequest{Seq: next, NextBySubject: "$O." + syndicator.ObjectCaptures + ".C." + got.NUID}); !errors.Is(err, jetstream.ErrMsgNotFound) {
		t.Errorf("past the last chunk: %v, want ErrMsgNotFound", err)
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
