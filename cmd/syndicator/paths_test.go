package main

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/gyeco/syndicator/config"
)

// auditCommands are the commands that read evidence.
func auditCommands() [][]string {
	return [][]string{{"audit", "verify"}, {"audit", "report"}, {"audit", "export"}}
}

// pathsTestConfig writes dir/syndicator.yaml with a relative data_dir.
func pathsTestConfig(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "syndicator.yaml")
	if err := os.WriteFile(path, []byte("data_dir: data\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// runIn runs this binary's main as a child process in dir.
func runIn(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SYNDICATOR_TEST_MAIN=1")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		code = exit.ExitCode()
	default:
		t.Fatalf("%v: %v", args, err)
	}
	return code, out.String(), errOut.String()
}

// listDir is every path under dir, relative to it.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path != dir {
			rel, _ := filepath.Rel(dir, path)
			names = append(names, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// TestAuditFromAnotherDirWithoutStore runs the evidence commands with
// --config A/syndicator.yaml (data_dir: data) from another directory B
// while no store exists: each fails, names the store under A, and creates
// nothing, neither in B nor in A.
func TestAuditFromAnotherDirWithoutStore(t *testing.T) {
	t.Parallel() // own stores, ports and data dirs
	a, b := t.TempDir(), t.TempDir()
	cfg := pathsTestConfig(t, a)
	store := filepath.Join(a, "data", "nats")
	for _, args := range auditCommands() {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, stdout, stderr := runIn(t, b, append(args, "--config", cfg)...)
			msg := stdout + stderr
			if code != 1 || strings.Contains(stdout, "通过") || !strings.Contains(msg, "没有 NATS 存储可读") || !strings.Contains(msg, store) {
				t.Errorf("exit %d; want 1, refusing for want of the store %s\nstdout:\n%s\nstderr:\n%s", code, store, stdout, stderr)
			}
			if got := listDir(t, b); len(got) > 0 {
				t.Errorf("created in the working directory: %v", got)
			}
			if got, want := listDir(t, a), []string{"syndicator.yaml"}; !slices.Equal(got, want) {
				t.Errorf("beside the config: %v; want only %v", got, want)
			}
		})
	}
}

// TestAuditFromAnotherDirFindsTheStore creates the store at A/data and
// runs the evidence commands with --config A/syndicator.yaml from B: they
// read that store, say that its ledger is empty instead of passing, and
// create nothing in B.
func TestAuditFromAnotherDirFindsTheStore(t *testing.T) {
	t.Parallel() // own stores, ports and data dirs
	a, b := t.TempDir(), t.TempDir()
	cfg := pathsTestConfig(t, a)
	store := filepath.Join(a, "data", "nats")

	// The store, made by an owner whose data_dir is named absolutely.
	owner := filepath.Join(t.TempDir(), "owner.yaml")
	if err := os.WriteFile(owner, []byte("data_dir: "+filepath.Join(a, "data")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(owner)
	if err != nil {
		t.Fatal(err)
	}
	_, stop, err := (&App{Config: c, Log: zerolog.Nop()}).startEmbedded(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	stop()
	if !storeExists(store) {
		t.Fatalf("no store at %s after the owner ran", store)
	}

	const empty = "账本为空：存储存在但没有任何账本条目"
	for _, args := range auditCommands() {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, stdout, stderr := runIn(t, b, append(args, "--config", cfg)...)
			// verify says it on stdout, report and export (whose stdout
			// is the document) on stderr.
			said := stderr
			if args[1] == "verify" {
				said = stdout
			}
			if code != 0 || !strings.Contains(said, empty) || !strings.Contains(said, store) || strings.Contains(stdout, "账本校验通过") {
				t.Errorf("exit %d; want 0 with the empty-ledger note naming %s\nstdout:\n%s\nstderr:\n%s", code, store, stdout, stderr)
			}
			if got := listDir(t, b); len(got) > 0 {
				t.Errorf("created in the working directory: %v", got)
			}
		})
	}
}
