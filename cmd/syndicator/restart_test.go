package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/sinks/archive"
	"github.com/gyeco/syndicator/sinks/site"
	"github.com/gyeco/syndicator/syndicator/decide"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// TestRestartAfterSIGKILL kills `syndicator run` while items are in flight
// and starts it again on the same data: nothing may be lost, archived or
// published twice, or announced twice.
func TestRestartAfterSIGKILL(t *testing.T) {
	t.Parallel() // own govsim, NATS, ports and data dirs: shares nothing
	port := natstest.FreePort(t)
	p := newPipeline(t, sim.Options{Seed: 11, Items: 40}, "", port, "fs")
	// Slow the first crawl so the kill lands mid-flight.
	p.yaml = strings.Replace(p.yaml, "per_host_rps: 200", "per_host_rps: 15", 1)
	// The events the killed process held come back after nats.ack_wait:
	// 2s here instead of the default 30s.
	p.yaml = strings.Replace(p.yaml, "nats: {", "nats: {ack_wait: 2s, ", 1)
	cfg := p.config(t)
	cfgPath := filepath.Join(t.TempDir(), "syndicator.yaml")
	if err := os.WriteFile(cfgPath, []byte(p.yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	logDir := t.TempDir()
	bin := buildSyndicator(t)
	start := func(n int) *exec.Cmd {
		cmd := exec.Command(bin, "run", "--config", cfgPath)
		logf, err := os.Create(filepath.Join(logDir, fmt.Sprintf("run%d.log", n)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { logf.Close() })
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	articles := func() int {
		m, _ := filepath.Glob(filepath.Join(cfg.Site.Dir, "zcwj", "*", "t*.html"))
		return len(m)
	}
	total := len(p.sim.Releases())

	first := start(1)
	waitFor(t, 60*time.Second, "some articles published", func() (bool, string) {
		n := articles()
		return n >= 5, fmt.Sprintf("%d articles", n)
	})
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	killedAt := articles()
	if killedAt >= total {
		t.Fatalf("all %d articles were published before the kill; the test did not interrupt anything", total)
	}
	t.Logf("killed with %d of %d articles published", killedAt, total)

	// The second run crawls at full speed: only the kill needed a slow one.
	fast := strings.Replace(p.yaml, "per_host_rps: 15", "per_host_rps: 200", 1)
	if err := os.WriteFile(cfgPath, []byte(fast), 0o644); err != nil {
		t.Fatal(err)
	}
	second := start(2)
	t.Cleanup(func() {
		_ = second.Process.Signal(syscall.SIGTERM)
		_ = second.Wait()
	})
	natsURL := fmt.Sprintf("nats://127.0.0.1:%d", port)
	waitFor(t, 30*time.Second, "nats after restart", func() (bool, string) { return dialable(natsURL), "" })
	bus := connectBus(t, natsURL)
	waitFor(t, 120*time.Second, "every release on the site after restart", func() (bool, string) {
		n := len(siteListing(t, p.site))
		return n == total, fmt.Sprintf("%d of %d listed", n, total)
	})
	p.verify(t, bus)
	checkAckWait(t, natsURL, 2*time.Second)

	// A clean stop after the restart: SIGTERM ends the process with 0.
	if err := second.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := second.Wait(); err != nil {
		log, _ := os.ReadFile(filepath.Join(logDir, "run2.log"))
		t.Fatalf("second run after SIGTERM: %v\n%s", err, tail(log, 2000))
	}
}

// checkAckWait: nats.ack_wait reaches every sink's durable consumer.
func checkAckWait(t *testing.T, natsURL string, want time.Duration) {
	t.Helper()
	nc, err := nats.Connect(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, name := range []string{decide.Name, archive.Name, site.Name} {
		c, err := js.Consumer(ctx, natsbus.StreamEvents, name)
		if err != nil {
			t.Fatalf("consumer %s: %v", name, err)
		}
		if got := c.CachedInfo().Config.AckWait; got != want {
			t.Errorf("consumer %s: AckWait %s, want %s (nats.ack_wait)", name, got, want)
		}
	}
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
