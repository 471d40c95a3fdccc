package blob_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/gyeco/syndicator/sinks/blob"
	"github.com/gyeco/syndicator/sinks/blob/blobtest"
	"github.com/gyeco/syndicator/syndicator"
)

// newS3 builds an S3 for cfg and ensures its bucket.
func newS3(t *testing.T, cfg blob.S3Config) *blob.S3 {
	t.Helper()
	s, err := blob.NewS3(cfg)
	if err != nil {
		t.Fatalf("NewS3: %v", err)
	}
	if err := s.Ensure(t.Context()); err != nil {
		t.Fatalf("Ensure: %v", err)
	}
	return s
}

func TestS3Contract(t *testing.T) {
	t.Parallel()
	blobtest.Config(t) // skip, or fail in CI, once rather than in every subtest
	for _, prefix := range []string{"", "site/"} {
		t.Run("prefix="+prefix, func(t *testing.T) {
			testContract(t, func(t *testing.T) store {
				cfg := blobtest.MinIO(t)
				cfg.Prefix = prefix
				return newS3(t, cfg)
			})
		})
	}
}

func TestS3ObjectNamesAndContentType(t *testing.T) {
	ctx := t.Context()
	cfg := blobtest.MinIO(t)
	cfg.Prefix = "/archive/"
	s := newS3(t, cfg)
	if _, err := s.PutNew(ctx, "src/2024/05/id/r1/item.json", []byte(`{}`), "application/json"); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "index.html", []byte(`<html>`), "text/html; charset=utf-8"); err != nil {
		t.Fatal(err)
	}
	client := blobtest.Client(t, cfg)
	for name, want := range map[string]string{
		"archive/src/2024/05/id/r1/item.json": "application/json",
		"archive/index.html":                  "text/html; charset=utf-8",
	} {
		info, err := client.StatObject(ctx, cfg.Bucket, name, minio.StatObjectOptions{})
		if err != nil {
			t.Errorf("stat %q: %v", name, err)
			continue
		}
		if info.ContentType != want {
			t.Errorf("%q content type = %q, want %q", name, info.ContentType, want)
		}
	}
}

func TestS3ObjectLock(t *testing.T) {
	ctx := t.Context()
	cfg := blobtest.Config(t) // Ensure must create the bucket, with object lock
	cfg.ObjectLockDays = 1
	blobtest.RemoveAtCleanup(t, cfg)
	s := newS3(t, cfg)
	if err := s.Ensure(ctx); err != nil {
		t.Fatalf("second Ensure: %v", err)
	}

	key := "src/2024/05/id/r1/original.html"
	before := time.Now()
	if created, err := s.PutNew(ctx, key, []byte("<p>原文</p>"), "text/html"); err != nil || !created {
		t.Fatalf("PutNew = %v, %v", created, err)
	}
	mode, until, err := blobtest.Client(t, cfg).GetObjectRetention(ctx, cfg.Bucket, key, "")
	if err != nil {
		t.Fatalf("GetObjectRetention: %v", err)
	}
	if mode == nil || *mode != minio.Governance {
		t.Errorf("retention mode = %v, want GOVERNANCE", mode)
	}
	if until == nil || until.Before(before.Add(23*time.Hour)) || until.After(time.Now().Add(25*time.Hour)) {
		t.Errorf("retain until %v, want about a day after %v", until, before)
	}
	// Redelivery and conflict behave as without a lock.
	if created, err := s.PutNew(ctx, key, []byte("<p>原文</p>"), "text/html"); err != nil || created {
		t.Errorf("PutNew again = %v, %v; want false, nil", created, err)
	}
	if _, err := s.PutNew(ctx, key, []byte("changed"), "text/html"); !errors.Is(err, blob.ErrConflict) || !syndicator.IsPermanent(err) {
		t.Errorf("PutNew with other bytes: err = %v, want permanent ErrConflict", err)
	}
	// The locked object cannot be removed with ordinary rights.
	if err := blobtest.Client(t, cfg).RemoveObject(ctx, cfg.Bucket, key, minio.RemoveObjectOptions{VersionID: versionOf(t, cfg, key)}); err == nil {
		t.Error("removing a retained object version succeeded")
	}
}

func versionOf(t *testing.T, cfg blob.S3Config, key string) string {
	t.Helper()
	info, err := blobtest.Client(t, cfg).StatObject(t.Context(), cfg.Bucket, key, minio.StatObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return info.VersionID
}

func TestS3EnsureRefusesBucketWithoutLock(t *testing.T) {
	cfg := blobtest.MinIO(t) // created without object lock
	cfg.ObjectLockDays = 1
	s, err := blob.NewS3(cfg)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Ensure(t.Context())
	if !syndicator.IsPermanent(err) || !strings.Contains(err.Error(), cfg.Bucket) {
		t.Errorf("Ensure = %v, want a permanent error naming the bucket", err)
	}
}

func TestS3WrongCredentials(t *testing.T) {
	cfg := blobtest.MinIO(t)
	cfg.SecretKey = "not-the-secret"
	s, err := blob.NewS3(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	err = s.Ensure(ctx)
	t.Log(err)
	if !syndicator.IsPermanent(err) {
		t.Errorf("Ensure with a wrong secret: err = %v, want permanent", err)
	}
	for _, want := range []string{cfg.Endpoint, cfg.Bucket, "credentials"} {
		if err != nil && !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if _, err := s.PutNew(ctx, "k", []byte("x"), ""); !syndicator.IsPermanent(err) {
		t.Errorf("PutNew with a wrong secret: err = %v, want permanent", err)
	}
}

func TestS3MissingBucketIsPermanent(t *testing.T) {
	cfg := blobtest.Config(t) // never created
	s, err := blob.NewS3(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if _, err := s.PutNew(ctx, "k", []byte("x"), ""); !syndicator.IsPermanent(err) {
		t.Errorf("PutNew into a missing bucket: err = %v, want permanent", err)
	}
	if _, err := s.Get(ctx, "k"); errors.Is(err, blob.ErrNotFound) || !syndicator.IsPermanent(err) {
		t.Errorf("Get from a missing bucket: err = %v, want permanent, not ErrNotFound", err)
	}
	if ok, err := s.Exists(ctx, "k"); ok || !syndicator.IsPermanent(err) {
		t.Errorf("Exists in a missing bucket = %v, %v; want a permanent error", ok, err)
	}
}

// TestS3Unreachable needs no server: nothing listens on port 1.
func TestS3Unreachable(t *testing.T) {
	cfg := blob.S3Config{Endpoint: "127.0.0.1:1", Bucket: "archive", Region: "us-east-1", AccessKey: "a", SecretKey: "b"}
	s, err := blob.NewS3(cfg)
	if err != nil {
		t.Fatalf("NewS3 must do no I/O, got %v", err)
	}
	calls := map[string]func(context.Context) error{
		"Ensure": s.Ensure,
		"PutNew": func(ctx context.Context) error { _, err := s.PutNew(ctx, "k", []byte("x"), ""); return err },
		"Put":    func(ctx context.Context) error { return s.Put(ctx, "k", []byte("x"), "") },
		"Get":    func(ctx context.Context) error { _, err := s.Get(ctx, "k"); return err },
		"Exists": func(ctx context.Context) error { _, err := s.Exists(ctx, "k"); return err },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			t.Parallel() // each waits out its own 2 s deadline
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
			defer cancel()
			start := time.Now()
			err := call(ctx)
			elapsed := time.Since(start)
			t.Logf("after %v: %v", elapsed.Round(time.Millisecond), err)
			if elapsed > 5*time.Second {
				t.Errorf("took %v", elapsed)
			}
			if err == nil || syndicator.IsPermanent(err) || errors.Is(err, blob.ErrNotFound) {
				t.Fatalf("err = %v, want a transient error", err)
			}
			for _, want := range []string{"127.0.0.1:1", `"archive"`} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %s", err, want)
				}
			}
		})
	}
}

func TestNewS3RejectsBadConfig(t *testing.T) {
	good := blob.S3Config{Endpoint: "minio:9000", Bucket: "archive"}
	tests := []struct {
		name   string
		mutate func(*blob.S3Config)
	}{
		{"no endpoint", func(c *blob.S3Config) { c.Endpoint = "" }},
		{"scheme", func(c *blob.S3Config) { c.Endpoint = "http://minio:9000" }},
		{"no bucket", func(c *blob.S3Config) { c.Bucket = "" }},
		{"upper-case bucket", func(c *blob.S3Config) { c.Bucket = "Archive" }},
		{"bucket with underscore", func(c *blob.S3Config) { c.Bucket = "my_archive" }},
		{"negative lock days", func(c *blob.S3Config) { c.ObjectLockDays = -1 }},
		{"dotdot prefix", func(c *blob.S3Config) { c.Prefix = "a/../b" }},
	}
	if _, err := blob.NewS3(good); err != nil {
		t.Fatalf("NewS3(good) = %v", err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := good
			tc.mutate(&cfg)
			if _, err := blob.NewS3(cfg); !syndicator.IsPermanent(err) {
				t.Errorf("NewS3 err = %v, want permanent", err)
			}
		})
	}
}
