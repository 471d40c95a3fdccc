package natstest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// Tmpfs mounts a tmpfs of the given size (mount(8) syntax: "8m") on a
// temporary directory and unmounts it when the test ends, after the
// cleanups registered later (servers on it) have run. Mounting needs root
// and mount(8): without them the test fails in CI (CI=true) and is skipped
// elsewhere with a hint.
func Tmpfs(t testing.TB, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0755", "tmpfs", dir).CombinedOutput(); err != nil {
		skipOrFail(t, fmt.Sprintf("cannot mount a %s tmpfs on %s (%v: %s): this test needs root and mount(8); run it as root, e.g. in the CI container", size, dir, err, out))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Logf("umount %s: %v: %s; detaching it lazily", dir, err, out)
			_ = exec.Command("umount", "-l", dir).Run()
		}
	})
	return dir
}

// RemountReadOnly makes a tmpfs from Tmpfs read-only. (Being root, a test
// is not stopped by file modes: only a read-only mount refuses writes.)
func RemountReadOnly(t testing.TB, dir string) {
	t.Helper()
	if out, err := exec.Command("mount", "-o", "remount,ro", dir).CombinedOutput(); err != nil {
		skipOrFail(t, fmt.Sprintf("cannot remount %s read-only (%v: %s): this test needs root and mount(8)", dir, err, out))
	}
	if err := os.WriteFile(filepath.Join(dir, ".rw-check"), nil, 0o644); err == nil {
		t.Fatalf("%s is still writable after remounting it read-only", dir)
	}
}

// Fill writes path until the file system is full, and returns how many
// bytes it took.
func Fill(t testing.TB, path string) int64 {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatalf("fill %s: %v", path, err)
	}
	defer f.Close()
	var n int64
	for chunk := 1 << 20; chunk > 0; chunk /= 2 {
		buf := make([]byte, chunk)
		for {
			w, err := f.Write(buf)
			n += int64(w)
			if errors.Is(err, syscall.ENOSPC) {
				break
			}
			if err != nil {
				t.Fatalf("fill %s: %v", path, err)
			}
		}
	}
	return n
}

func skipOrFail(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}
