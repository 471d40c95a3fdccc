// Command check compares a contender's records with the truth file, every
// record: each page must be there once with the same title, 发文字号, 发文机关,
// 成文日期, publication time and body text, and nothing else. It exits 1 on
// any difference, printing the first ones.
//
//	check --truth DIR/truth.jsonl --got FILE
//	check --truth DIR/truth.jsonl --nats URL --source ID [--save FILE]
//
// With --nats it reads the items syndicator announced on
// synd.item.discovered.<ID> (and, with --save, writes them as records).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gyeco/syndicator/bench/internal/events"
	"github.com/gyeco/syndicator/bench/internal/record"
)

func main() {
	truth := flag.String("truth", "", "truth file (required)")
	got := flag.String("got", "", "records to check, JSON lines")
	natsURL := flag.String("nats", "", "read syndicator's discovered events from this NATS server instead of --got")
	source := flag.String("source", "", "with --nats: the source id")
	save := flag.String("save", "", "with --nats: also write the records read to this file")
	flag.Parse()
	if *truth == "" || (*got == "") == (*natsURL == "") || (*natsURL != "" && *source == "") {
		fmt.Fprintln(os.Stderr, "用法：check --truth 真值文件 (--got 记录文件 | --nats URL --source 来源ID [--save 文件])")
		os.Exit(2)
	}
	want, err := load(*truth)
	if err != nil {
		fmt.Fprintln(os.Stderr, "check:", err)
		os.Exit(1)
	}
	var have []record.Record
	if *natsURL != "" {
		*got = "synd.item.discovered." + *source
		have, err = fromNATS(*natsURL, *got, *save)
	} else {
		have, err = load(*got)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "check:", err)
		os.Exit(1)
	}
	problems, n := record.Check(want, have, 20)
	for _, p := range problems {
		fmt.Fprintln(os.Stderr, "check:", p)
	}
	if n > 0 {
		fmt.Fprintf(os.Stderr, "check: %s: %d 处与真值不符（共 %d 条真值）\n", *got, n, len(want))
		os.Exit(1)
	}
	fmt.Printf("check: %s: %d 条记录全部与真值一致\n", *got, len(have))
}

func load(name string) ([]record.Record, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := record.ReadLines(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return recs, nil
}

func fromNATS(url, subject, save string) ([]record.Record, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	nc, err := nats.Connect(url)
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	recs, err := events.Items(ctx, js, subject)
	if err != nil || save == "" {
		return recs, err
	}
	f, err := os.Create(save)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	w := record.NewWriter(f)
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			return nil, err
		}
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	return recs, f.Close()
}
