// Command gen writes the benchmark's gov.cn-like site into a directory: a
// 国务院文件 JSON list in gov.cn's shape (what the govcn-gwywj preset reads),
// the Template A detail pages it links (about 10–60 KB each, some with PDF
// attachments), and a truth file of what a crawler must extract from them.
//
//	gen --out DIR [--pages 5000] [--seed 1] [--base URL]
//
// DIR/site is the docroot (serve it with bench/serve), DIR/truth.jsonl the
// truth: one record.Record a page, newest first.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gyeco/syndicator/bench/internal/record"
)

// ListPath is where the preset govcn-gwywj reads its list, under base_url.
const ListPath = "/zhengce/zhengceku/gwywj/TONGYONGGAILAN.json"

func main() {
	out := flag.String("out", "", "output directory (required)")
	n := flag.Int("pages", 5000, "detail pages")
	seed := flag.Uint64("seed", 1, "seed: the same seed and --pages give the same bytes")
	base := flag.String("base", "", "prefix of the list's URLs (e.g. http://127.0.0.1:8099); empty: root-relative")
	flag.Parse()
	if *out == "" || *n < 1 {
		fmt.Fprintln(os.Stderr, "用法：gen --out 目录 [--pages 5000] [--seed 1] [--base URL]")
		os.Exit(2)
	}
	if err := write(*out, Pages(*seed, *n), *base); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// row is one entry of gov.cn's list JSON.
type row struct {
	Title    string `json:"TITLE"`
	SubTitle string `json:"SUB_TITLE"`
	URL      string `json:"URL"`
	Date     string `json:"DOCRELPUBTIME"`
}

// noiseEvery puts a special-topic row among the documents, as the real
// list has: its path fails the preset's link pattern and is never served.
const noiseEvery = 97

func write(dir string, pages []Page, base string) error {
	root := filepath.Join(dir, "site")
	if err := os.RemoveAll(root); err != nil {
		return fmt.Errorf("clear %s: %w", root, err)
	}
	put := func(path string, data []byte, mod time.Time) error {
		name := filepath.Join(root, filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(name, data, 0o644); err != nil {
			return err
		}
		return os.Chtimes(name, mod, mod)
	}
	if err := put("/robots.txt", []byte("User-agent: *\nDisallow:\n"), newest); err != nil {
		return err
	}
	tf, err := os.Create(filepath.Join(dir, "truth.jsonl"))
	if err != nil {
		return err
	}
	defer tf.Close()
	tw := bufio.NewWriter(tf)
	enc := json.NewEncoder(tw)
	enc.SetEscapeHTML(false)
	rows := make([]row, 0, len(pages)+len(pages)/noiseEvery)
	for i := range pages {
		p := &pages[i]
		if err := put(p.Path, Render(p), p.Published); err != nil {
			return err
		}
		for _, f := range p.Files {
			if err := put(f.Path, f.Data, p.Published); err != nil {
				return err
			}
		}
		sum, runes := record.BodyDigest(p.Text())
		if err := enc.Encode(record.Record{
			URL:        p.Path,
			Title:      p.Title,
			DocNumber:  p.DocNumber,
			Issuer:     p.Issuer,
			Written:    p.Written.Format(time.DateOnly),
			Published:  p.Published.Format(time.RFC3339),
			BodySHA256: sum,
			BodyRunes:  runes,
		}); err != nil {
			return err
		}
		if i%noiseEvery == noiseEvery-1 {
			rows = append(rows, row{Title: "学习贯彻党的二十届四中全会精神专题", URL: base + "/zhuanti/xxgcsjszqh/index.htm", Date: p.Published.Format(time.DateOnly)})
		}
		rows = append(rows, row{Title: p.Title, URL: base + p.Path, Date: p.Published.Format(time.DateOnly)})
	}
	list, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	if err := put(ListPath, list, newest); err != nil {
		return err
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return tf.Close()
}
