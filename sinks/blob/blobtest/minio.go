// Package blobtest gives integration tests a bucket of its own on a running
// MinIO server.
//
// The server is named by three environment variables:
//
//	SYND_TEST_S3_ENDPOINT    host:port, e.g. 127.0.0.1:9000 (plain HTTP)
//	SYND_TEST_S3_ACCESS_KEY  e.g. minioadmin
//	SYND_TEST_S3_SECRET_KEY  e.g. minioadmin
//
// Without them a test is skipped, except in CI (CI=true), where it fails:
// .ci/run must start MinIO and export them.
package blobtest

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/gyeco/syndicator/sinks/blob"
)

// Environment variables naming the test server.
const (
	EnvEndpoint  = "SYND_TEST_S3_ENDPOINT"
	EnvAccessKey = "SYND_TEST_S3_ACCESS_KEY"
	EnvSecretKey = "SYND_TEST_S3_SECRET_KEY"
)

const hint = "MinIO required in CI: .ci/run must start it and export SYND_TEST_S3_* " +
	"(locally: minio server DIR --address 127.0.0.1:9000, then export " +
	EnvEndpoint + "=127.0.0.1:9000 " + EnvAccessKey + "=minioadmin " + EnvSecretKey + "=minioadmin)"

// opTimeout bounds each setup and cleanup step.
const opTimeout = 30 * time.Second

// MinIO returns the configuration of a fresh, uniquely named, empty bucket
// (without object lock) on the test server, removed with all its objects
// when the test ends. Without the server it skips the test, or fails it
// when CI=true.
func MinIO(t testing.TB) blob.S3Config {
	t.Helper()
	cfg := Config(t)
	client := Client(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	if err := client.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{}); err != nil {
		t.Fatalf("blobtest: create bucket %q at %s: %v", cfg.Bucket, cfg.Endpoint, err)
	}
	RemoveAtCleanup(t, cfg)
	return cfg
}

// Config returns the test server's configuration with a fresh unique
// bucket name, without creating the bucket: for tests of bucket creation,
// which should call RemoveAtCleanup. It skips or fails like MinIO.
func Config(t testing.TB) blob.S3Config {
	t.Helper()
	endpoint := os.Getenv(EnvEndpoint)
	access, secret := os.Getenv(EnvAccessKey), os.Getenv(EnvSecretKey)
	if endpoint == "" || access == "" || secret == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal(hint)
		}
		t.Skip(hint)
	}
	return blob.S3Config{
		Endpoint:  endpoint,
		Bucket:    bucketName(t.Name()),
		AccessKey: access,
		SecretKey: secret,
	}
}

// Client returns a plain minio-go client for cfg, for assertions the blob
// API does not offer (retention, content type, raw object names).
func Client(t testing.TB, cfg blob.S3Config) *minio.Client {
	t.Helper()
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.Secure,
		Region: cfg.Region,
	})
	if err != nil {
		t.Fatalf("blobtest: client for %s: %v", cfg.Endpoint, err)
	}
	return c
}

// RemoveAtCleanup removes cfg.Bucket, if it exists, when the test ends:
// every object version first, bypassing governance retention. Failures are
// logged, not fatal.
func RemoveAtCleanup(t testing.TB, cfg blob.S3Config) {
	t.Helper()
	client := Client(t, cfg)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
		defer cancel()
		if err := removeBucket(ctx, client, cfg.Bucket); err != nil {
			t.Logf("blobtest: remove bucket %q: %v", cfg.Bucket, err)
		}
	})
}

func removeBucket(ctx context.Context, c *minio.Client, bucket string) error {
	ok, err := c.BucketExists(ctx, bucket)
	if err != nil || !ok {
		return err
	}
	for obj := range c.ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true, WithVersions: true}) {
		if obj.Err != nil {
			return obj.Err
		}
		err := c.RemoveObject(ctx, bucket, obj.Key, minio.RemoveObjectOptions{
			VersionID:        obj.VersionID,
			GovernanceBypass: true,
		})
		if err != nil {
			return err
		}
	}
	return c.RemoveBucket(ctx, bucket)
}

// bucketName makes a valid, unique bucket name that shows the test's name:
// "synd-<test>-<random>", lowercase letters, digits and hyphens, at most 50
// characters so callers may add a short suffix.
func bucketName(testName string) string {
	var b strings.Builder
	hyphen := true // no leading hyphen, no runs of hyphens
	for _, r := range strings.ToLower(testName) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			hyphen = false
		case !hyphen:
			b.WriteByte('-')
			hyphen = true
		}
		if b.Len() >= 28 {
			break
		}
	}
	name := strings.TrimRight(b.String(), "-")
	return fmt.Sprintf("synd-%s-%s", name, strings.ToLower(rand.Text()[:12]))
}
