// Command colly is the Colly contender: gocolly/colly/v2 with parallelism 8
// reads the list and every detail page of the generated site and extracts
// the same fields as the floor (internal/govcn), one JSON line per page.
//
//	colly --list URL --out FILE [--parallel 8]
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"sync"

	"github.com/gocolly/colly/v2"

	"github.com/gyeco/syndicator/bench/internal/govcn"
	"github.com/gyeco/syndicator/bench/internal/record"
)

func main() {
	list := flag.String("list", "", "URL of the list JSON (required)")
	out := flag.String("out", "", "JSON lines output (required)")
	parallel := flag.Int("parallel", 8, "Colly's parallelism")
	flag.Parse()
	if *list == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "用法：colly --list URL --out 文件 [--parallel 8]")
		os.Exit(2)
	}
	if err := run(*list, *out, *parallel); err != nil {
		fmt.Fprintln(os.Stderr, "colly:", err)
		os.Exit(1)
	}
}

func run(list, out string, parallel int) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	w := record.NewWriter(f)

	var mu sync.Mutex
	var failures []error
	fail := func(err error) {
		mu.Lock()
		failures = append(failures, err)
		mu.Unlock()
	}

	c := colly.NewCollector(colly.Async(true))
	if err := c.Limit(&colly.LimitRule{DomainGlob: "*", Parallelism: parallel}); err != nil {
		return err
	}
	c.OnResponse(func(r *colly.Response) {
		if r.Request.URL.String() != list {
			return
		}
		urls, err := govcn.List(r.Body, r.Request.URL)
		if err != nil {
			fail(err)
			return
		}
		for _, u := range urls {
			if err := r.Request.Visit(u); err != nil {
				fail(fmt.Errorf("%s: %w", u, err))
			}
		}
	})
	c.OnHTML("html", func(e *colly.HTMLElement) {
		rec, err := govcn.Detail(e.DOM, e.Request.URL.String())
		if err == nil {
			err = w.Write(rec)
		}
		if err != nil {
			fail(err)
		}
	})
	c.OnError(func(r *colly.Response, err error) {
		fail(fmt.Errorf("%s: %d %w", r.Request.URL, r.StatusCode, err))
	})
	if err := c.Visit(list); err != nil {
		return err
	}
	c.Wait()
	if err := errors.Join(failures...); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}
