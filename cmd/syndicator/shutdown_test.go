package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
)

// defaultShutdownGrace is natsbus.ConsumerSpec's default ShutdownGrace, which the
// roles run with.
const defaultShutdownGrace = 15 * time.Second

// TestSIGTERMEndsArchiveSinkStuckInClaimRead is the incident of issue 10:
// an archive worker reading a claim from a NATS server that has gone silent
// mid-answer. The process must exit on SIGTERM within the shutdown grace
// (plus a margin), not after the 10-minute handler timeout.
//
// The sink's connection runs through a proxy that freezes the
// server→client direction the moment the claim's bytes come back, so the
// worker is inside the claim read when SIGTERM arrives.
func TestSIGTERMEndsArchiveSinkStuckInClaimRead(t *testing.T) {
	// Own NATS, proxy, ports and child process; most of it is the child
	// waiting out its shutdown grace, which other tests can use.
	t.Parallel()
	srv := natstest.Embedded(t)
	proxy := natstest.NewProxy(t, srv)
	p := newPipeline(t, sim.Options{Seed: 3, Items: 1}, proxy.URL(), 0, "fs")
	cfgPath := filepath.Join(t.TempDir(), "syndicator.yaml")
	if err := os.WriteFile(cfgPath, []byte(p.yaml), 0o644); err != nil {
		t.Fatal(err)
	}

	// An item awaiting the archive whose original holds the marker the
	// proxy freezes on. The test's own connection bypasses the proxy.
	bus := connectBus(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	mark := make([]byte, 8)
	if _, err := rand.Read(mark); err != nil {
		t.Fatal(err)
	}
	marker := "freeze-" + hex.EncodeToString(mark)
	original := []byte("<html><body><p>" + strings.Repeat("政策正文", 50_000) + marker + "</p></body></html>")
	sum := sha256.Sum256(original)
	digest := hex.EncodeToString(sum[:])
	url := "http://www.gov.cn/zhengce/shutdown.htm"
	id := syndicator.ItemID(url)
	ref := syndicator.CaptureRef(id, 1, digest)
	if err := bus.PutClaim(ctx, ref, original); err != nil {
		t.Fatal(err)
	}
	frozen := proxy.FreezeOn(marker)
	ev := &syndicator.Event{
		Kind: syndicator.KindDiscovered, ID: id, Revision: 1, Source: "govcn-zuixin", At: time.Now().UTC(),
		Item: &syndicator.Item{ID: id, Source: "govcn-zuixin", URL: url, Title: "关于停机的通知", Revision: 1},
		Capture: &syndicator.Capture{
			Ref: ref, URL: url, Status: 200, Header: map[string][]string{"Content-Type": {"text/html; charset=utf-8"}},
			FetchedAt: time.Now().UTC(), SHA256: digest, Size: int64(len(original)),
		},
	}
	if _, err := bus.Publish(ctx, ev); err != nil {
		t.Fatal(err)
	}

	logPath := filepath.Join(t.TempDir(), "sink-archive.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command(os.Args[0], "sink", "archive", "--config", cfgPath)
	cmd.Env = append(os.Environ(), "SYNDICATOR_TEST_MAIN=1")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	ended := false
	t.Cleanup(func() {
		if !ended { // the test failed before the process ended
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	showLog := func() string {
		data, _ := os.ReadFile(logPath)
		return string(data)
	}

	select {
	case <-frozen:
	case err := <-exited:
		ended = true
		t.Fatalf("sink archive exited (%v) before reading the claim:\n%s", err, showLog())
	case <-time.After(60 * time.Second):
		t.Fatalf("sink archive did not read the claim within 60s:\n%s", showLog())
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	bound := defaultShutdownGrace + 5*time.Second
	select {
	case err := <-exited:
		ended = true
		took := time.Since(start)
		t.Logf("exited %s after SIGTERM", took.Round(10*time.Millisecond))
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("sink archive exited with %v after SIGTERM:\n%s", err, showLog())
		} else if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(showLog(), `"stopped"`) {
			t.Errorf("no clean stop logged:\n%s", showLog())
		}
	case <-time.After(bound):
		t.Fatalf("sink archive still running %s after SIGTERM (shutdown grace %s); stuck in the claim read:\n%s", bound, defaultShutdownGrace, showLog())
	}
}
