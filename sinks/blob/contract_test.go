package blob_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gyeco/syndicator/sinks/blob"
	"github.com/gyeco/syndicator/syndicator"
)

// store is the method set both backends share.
type store interface {
	PutNew(ctx context.Context, key string, data []byte, contentType string) (bool, error)
	Put(ctx context.Context, key string, data []byte, contentType string) error
	Get(ctx context.Context, key string) ([]byte, error)
	Exists(ctx context.Context, key string) (bool, error)
}

var (
	_ store = (*blob.FS)(nil)
	_ store = (*blob.S3)(nil)
)

// invalidKeys must be refused by every method of every backend.
var invalidKeys = []struct{ name, key string }{
	{"empty", ""},
	{"absolute", "/etc/passwd"},
	{"dotdot", "../escape"},
	{"inner dotdot", "a/../../escape"},
	{"trailing dotdot", "a/.."},
	{"dot", "a/./b"},
	{"backslash", `a\..\..\escape`},
	{"nul", "a/b\x00c"},
	{"control", "a/b\nc"},
	{"double slash", "a//b"},
	{"trailing slash", "a/b/"},
	{"invalid utf8", "a/\xff"},
	{"reserved temp prefix", "a/.blob-tmp-X"},
}

const html = "text/html; charset=utf-8"

// testContract runs the behaviour every backend must show; open returns a
// fresh, empty store for each subtest.
func testContract(t *testing.T, open func(t *testing.T) store) {
	t.Run("PutNewCreates", func(t *testing.T) {
		s, ctx := open(t), t.Context()
		key := "govcn/2024/05/0123abcd/r1/original.html"
		want := []byte("<html>国务院关于……的通知</html>")
		mustPutNew(t, s, key, want, true)
		if got := mustGet(t, s, key); !bytes.Equal(got, want) {
			t.Errorf("Get(%q) = %q, want %q", key, got, want)
		}
		if ok, err := s.Exists(ctx, key); err != nil || !ok {
			t.Errorf("Exists(%q) = %v, %v; want true, nil", key, ok, err)
		}
	})

	t.Run("PutNewSameBytesIsIdempotent", func(t *testing.T) {
		s := open(t)
		key := "attachments/abc"
		mustPutNew(t, s, key, []byte("same"), true)
		mustPutNew(t, s, key, []byte("same"), false)
		mustPutNew(t, s, key, []byte("same"), false)
	})

	t.Run("PutNewDifferentBytesIsRefused", func(t *testing.T) {
		s, ctx := open(t), t.Context()
		key := "src/2024/01/id/r1/item.json"
		mustPutNew(t, s, key, []byte(`{"v":1}`), true)
		created, err := s.PutNew(ctx, key, []byte(`{"v":2}`), "application/json")
		if created || !syndicator.IsPermanent(err) || !errors.Is(err, blob.ErrConflict) {
			t.Fatalf("PutNew(different bytes) = %v, %v; want false and a permanent ErrConflict", created, err)
		}
		if err != nil && !bytes.Contains([]byte(err.Error()), []byte(key)) {
			t.Errorf("error %q does not name the key %q", err, key)
		}
		if got := mustGet(t, s, key); string(got) != `{"v":1}` {
			t.Errorf("stored bytes changed to %q", got)
		}
	})

	t.Run("EmptyObject", func(t *testing.T) {
		s := open(t)
		mustPutNew(t, s, "empty", nil, true)
		mustPutNew(t, s, "empty", []byte{}, false)
		if got := mustGet(t, s, "empty"); len(got) != 0 {
			t.Errorf("Get(empty) = %q, want nothing", got)
		}
	})

	t.Run("ChineseKey", func(t *testing.T) {
		s := open(t)
		key := "guiyang/文件/国发〔2024〕3号 通知.pdf"
		mustPutNew(t, s, key, []byte("%PDF"), true)
		if got := mustGet(t, s, key); string(got) != "%PDF" {
			t.Errorf("Get(%q) = %q", key, got)
		}
	})

	t.Run("PutOverwrites", func(t *testing.T) {
		s, ctx := open(t), t.Context()
		key := "column/index.html"
		for _, body := range []string{"first", "second, longer", "3"} {
			if err := s.Put(ctx, key, []byte(body), html); err != nil {
				t.Fatalf("Put(%q): %v", body, err)
			}
			if got := mustGet(t, s, key); string(got) != body {
				t.Fatalf("Get after Put(%q) = %q", body, got)
			}
		}
		// A key written by Put is taken for PutNew.
		mustPutNew(t, s, key, []byte("3"), false)
		if _, err := s.PutNew(ctx, key, []byte("4"), html); !syndicator.IsPermanent(err) {
			t.Errorf("PutNew over Put object with other bytes: err = %v, want permanent", err)
		}
	})

	t.Run("Missing", func(t *testing.T) {
		s, ctx := open(t), t.Context()
		for _, key := range []string{"nothing/here", "a"} {
			_, err := s.Get(ctx, key)
			if !errors.Is(err, blob.ErrNotFound) {
				t.Errorf("Get(%q) err = %v, want ErrNotFound", key, err)
			}
			if syndicator.IsPermanent(err) {
				t.Errorf("Get(%q) not-found error is permanent", key)
			}
			if ok, err := s.Exists(ctx, key); ok || err != nil {
				t.Errorf("Exists(%q) = %v, %v; want false, nil", key, ok, err)
			}
		}
		// A "directory" (common prefix) is not an object.
		mustPutNew(t, s, "a/b", []byte("x"), true)
		if _, err := s.Get(ctx, "a"); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("Get(prefix) err = %v, want ErrNotFound", err)
		}
		if ok, err := s.Exists(ctx, "a"); ok || err != nil {
			t.Errorf("Exists(prefix) = %v, %v; want false, nil", ok, err)
		}
		if ok, err := s.Exists(ctx, "a/b/c"); ok || err != nil {
			t.Errorf("Exists(below an object) = %v, %v; want false, nil", ok, err)
		}
	})

	t.Run("InvalidKeys", func(t *testing.T) {
		s, ctx := open(t), t.Context()
		for _, tc := range invalidKeys {
			t.Run(tc.name, func(t *testing.T) {
				check := func(method string, err error) {
					t.Helper()
					if !syndicator.IsPermanent(err) || !errors.Is(err, blob.ErrInvalidKey) {
						t.Errorf("%s(%q) err = %v, want a permanent ErrInvalidKey", method, tc.key, err)
					}
				}
				created, err := s.PutNew(ctx, tc.key, []byte("x"), "")
				if created {
					t.Errorf("PutNew(%q) created an object", tc.key)
				}
				check("PutNew", err)
				check("Put", s.Put(ctx, tc.key, []byte("x"), ""))
				_, err = s.Get(ctx, tc.key)
				check("Get", err)
				_, err = s.Exists(ctx, tc.key)
				check("Exists", err)
			})
		}
	})

	t.Run("ConcurrentPutNewSameBytes", func(t *testing.T) {
		s := open(t)
		results := putNewConcurrently(t, s, "race/same", func(int) []byte { return []byte("identical payload") })
		var created int
		for i, r := range results {
			if r.err != nil {
				t.Errorf("writer %d: %v", i, r.err)
			}
			if r.created {
				created++
			}
		}
		if created != 1 {
			t.Errorf("%d writers reported created=true, want exactly 1", created)
		}
	})

	t.Run("ConcurrentPutNewDifferentBytes", func(t *testing.T) {
		s := open(t)
		payload := func(i int) []byte { return fmt.Appendf(nil, "payload of writer %d", i) }
		results := putNewConcurrently(t, s, "race/different", payload)
		winner := -1
		for i, r := range results {
			switch {
			case r.created && r.err == nil:
				if winner >= 0 {
					t.Errorf("writers %d and %d both created the object", winner, i)
				}
				winner = i
			case !r.created && syndicator.IsPermanent(r.err) && errors.Is(r.err, blob.ErrConflict):
			default:
				t.Errorf("writer %d: created=%v err=%v, want a win or a permanent conflict", i, r.created, r.err)
			}
		}
		if winner < 0 {
			t.Fatal("no writer created the object")
		}
		if diff := cmp.Diff(string(payload(winner)), string(mustGet(t, s, "race/different"))); diff != "" {
			t.Errorf("stored object is not the winner's (-want +got):\n%s", diff)
		}
	})

	t.Run("ConcurrentPutIsAtomic", func(t *testing.T) {
		s, ctx := open(t), t.Context()
		payload := func(i int) []byte { return bytes.Repeat([]byte{byte('a' + i)}, 64<<10) }
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				if err := s.Put(ctx, "race/put", payload(i), html); err != nil {
					t.Errorf("Put %d: %v", i, err)
				}
			})
		}
		wg.Wait()
		got := mustGet(t, s, "race/put")
		if len(got) != 64<<10 || !bytes.Equal(got, bytes.Repeat(got[:1], len(got))) {
			t.Errorf("stored object mixes writers: %d bytes starting %q", len(got), got[:min(len(got), 8)])
		}
	})
}

type putResult struct {
	created bool
	err     error
}

// putNewConcurrently runs PutNew(key, payload(i)) from 8 goroutines
// released together and returns their results.
func putNewConcurrently(t *testing.T, s store, key string, payload func(int) []byte) []putResult {
	t.Helper()
	ctx := t.Context()
	results := make([]putResult, 8)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() {
			<-start
			created, err := s.PutNew(ctx, key, payload(i), "text/plain")
			results[i] = putResult{created, err}
		})
	}
	close(start)
	wg.Wait()
	return results
}

func mustPutNew(t *testing.T, s store, key string, data []byte, wantCreated bool) {
	t.Helper()
	created, err := s.PutNew(t.Context(), key, data, html)
	if err != nil || created != wantCreated {
		t.Fatalf("PutNew(%q) = %v, %v; want %v, nil", key, created, err, wantCreated)
	}
}

func mustGet(t *testing.T, s store, key string) []byte {
	t.Helper()
	data, err := s.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return data
}
