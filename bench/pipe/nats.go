package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gyeco/syndicator/bench/internal/events"
)

func connect(url string) (*nats.Conn, jetstream.JetStream, error) {
	nc, err := nats.Connect(url)
	if err != nil {
		return nil, nil, err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	return nc, js, nil
}

// count is the number of messages on subjects matching filter.
func count(ctx context.Context, js jetstream.JetStream, filter string) (uint64, error) {
	name, err := js.StreamNameBySubject(ctx, filter)
	if err != nil {
		return 0, err
	}
	s, err := js.Stream(ctx, name)
	if err != nil {
		return 0, err
	}
	info, err := s.Info(ctx, jetstream.WithSubjectFilter(filter))
	if err != nil {
		return 0, err
	}
	var n uint64
	for _, c := range info.State.Subjects {
		n += c
	}
	return n, nil
}

func wait(args []string) error {
	fs := flag.NewFlagSet("wait", flag.ExitOnError)
	url := fs.String("nats", "", "NATS URL")
	filter := fs.String("filter", "", "subject filter")
	want := fs.Uint64("count", 0, "messages to wait for")
	timeout := fs.Duration("timeout", 10*time.Minute, "give up after")
	_ = fs.Parse(args)
	nc, js, err := connect(*url)
	if err != nil {
		return err
	}
	defer nc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	start := time.Now()
	var n uint64
	for {
		// The stream appears only once syndicator has provisioned it.
		n, _ = count(ctx, js, *filter)
		if n >= *want {
			fmt.Printf("%d %.3f\n", n, time.Since(start).Seconds())
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %d of %d messages after %s", *filter, n, *want, *timeout)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// stats prints, for the items of a source published on a sink: their
// number, the span from the first discovered event to the last published
// one with the items/s it gives, the rate of the discovered events alone
// (the crawler's pace), and the p50/p99/max of discovered→published per
// item (the events' own "at" times).
func stats(args []string) error {
	fs := flag.NewFlagSet("stats", flag.ExitOnError)
	url := fs.String("nats", "", "NATS URL")
	source := fs.String("source", "", "source id")
	sink := fs.String("sink", "site", "sink whose published events count")
	_ = fs.Parse(args)
	nc, js, err := connect(*url)
	if err != nil {
		return err
	}
	defer nc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	discovered := map[string]time.Time{}
	published := map[string]time.Time{}
	read := func(filter string, into map[string]time.Time) error {
		return events.Read(ctx, js, filter, func(_ string, data []byte) error {
			var ev events.Event
			if err := json.Unmarshal(data, &ev); err != nil {
				return err
			}
			if _, seen := into[ev.ID]; !seen {
				into[ev.ID] = ev.At
			}
			return nil
		})
	}
	if err := read("synd.item.discovered."+*source, discovered); err != nil {
		return err
	}
	if err := read("synd.item.published."+*sink+"."+*source, published); err != nil {
		return err
	}
	var lat []time.Duration
	var first, last time.Time
	for id, p := range published {
		d, ok := discovered[id]
		if !ok {
			continue
		}
		lat = append(lat, p.Sub(d))
		if first.IsZero() || d.Before(first) {
			first = d
		}
		if p.After(last) {
			last = p
		}
	}
	if len(lat) == 0 {
		return fmt.Errorf("no item of %s was published on %s (%d discovered)", *source, *sink, len(discovered))
	}
	var d0, d1 time.Time
	for _, d := range discovered {
		if d0.IsZero() || d.Before(d0) {
			d0 = d
		}
		if d.After(d1) {
			d1 = d
		}
	}
	slices.Sort(lat)
	q := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	span := last.Sub(first)
	fmt.Printf("items %d discovered %d span_s %.3f items_per_s %.1f discovered_per_s %.1f p50_ms %d p99_ms %d max_ms %d\n",
		len(lat), len(discovered), span.Seconds(), float64(len(lat))/span.Seconds(),
		float64(len(discovered)-1)/d1.Sub(d0).Seconds(),
		q(0.50).Milliseconds(), q(0.99).Milliseconds(), lat[len(lat)-1].Milliseconds())
	return nil
}

// jspub publishes count messages of size bytes one after another, each
// waiting for its ack, as syndicator's Bus.Publish does, on a file stream
// of its own, and prints messages/s.
func jspub(args []string) error {
	fs := flag.NewFlagSet("jspub", flag.ExitOnError)
	url := fs.String("nats", "", "NATS URL")
	n := fs.Int("count", 5000, "messages")
	size := fs.Int("size", 2048, "bytes per message")
	_ = fs.Parse(args)
	nc, js, err := connect(*url)
	if err != nil {
		return err
	}
	defer nc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if _, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: "BENCH_RAW", Subjects: []string{"bench.raw.>"}, Storage: jetstream.FileStorage,
	}); err != nil {
		return err
	}
	data := make([]byte, *size)
	for i := range data {
		data[i] = byte('a' + i%26)
	}
	start := time.Now()
	for i := range *n {
		if _, err := js.Publish(ctx, "bench.raw.x", data, jetstream.WithMsgID(fmt.Sprint(i))); err != nil {
			return err
		}
	}
	el := time.Since(start)
	fmt.Printf("msgs %d size %d seconds %.3f msgs_per_s %.1f\n", *n, *size, el.Seconds(), float64(*n)/el.Seconds())
	return nil
}
