// Command floor is the benchmark's floor: the least a crawler can do on the
// generated site. It reads the list, fetches every detail page with 8
// workers over net/http, extracts the six fields and the body text with
// goquery and writes one JSON line per page (record.Record).
//
//	floor --list URL --out FILE [--workers 8]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/gyeco/syndicator/bench/internal/govcn"
	"github.com/gyeco/syndicator/bench/internal/record"
)

func main() {
	list := flag.String("list", "", "URL of the list JSON (required)")
	out := flag.String("out", "", "JSON lines output (required)")
	workers := flag.Int("workers", 8, "concurrent fetches")
	flag.Parse()
	if *list == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "用法：floor --list URL --out 文件 [--workers 8]")
		os.Exit(2)
	}
	if err := run(context.Background(), *list, *out, *workers); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, list, out string, workers int) error {
	client := &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: workers},
	}
	listURL, err := url.Parse(list)
	if err != nil {
		return err
	}
	data, err := get(ctx, client, list)
	if err != nil {
		return err
	}
	urls, err := govcn.List(data, listURL)
	if err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	w := record.NewWriter(f)
	jobs := make(chan string)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for u := range jobs {
				if err := detail(ctx, client, u, w); err != nil {
					errs <- err
					for range jobs { // drain: the run has failed
					}
					return
				}
			}
		})
	}
	for _, u := range urls {
		jobs <- u
	}
	close(jobs)
	wg.Wait()
	close(errs)
	if err := errors.Join(collect(errs)...); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

func detail(ctx context.Context, client *http.Client, u string, w *record.Writer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", u, resp.Status)
	}
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		return fmt.Errorf("%s: %w", u, err)
	}
	rec, err := govcn.Detail(doc.Selection, u)
	if err != nil {
		return err
	}
	return w.Write(rec)
}

func get(ctx context.Context, client *http.Client, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", u, resp.Status)
	}
	return io.ReadAll(resp.Body)
}

func collect(errs <-chan error) []error {
	var out []error
	for err := range errs {
		out = append(out, err)
	}
	return out
}
