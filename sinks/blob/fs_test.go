package blob_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gyeco/syndicator/sinks/blob"
	"github.com/gyeco/syndicator/syndicator"
)

func TestFSContract(t *testing.T) {
	testContract(t, func(t *testing.T) store { return blob.NewFS(t.TempDir()) })
}

// listTree returns every path under dir, relative and slash-separated.
func listTree(t *testing.T, dir string) []string {
	t.Helper()
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir {
			rel, _ := filepath.Rel(dir, p)
			paths = append(paths, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return paths
}

func TestFSNeverLeavesRoot(t *testing.T) {
	ctx := t.Context()
	parent := t.TempDir()
	outside := filepath.Join(parent, "outside")
	if err := os.Mkdir(outside, 0o755); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(parent, "root")
	s := blob.NewFS(root)

	for _, tc := range invalidKeys {
		_, _ = s.PutNew(ctx, tc.key, []byte("x"), "")
		_ = s.Put(ctx, tc.key, []byte("x"), "")
	}
	for _, key := range []string{"../outside/x", "root/../../outside/x", "../../../../../../tmp/escape"} {
		_, _ = s.PutNew(ctx, key, []byte("x"), "")
		_ = s.Put(ctx, key, []byte("x"), "")
	}
	// A symbolic link inside the root that points outside must not be followed.
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	created, err := s.PutNew(ctx, "link/x", []byte("x"), "")
	if created || !syndicator.IsPermanent(err) {
		t.Errorf("PutNew through an escaping symlink = %v, %v; want false and a permanent error", created, err)
	}
	if err := s.Put(ctx, "link/y", []byte("y"), ""); !syndicator.IsPermanent(err) {
		t.Errorf("Put through an escaping symlink: err = %v, want permanent", err)
	}
	if _, err := s.Get(ctx, "link/x"); err == nil {
		t.Error("Get through an escaping symlink succeeded")
	}

	want := []string{"outside", "root", "root/link"}
	if diff := cmp.Diff(want, listTree(t, parent)); diff != "" {
		t.Errorf("files outside the stored objects (-want +got):\n%s", diff)
	}
}

func TestFSLayoutAndTempFiles(t *testing.T) {
	ctx := t.Context()
	root := filepath.Join(t.TempDir(), "not", "yet", "there")
	s := blob.NewFS(root)

	// Reads of a root that does not exist yet are "not found", not failures.
	if _, err := s.Get(ctx, "k"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Get before the root exists: err = %v, want ErrNotFound", err)
	}
	if ok, err := s.Exists(ctx, "k"); ok || err != nil {
		t.Errorf("Exists before the root exists = %v, %v", ok, err)
	}

	if _, err := s.PutNew(ctx, "src/2024/05/id/r1/original.html", []byte("<p>"), ""); err != nil {
		t.Fatal(err)
	}
	_, _ = s.PutNew(ctx, "src/2024/05/id/r1/original.html", []byte("<p>"), "")
	_, _ = s.PutNew(ctx, "src/2024/05/id/r1/original.html", []byte("other"), "")
	if err := s.Put(ctx, "site/index.html", []byte("1"), ""); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "site/index.html", []byte("2"), ""); err != nil {
		t.Fatal(err)
	}

	want := []string{"site", "site/index.html", "src", "src/2024", "src/2024/05", "src/2024/05/id", "src/2024/05/id/r1", "src/2024/05/id/r1/original.html"}
	if diff := cmp.Diff(want, listTree(t, root)); diff != "" {
		t.Errorf("tree (-want +got), temp files must not remain:\n%s", diff)
	}

	// Write-once objects are read-only files; replaceable ones are not.
	fi, err := os.Stat(filepath.Join(root, "src/2024/05/id/r1/original.html"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm()&0o222 != 0 {
		t.Errorf("PutNew object mode %v is writable", fi.Mode())
	}
}

func TestFSPathConflicts(t *testing.T) {
	ctx := t.Context()
	s := blob.NewFS(t.TempDir())
	if _, err := s.PutNew(ctx, "a/b", []byte("x"), ""); err != nil {
		t.Fatal(err)
	}
	// "a" is a directory: it cannot become an object.
	created, err := s.PutNew(ctx, "a", []byte("x"), "")
	if created || !syndicator.IsPermanent(err) {
		t.Errorf("PutNew(a) over a directory = %v, %v; want a permanent error", created, err)
	}
	if err := s.Put(ctx, "a", []byte("x"), ""); !syndicator.IsPermanent(err) {
		t.Errorf("Put(a) over a directory: err = %v, want permanent", err)
	}
	// "a/b" is a file: nothing can go below it.
	created, err = s.PutNew(ctx, "a/b/c", []byte("x"), "")
	if created || !syndicator.IsPermanent(err) {
		t.Errorf("PutNew(a/b/c) below a file = %v, %v; want a permanent error", created, err)
	}
	if err != nil && !strings.Contains(err.Error(), "a/b/c") {
		t.Errorf("error %q does not name the key", err)
	}
}

func TestFSPermissionDeniedIsPermanent(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores file permissions")
	}
	ctx := t.Context()
	root := t.TempDir()
	s := blob.NewFS(root)
	if err := os.Chmod(root, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(root, 0o755) })
	if _, err := s.PutNew(ctx, "k", []byte("x"), ""); !syndicator.IsPermanent(err) {
		t.Errorf("PutNew in a read-only root: err = %v, want permanent", err)
	}
}

func TestFSCanceledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	s := blob.NewFS(t.TempDir())
	if _, err := s.PutNew(ctx, "k", []byte("x"), ""); !errors.Is(err, context.Canceled) || syndicator.IsPermanent(err) {
		t.Errorf("PutNew with a canceled context: err = %v, want transient context.Canceled", err)
	}
}
