package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/rs/zerolog"
)

func writeLockTestFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// lockTestApp is an App on a fresh data_dir (nothing created yet), with
// the store elsewhere when storeDir is given.
func lockTestApp(t *testing.T, dataDir, storeDir string) *App {
	t.Helper()
	yaml := fmt.Sprintf("data_dir: %s\nhttp: {listen: \"127.0.0.1:%d\"}\n", dataDir, natstest.FreePort(t))
	if storeDir != "" {
		yaml += fmt.Sprintf("nats: {store_dir: %s}\n", storeDir)
	}
	path := writeLockTestFile(t, filepath.Join(t.TempDir(), "c.yaml"), yaml)
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg.File = path
	return &App{Config: cfg, Log: zerolog.Nop()}
}

// TestEmbeddedStoreHasOneOwner checks the lock in one process: a second
// startEmbedded on the same data — or on the same store from another
// data_dir — is refused with the holder named, and succeeds once the
// first has stopped.
func TestEmbeddedStoreHasOneOwner(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	store := filepath.Join(root, "shared-store")
	a := lockTestApp(t, filepath.Join(root, "a"), store)
	url, stop, err := a.startEmbedded(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []*App{lockTestApp(t, filepath.Join(root, "a"), store), lockTestApp(t, filepath.Join(root, "b"), store)} {
		_, stopB, err := b.startEmbedded(ctx)
		if err == nil {
			stopB()
			t.Fatalf("a second owner of %s / %s was let in", b.Config.DataDir, store)
		}
		var held *lockedError
		if !errors.As(err, &held) {
			t.Fatalf("error %v is not a lockedError", err)
		}
		for _, w := range []string{fmt.Sprintf("PID %d", os.Getpid()), "命令 run", "HTTP " + a.Config.HTTP.Listen, "NATS " + url} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("message lacks %q: %v", w, err)
			}
		}
	}
	stop()
	b := lockTestApp(t, filepath.Join(root, "b"), store)
	_, stopB, err := b.startEmbedded(ctx)
	if err != nil {
		t.Fatalf("after the first stopped: %v", err)
	}
	stopB()
}

// TestReadOnlyCommandsNeverOpenAHeldStore checks how audit commands reach
// the embedded store: they join the process that holds data_dir, open the
// store themselves only while holding the lock, and refuse — creating
// nothing — when there is no store.
func TestReadOnlyCommandsNeverOpenAHeldStore(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()

	t.Run("no store", func(t *testing.T) {
		for _, existing := range []bool{false, true} {
			data := filepath.Join(root, fmt.Sprintf("empty-%v", existing))
			if existing {
				if err := os.Mkdir(data, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			a := lockTestApp(t, data, "")
			for _, args := range [][]string{{"audit", "verify"}, {"audit", "export"}} {
				var out, errOut bytes.Buffer
				code := run(append(args, "--config", a.Config.File), &out, &errOut)
				msg := out.String() + errOut.String()
				if code != 1 || !strings.Contains(msg, "没有 NATS 存储可读") {
					t.Errorf("%v with data_dir existing=%v: exit %d\n%s", args, existing, code, msg)
				}
			}
			if _, err := os.Stat(a.Config.NATS.StoreDir); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("a read-only command created %s (%v)", a.Config.NATS.StoreDir, err)
			}
			if _, err := os.Stat(data); existing == errors.Is(err, fs.ErrNotExist) {
				t.Errorf("data_dir %s: %v, existed before: %v", data, err, existing)
			}
		}
	})

	data := filepath.Join(root, "data")
	owner := lockTestApp(t, data, "")
	_, stop, err := owner.startEmbedded(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			stop()
		}
	}()

	t.Run("held: join the holder", func(t *testing.T) {
		var out, errOut bytes.Buffer
		if code := run([]string{"audit", "export", "--config", owner.Config.File}, &out, &errOut); code != 0 {
			t.Fatalf("export while run holds data_dir: exit %d\n%s", code, errOut.String())
		}
		if !strings.Contains(errOut.String(), "已导出 0 条") {
			t.Errorf("export: %s", errOut.String())
		}
		// The holder still holds it: the command did not take the store.
		if _, err := owner.lockData("run", false); err == nil {
			t.Error("data_dir is free while its owner runs")
		}
	})

	stop()
	stopped = true
	t.Run("free: hold the lock while reading", func(t *testing.T) {
		a := lockTestApp(t, data, "")
		bus, closeBus, err := a.connect(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := bus.JetStreamReady(ctx); err != nil {
			t.Fatal(err)
		}
		_, err = owner.lockData("run", true)
		var held *lockedError
		if !errors.As(err, &held) || held.holder.Command != "audit" || held.holder.PID != os.Getpid() || held.holder.NATSURL == "" {
			t.Errorf("while audit reads the store: lock error %v, holder %+v", err, held)
		}
		closeBus()
		lock, err := owner.lockData("run", true)
		if err != nil {
			t.Fatalf("after audit: %v", err)
		}
		lock.release()
	})
}

// TestBackfillJoinsOrQueues checks backfill's way to the embedded store:
// it joins the process holding data_dir, and without one it creates the
// store and holds data_dir while it queues its items.
func TestBackfillJoinsOrQueues(t *testing.T) {
	ctx := context.Background()
	data := filepath.Join(t.TempDir(), "data")
	a := lockTestApp(t, data, "")

	bus, closeBus, err := a.connectQueue(ctx)
	if err != nil {
		t.Fatalf("backfill without a run: %v", err)
	}
	if !storeExists(a.Config.NATS.StoreDir) {
		t.Error("backfill without a run did not create the store")
	}
	_, err = a.lockData("run", true)
	var held *lockedError
	if !errors.As(err, &held) || held.holder.Command != "backfill" {
		t.Errorf("a run while backfill queues: %v", err)
	}
	if err := bus.JetStreamReady(ctx); err != nil {
		t.Fatal(err)
	}
	closeBus()

	owner := lockTestApp(t, data, "")
	_, stop, err := owner.startEmbedded(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	bus, closeBus, err = a.connectQueue(ctx)
	if err != nil {
		t.Fatalf("backfill beside a run: %v", err)
	}
	defer closeBus()
	if err := bus.JetStreamReady(ctx); err != nil {
		t.Fatal(err)
	}
	// The run still holds data_dir: backfill joined its server.
	_, err = a.lockData("backfill", true)
	if !errors.As(err, &held) || held.holder.Command != "run" {
		t.Errorf("while backfill runs beside a run, data_dir is held by %+v (%v); want the run", held, err)
	}
}

// TestOneOffHolderIsWaitedFor: a one-off command that opened the store
// because no run was there holds it only for a moment, and its server goes
// when it ends. A run started meanwhile waits for it instead of failing,
// and another one-off command waits too instead of joining a server that
// is about to vanish.
func TestOneOffHolderIsWaitedFor(t *testing.T) {
	t.Parallel() // own stores, ports and data dirs
	for _, who := range []string{"run", "audit"} {
		t.Run(who, func(t *testing.T) {
			dataDir := filepath.Join(t.TempDir(), "data")
			app := lockTestApp(t, dataDir, "")
			logs := &natstest.LogBuffer{}
			app.Log = zerolog.New(logs)
			// A store to read, then an audit command's hold on it.
			if _, stop, err := app.startEmbedded(context.Background()); err != nil {
				t.Fatal(err)
			} else {
				stop()
			}
			held, err := lockDirs(app.dataDirs(), lockInfo{PID: os.Getpid(), Command: "audit"}, false)
			if err != nil {
				t.Fatal(err)
			}
			defer held.release()

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() {
				if who == "run" {
					_, stop, err := app.startEmbedded(ctx)
					if err == nil {
						stop()
					}
					done <- err
					return
				}
				_, stop, err := app.connect(ctx)
				if err == nil {
					stop()
				}
				done <- err
			}()
			waitFor(t, 10*time.Second, "the second process to say it waits", func() (bool, string) {
				select {
				case err := <-done:
					t.Fatalf("%s did not wait for the one-off holder: %v", who, err)
				default:
				}
				return strings.Contains(logs.String(), "waiting for it to finish"), logs.String()
			})
			held.release()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("%s after the holder let go: %v", who, err)
				}
			case <-time.After(30 * time.Second):
				t.Fatalf("%s still waiting 30s after the holder let go", who)
			}
		})
	}
}
