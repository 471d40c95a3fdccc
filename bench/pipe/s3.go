package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// s3put PUTs the detail pages of a generated site (their own bytes, so the
// sizes are the archive's originals) one after another into a new bucket,
// as the archive sink writes an item's objects, and prints PUTs/s.
func s3put(args []string) error {
	fl := flag.NewFlagSet("s3put", flag.ExitOnError)
	endpoint := fl.String("endpoint", "", "MinIO host:port")
	access := fl.String("access", "", "access key")
	secret := fl.String("secret", "", "secret key")
	dir := fl.String("dir", "", "docroot written by gen")
	n := fl.Int("count", 1000, "objects to put")
	_ = fl.Parse(args)
	var pages []string
	err := filepath.WalkDir(*dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".htm") && len(pages) < *n {
			pages = append(pages, p)
		}
		return err
	})
	if err != nil {
		return err
	}
	if len(pages) == 0 {
		return fmt.Errorf("no pages under %s", *dir)
	}
	mc, err := minio.New(*endpoint, &minio.Options{Creds: credentials.NewStaticV4(*access, *secret, "")})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	bucket := fmt.Sprintf("bench-raw-%d", time.Now().UnixNano())
	if err := mc.MakeBucket(ctx, bucket, minio.MakeBucketOptions{}); err != nil {
		return err
	}
	var total int64
	start := time.Now()
	for i := range *n {
		data, err := os.ReadFile(pages[i%len(pages)])
		if err != nil {
			return err
		}
		if _, err := mc.PutObject(ctx, bucket, fmt.Sprintf("raw/%d.htm", i), bytes.NewReader(data), int64(len(data)),
			minio.PutObjectOptions{ContentType: "text/html; charset=utf-8"}); err != nil {
			return err
		}
		total += int64(len(data))
	}
	el := time.Since(start)
	fmt.Printf("puts %d bytes %d seconds %.3f puts_per_s %.1f\n", *n, total, el.Seconds(), float64(*n)/el.Seconds())
	return nil
}
