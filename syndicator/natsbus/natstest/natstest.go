// Package natstest starts real NATS servers for tests: the embedded one
// in-process, or the nats-server binary as a child process.
package natstest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/rs/zerolog"
)

// Embedded starts an in-process JetStream server with its store in a
// temporary directory and returns its client URL.
func Embedded(t testing.TB) string {
	t.Helper()
	srv := natsbus.NewEmbedded(natsbus.EmbeddedOptions{StoreDir: filepath.Join(t.TempDir(), "nats")})
	if err := srv.Start(); err != nil {
		t.Fatalf("start embedded nats: %v", err)
	}
	t.Cleanup(srv.Shutdown)
	return srv.ClientURL()
}

// Binary returns the path of the nats-server binary: $SYND_NATS_SERVER, or
// nats-server on PATH. Without it the test fails in CI (CI=true) and is
// skipped elsewhere with the command that installs it.
func Binary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("SYND_NATS_SERVER"); p != "" {
		return p
	}
	if p, err := exec.LookPath("nats-server"); err == nil {
		return p
	}
	msg := "nats-server binary not found: run .ci/run, or go install github.com/nats-io/nats-server/v2@v2.15.2 and put it on PATH"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// External starts the nats-server binary with JetStream on a free loopback
// port and a temporary store, and returns its client URL. The server is
// killed when the test ends.
func External(t testing.TB) string {
	t.Helper()
	bin := Binary(t)
	port := FreePort(t)
	dir := t.TempDir()
	cmd := exec.Command(bin, "-js", "-a", "127.0.0.1", "-p", strconv.Itoa(port), "-sd", filepath.Join(dir, "store"))
	logf, err := os.Create(filepath.Join(dir, "nats-server.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		_ = logf.Close()
	})
	waitListen(t, "nats-server", port, filepath.Join(dir, "nats-server.log"))
	return fmt.Sprintf("nats://127.0.0.1:%d", port)
}

// waitListen waits until a server started by the test listens on port,
// and fails the test with the server's log when it does not within 20 s.
func waitListen(t testing.TB, what string, port int, logPath string) {
	t.Helper()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			_ = c.Close()
			return
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logPath)
			t.Fatalf("%s did not listen on %s within 20s: %v\n%s", what, addr, err, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Shared returns the URL of the nats-server that .ci/run starts
// ($SYND_TEST_NATS_URL), so a test can exercise a server it did not start
// itself. Only one test may use it: its streams are not isolated. Without
// the variable it fails in CI and starts a private server elsewhere.
func Shared(t testing.TB) string {
	t.Helper()
	if u := os.Getenv("SYND_TEST_NATS_URL"); u != "" {
		requireFresh(t, u)
		return u
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("SYND_TEST_NATS_URL is not set: .ci/run must start nats-server and export it")
	}
	return External(t)
}

// requireFresh fails the test when the shared server already holds
// syndicator events: documents, records and consumers of an earlier run
// would turn this run's items into duplicates and its counts wrong.
func requireFresh(t testing.TB, url string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	b, err := natsbus.Connect(ctx, url, "natstest", natsbus.Options{}, zerolog.Nop())
	if err != nil {
		t.Fatalf("SYND_TEST_NATS_URL %s: %v", url, err)
	}
	defer b.Close()
	st, err := b.Stats(ctx)
	if err != nil {
		t.Fatalf("SYND_TEST_NATS_URL %s: %v", url, err)
	}
	var n uint64
	for _, c := range st.Subjects {
		n += c
	}
	if n > 0 {
		t.Fatalf("the NATS server at SYND_TEST_NATS_URL=%s already holds %d syndicator events from an earlier run; start it afresh with an empty store (as .ci/run does) or unset the variable", url, n)
	}
}

// Events returns the events stored in SYND_EVENTS whose subject matches
// filter, oldest first, failing the test on any error.
func Events(t testing.TB, bus *natsbus.Bus, filter string) []syndicator.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var evs []syndicator.Event
	err := bus.ReadAll(ctx, natsbus.StreamEvents, filter, func(_ string, data []byte) error {
		var ev syndicator.Event
		if err := json.Unmarshal(data, &ev); err != nil {
			return err
		}
		evs = append(evs, ev)
		return nil
	})
	if err != nil {
		t.Fatalf("read %s: %v", filter, err)
	}
	return evs
}

// WaitFor polls cond every 20 ms until it holds, and fails the test with
// what and cond's last status once total has passed.
func WaitFor(t testing.TB, total time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	WaitEvery(t, 20*time.Millisecond, total, what, cond)
}

// WaitEvery is WaitFor polling every every, for conditions that cost
// something to check.
func WaitEvery(t testing.TB, every, total time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(total)
	for {
		ok, status := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s: %s", total, what, status)
		}
		time.Sleep(every)
	}
}
