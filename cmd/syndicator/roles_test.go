package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
)

// TestSeparateRoles runs each role as its own process on one shared
// nats-server, as docker-compose deploys them: crawl, sink archive, sink
// site and serve.
func TestSeparateRoles(t *testing.T) {
	t.Parallel() // own govsim, ports and data dirs; the only user of natstest.Shared
	natsURL := natstest.Shared(t)
	p := newPipeline(t, sim.Options{Seed: 5, Items: 8}, natsURL, 0, "fs")
	cfg := p.config(t)
	cfgPath := filepath.Join(t.TempDir(), "syndicator.yaml")
	if err := os.WriteFile(cfgPath, []byte(p.yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	logDir := t.TempDir()
	var procs []*exec.Cmd
	for _, args := range [][]string{{"crawl"}, {"sink", "archive"}, {"sink", "site"}, {"serve"}} {
		cmd := exec.Command(os.Args[0], append(args, "--config", cfgPath)...)
		cmd.Env = append(os.Environ(), "SYNDICATOR_TEST_MAIN=1")
		logf, err := os.Create(filepath.Join(logDir, strings.Join(args, "-")+".log"))
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		procs = append(procs, cmd)
		t.Cleanup(func() {
			_ = cmd.Process.Kill()
			_ = logf.Close()
		})
	}
	total := len(p.sim.Releases())
	waitFor(t, 90*time.Second, "every release on the site", func() (bool, string) {
		n := len(siteListing(t, p.site))
		return n == total, fmt.Sprintf("%d of %d listed", n, total)
	})
	p.verify(t, connectBus(t, natsURL))

	resp, err := http.Get("http://" + cfg.HTTP.Listen + "/zcwj/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'none'") {
		t.Errorf("GET /zcwj/: %d, CSP %q", resp.StatusCode, resp.Header.Get("Content-Security-Policy"))
	}
	if n := len(reArticleLink.FindAll(body, -1)); n != total {
		t.Errorf("served column index links %d articles, want %d", n, total)
	}

	for i, cmd := range procs {
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Wait(); err != nil {
			entries, _ := os.ReadDir(logDir)
			t.Errorf("process %d exited with %v after SIGTERM (logs in %s: %d files)", i, err, logDir, len(entries))
		}
	}
}
