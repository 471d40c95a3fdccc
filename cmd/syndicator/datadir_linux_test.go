//go:build linux

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
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

// These tests run the built command as separate processes, stop them with
// signals and read /proc: Linux only.

// runBinary runs bin to its end, killing it after limit, and returns its
// exit code, combined output and how long it ran.
func runBinary(t *testing.T, limit time.Duration, bin string, args ...string) (int, string, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return -1, out.String(), took
	case errors.As(err, &exit):
		return exit.ExitCode(), out.String(), took
	case err != nil:
		t.Fatalf("%s: %v", bin, err)
	}
	return 0, out.String(), took
}

// fileState is what a snapshot keeps of a file.
type fileState struct {
	size  int64
	mtime time.Time
	mode  fs.FileMode
}

// snapshotDir records every file and directory under dir.
func snapshotDir(t *testing.T, dir string) map[string]fileState {
	t.Helper()
	snap := map[string]fileState{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		snap[rel] = fileState{fi.Size(), fi.ModTime(), fi.Mode()}
		return nil
	})
	if err != nil {
		t.Fatalf("snapshot %s: %v", dir, err)
	}
	return snap
}

func diffSnapshots(before, after map[string]fileState) []string {
	var diffs []string
	for p, b := range before {
		a, ok := after[p]
		switch {
		case !ok:
			diffs = append(diffs, "removed "+p)
		case a != b:
			diffs = append(diffs, fmt.Sprintf("changed %s: %+v → %+v", p, b, a))
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			diffs = append(diffs, "added "+p)
		}
	}
	return diffs
}

// processStopped reports whether every thread of pid is stopped by a
// signal, so that it writes nothing more (Linux /proc).
func processStopped(t *testing.T, pid int) (bool, string) {
	t.Helper()
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/stat", pid))
	if err != nil || len(tasks) == 0 {
		t.Fatalf("threads of %d: %v", pid, err)
	}
	for _, f := range tasks {
		b, err := os.ReadFile(f)
		if err != nil {
			return false, err.Error()
		}
		// pid (comm) state ...: comm may hold spaces, the state follows the last ')'.
		fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(fields) == 0 || (fields[0] != "T" && fields[0] != "t") {
			return false, fmt.Sprintf("%s: %s", f, fields)
		}
	}
	return true, ""
}

// TestSecondRunOnDataDirExits starts `syndicator run`, then a second one
// on the same data_dir: the second exits at once with 1, naming the first
// (PID and address), and changes no file of the store. The first is
// stopped (SIGSTOP) meanwhile, so that any change is the second's.
func TestSecondRunOnDataDirExits(t *testing.T) {
	t.Parallel() // own stores, ports and data dirs
	bin := buildSyndicator(t)
	p := newPipeline(t, sim.Options{Seed: 3, Items: 4}, "", 0, "fs")
	cfg := p.config(t)
	dir := t.TempDir()
	firstPath := writeLockTestFile(t, filepath.Join(dir, "first.yaml"), p.yaml)

	logf, err := os.Create(filepath.Join(dir, "first.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	first := exec.Command(bin, "run", "--config", firstPath)
	first.Stdout, first.Stderr = logf, logf
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- first.Wait() }()
	t.Cleanup(func() {
		_ = first.Process.Signal(syscall.SIGCONT)
		_ = first.Process.Kill()
		<-exited
	})
	waitFor(t, 60*time.Second, "the first run to be ready", func() (bool, string) {
		select {
		case err := <-exited:
			exited <- err
			log, _ := os.ReadFile(logf.Name())
			t.Fatalf("the first run exited: %v\n%s", err, tail(log, 3000))
		default:
		}
		resp, err := http.Get("http://" + cfg.HTTP.Listen + "/readyz")
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		return resp.StatusCode == 200, resp.Status
	})

	if err := first.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the first run to stop", func() (bool, string) { return processStopped(t, first.Process.Pid) })
	before := snapshotDir(t, cfg.DataDir)
	if _, ok := before[lockFileName]; !ok {
		t.Errorf("no %s in data_dir", lockFileName)
	}
	otherPort := strings.Replace(p.yaml, cfg.HTTP.Listen, fmt.Sprintf("127.0.0.1:%d", natstest.FreePort(t)), 1)
	for _, tc := range []struct {
		name, yaml string
		want       []string
	}{
		// Only the lock can tell: nothing else of the second run collides.
		{"another http port", otherPort, []string{"数据目录", fmt.Sprintf("PID %d", first.Process.Pid), cfg.HTTP.Listen}},
		// The same file: the lock is taken before the HTTP port is opened,
		// so the message names the holder, not a busy address.
		{"the same configuration", p.yaml, []string{"数据目录", fmt.Sprintf("PID %d", first.Process.Pid), cfg.HTTP.Listen}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeLockTestFile(t, filepath.Join(t.TempDir(), "second.yaml"), tc.yaml)
			code, out, took := runBinary(t, 30*time.Second, bin, "run", "--config", path)
			if code != 1 || took > 10*time.Second {
				t.Errorf("second run: exit %d after %s; want 1 at once\n%s", code, took.Round(time.Millisecond), tail([]byte(out), 3000))
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("second run's message lacks %q:\n%s", w, tail([]byte(out), 3000))
				}
			}
			if d := diffSnapshots(before, snapshotDir(t, cfg.DataDir)); len(d) > 0 {
				t.Errorf("the second run changed the data_dir:\n%s", strings.Join(d, "\n"))
			}
		})
	}

	if err := first.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	if err := first.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		exited <- err
		if err != nil {
			log, _ := os.ReadFile(logf.Name())
			t.Errorf("first run after SIGTERM: %v\n%s", err, tail(log, 3000))
		}
	case <-time.After(30 * time.Second):
		t.Error("the first run did not stop within 30s of SIGTERM")
	}
}

// TestRunOnReadOnlyDataDirFailsFast starts `syndicator run` on a data_dir
// on a read-only file system: it exits at once with the system's reason,
// not after 30 s with a guess about the port.
func TestRunOnReadOnlyDataDirFailsFast(t *testing.T) {
	t.Parallel() // own stores, ports and data dirs
	bin := buildSyndicator(t)
	disk := natstest.Tmpfs(t, "8m")
	data := filepath.Join(disk, "data")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	natstest.RemountReadOnly(t, disk)
	p := newPipeline(t, sim.Options{Seed: 3, Items: 2}, "", 0, "fs")
	yaml := "data_dir: " + data + "\n" + p.yaml[strings.Index(p.yaml, "\n")+1:]
	path := writeLockTestFile(t, filepath.Join(t.TempDir(), "ro.yaml"), yaml)
	code, out, took := runBinary(t, 60*time.Second, bin, "run", "--config", path)
	if code != 1 || took > 10*time.Second {
		t.Errorf("run on a read-only data_dir: exit %d after %s; want 1 at once\n%s", code, took.Round(time.Millisecond), tail([]byte(out), 3000))
	}
	for _, w := range []string{data, "不可写", "read-only file system"} {
		if !strings.Contains(out, w) {
			t.Errorf("the message lacks %q:\n%s", w, tail([]byte(out), 3000))
		}
	}
}
