package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/gyeco/syndicator/bench/internal/govcn"
	"github.com/gyeco/syndicator/bench/internal/record"
)

// The site is deterministic: the truth file of one run holds for the bytes
// of another.
func TestPagesDeterministic(t *testing.T) {
	a, b := Pages(1, 30), Pages(1, 30)
	for i := range a {
		if !bytes.Equal(Render(&a[i]), Render(&b[i])) {
			t.Fatalf("page %d differs between two runs with the same seed", i)
		}
	}
	if c := Pages(2, 30); bytes.Equal(Render(&a[0]), Render(&c[0])) {
		t.Fatal("seeds 1 and 2 give the same first page")
	}
}

// What the floor reads from a rendered page is the page's truth, and pages
// are in the sizes the benchmark promises.
func TestRenderReadsBackAsTruth(t *testing.T) {
	pages := Pages(1, 60)
	var truth, got []record.Record
	titles := map[string]bool{}
	numbers := map[string]bool{}
	for i := range pages {
		p := &pages[i]
		html := Render(p)
		if n := len(html); n < 9<<10 || n > 64<<10 {
			t.Errorf("%s: %d bytes, want about 10–60 KB", p.Path, n)
		}
		if titles[p.Title] || numbers[p.DocNumber] {
			t.Errorf("%s: title %q or number %q given twice", p.Path, p.Title, p.DocNumber)
		}
		titles[p.Title], numbers[p.DocNumber] = true, true
		sum, runes := record.BodyDigest(p.Text())
		truth = append(truth, record.Record{
			URL: p.Path, Title: p.Title, DocNumber: p.DocNumber, Issuer: p.Issuer,
			Written: p.Written.Format("2006-01-02"), Published: p.Published.Format("2006-01-02T15:04:05Z07:00"),
			BodySHA256: sum, BodyRunes: runes,
		})
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(html))
		if err != nil {
			t.Fatal(err)
		}
		rec, err := govcn.Detail(doc.Selection, "http://127.0.0.1:1"+p.Path)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, rec)
	}
	if problems, n := record.Check(truth, got, 10); n > 0 {
		t.Fatalf("%d differences:\n%s", n, strings.Join(problems, "\n"))
	}
	var tables, files int
	for _, p := range pages {
		for _, b := range p.Body {
			if b.Rows != nil {
				tables++
			}
		}
		files += len(p.Files)
	}
	if tables != len(pages) || files == 0 {
		t.Errorf("%d tables and %d attachments on %d pages, want a table on each and some attachments", tables, files, len(pages))
	}
}
