package natsbus_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/rs/zerolog"
)

// TestEmbeddedStorageFullStopsAndResumes fills the file system under the
// embedded store: the server's own error reaches the log, Storage and
// JetStreamReady report the failure, publishing fails at once instead of
// timing out, and once space is freed JetStream starts again by itself
// and a new event is stored beside the old ones.
func TestEmbeddedStorageFullStopsAndResumes(t *testing.T) {
	t.Parallel()
	disk := natstest.Tmpfs(t, "8m")
	var logs natstest.LogBuffer
	emb := natsbus.NewEmbedded(natsbus.EmbeddedOptions{
		StoreDir: filepath.Join(disk, "nats"), Log: zerolog.New(&logs).Level(zerolog.InfoLevel),
		CheckEvery: 50 * time.Millisecond, MinFree: 1 << 20,
	})
	if err := emb.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emb.Shutdown)
	if st := emb.Storage(); !st.OK {
		t.Fatalf("storage after start: %+v", st)
	}
	b := connect(t, emb.ClientURL())
	ctx := context.Background()
	if _, err := b.Publish(ctx, event("before", "正文")); err != nil {
		t.Fatal(err)
	}
	if err := b.JetStreamReady(ctx); err != nil {
		t.Fatalf("JetStreamReady on a healthy server: %v", err)
	}
	if n := len(logs.Records("info")) + len(logs.Records("debug")); n != 0 {
		t.Errorf("a normal start logged %d lines at info level:\n%s", n, logs.String())
	}

	filler := filepath.Join(disk, "filler")
	natstest.Fill(t, filler)
	// Larger than a page, so the write cannot fit in one already allocated.
	pctx, cancel := context.WithTimeout(ctx, time.Second)
	_, err := b.Publish(pctx, event("full", strings.Repeat("满", 30<<10)))
	cancel()
	if err == nil {
		t.Fatal("a publish on a full disk was acknowledged")
	}
	natstest.WaitFor(t, 10*time.Second, "storage reported failing", func() (bool, string) {
		st := emb.Storage()
		return !st.OK, fmt.Sprintf("%+v", st)
	})
	if st := emb.Storage(); !strings.Contains(st.Reason, "no space left on device") {
		t.Errorf("storage reason %q does not say the disk is full", st.Reason)
	}
	if err := b.JetStreamReady(ctx); err == nil {
		t.Error("JetStreamReady says ready while the store cannot be written")
	}
	// Publishing fails at once now, instead of waiting for an ack.
	start := time.Now()
	pctx, cancel = context.WithTimeout(ctx, 30*time.Second)
	_, err = b.Publish(pctx, event("meanwhile", "正文"))
	cancel()
	if err == nil || errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 10*time.Second {
		t.Errorf("publish while stopped: err %v after %s; want an error at once, not a wait for an ack", err, time.Since(start))
	}
	serverErr := false
	for _, rec := range logs.Records("error") {
		if rec["component"] == "nats-server" && strings.Contains(fmt.Sprint(rec["message"]), "no space left on device") {
			serverErr = true
		}
	}
	if !serverErr {
		t.Errorf("the server's own error (no space left on device) was not logged:\n%s", logs.String())
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	natstest.WaitFor(t, 20*time.Second, "storage recovered", func() (bool, string) {
		st := emb.Storage()
		return st.OK, fmt.Sprintf("%+v", st)
	})
	if err := b.JetStreamReady(ctx); err != nil {
		t.Fatalf("JetStreamReady after recovery: %v", err)
	}
	pctx, cancel = context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := b.Publish(pctx, event("after", "正文")); err != nil {
		t.Fatalf("publish after recovery: %v", err)
	}
	got := map[string]bool{}
	if err := b.ReadAll(pctx, natsbus.StreamEvents, "synd.item.>", func(_ string, data []byte) error {
		var ev syndicator.Event
		if err := json.Unmarshal(data, &ev); err != nil {
			return err
		}
		got[ev.ID] = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !got["before"] || !got["after"] {
		t.Errorf("stored events after recovery: %v; want before and after", got)
	}
}

// TestEmbeddedReadOnlyStoreFailsFast starts the server on a read-only file
// system: Start fails at once with the system's reason, not after 30 s
// with a guess.
func TestEmbeddedReadOnlyStoreFailsFast(t *testing.T) {
	for _, existing := range []bool{false, true} {
		t.Run(fmt.Sprintf("existing store %v", existing), func(t *testing.T) {
			disk := natstest.Tmpfs(t, "8m")
			store := filepath.Join(disk, "nats")
			if existing {
				emb := natsbus.NewEmbedded(natsbus.EmbeddedOptions{StoreDir: store})
				if err := emb.Start(); err != nil {
					t.Fatal(err)
				}
				emb.Shutdown()
			}
			natstest.RemountReadOnly(t, disk)
			emb := natsbus.NewEmbedded(natsbus.EmbeddedOptions{StoreDir: store, StartTimeout: 20 * time.Second})
			start := time.Now()
			err := emb.Start()
			if err == nil {
				emb.Shutdown()
				t.Fatal("started on a read-only store")
			}
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("failing took %s; want at once", took)
			}
			if !errors.Is(err, natsbus.ErrStoreNotWritable) || !strings.Contains(err.Error(), "read-only file system") {
				t.Errorf("error %q: want ErrStoreNotWritable with the system's reason", err)
			}
		})
	}
}

// TestEmbeddedFatalErrorFailsFast starts the server on a port that is
// taken: nats-server gives up with a fatal error, which Start returns at
// once instead of waiting for a server that will never listen.
func TestEmbeddedFatalErrorFailsFast(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var logs natstest.LogBuffer
	emb := natsbus.NewEmbedded(natsbus.EmbeddedOptions{
		StoreDir: filepath.Join(t.TempDir(), "nats"), Port: ln.Addr().(*net.TCPAddr).Port,
		Log: zerolog.New(&logs), StartTimeout: 20 * time.Second,
	})
	start := time.Now()
	err = emb.Start()
	if err == nil {
		emb.Shutdown()
		t.Fatal("started on a port in use")
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("failing took %s; want at once", took)
	}
	if !strings.Contains(err.Error(), "address already in use") {
		t.Errorf("error %q does not give the server's reason", err)
	}
	if len(logs.Records("error")) == 0 {
		t.Errorf("the server's fatal error was not logged:\n%s", logs.String())
	}
}
