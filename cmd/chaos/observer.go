package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
)

// observer watches the deployment from outside: it follows the events
// stream and counts what happened to each item, and finds stream leaders.
type observer struct {
	bus *natsbus.Bus
	nc  *nats.Conn
	js  jetstream.JetStream

	mu     sync.Mutex
	next   uint64                 // the sequence to follow from
	seen   int                    // item messages applied
	counts map[string]*itemCounts // by item id
}

// itemCounts is how many events of each kind an item has, and the archive
// key of its original page.
type itemCounts struct {
	Discovered, Decided, Archived, Published int
	Original                                 string
}

// event is the part of an event the harness reads.
type event struct {
	Kind        syndicator.Kind `json:"kind"`
	ID          string          `json:"id"`
	ArchiveKeys []string        `json:"archive_keys"`
}

// connectObserver connects to the cluster, waiting for it to elect a meta
// leader (each attempt bounded: a request before then gets no answer).
func connectObserver(ctx context.Context, url string, limit time.Duration) (*observer, error) {
	deadline := time.Now().Add(limit)
	var bus *natsbus.Bus
	for {
		actx, cancel := context.WithTimeout(ctx, 5*time.Second)
		b, err := natsbus.Connect(actx, url, "chaos-observer", natsbus.Options{Replicas: topology.Replicas}, zerolog.Nop())
		cancel()
		if err == nil {
			bus = b
			break
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return nil, fmt.Errorf("connect to the nats cluster: %w", err)
		}
		time.Sleep(500 * time.Millisecond)
	}
	nc, err := nats.Connect(url, nats.MaxReconnects(-1), nats.ReconnectWait(250*time.Millisecond))
	if err != nil {
		bus.Close()
		return nil, fmt.Errorf("connect to the nats cluster: %w", err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		bus.Close()
		nc.Close()
		return nil, err
	}
	return &observer{bus: bus, nc: nc, js: js, next: 1, counts: map[string]*itemCounts{}}, nil
}

func (o *observer) Close() {
	o.bus.Close()
	o.nc.Close()
}

// Run follows the item events until ctx ends, following again from where
// it was after each failure (a node killed, the cluster without quorum).
func (o *observer) Run(ctx context.Context) {
	for ctx.Err() == nil {
		o.mu.Lock()
		from := o.next
		o.mu.Unlock()
		_ = o.bus.Follow(ctx, natsbus.StreamEvents, "synd.item.>", from, func(d natsbus.Delivered) error {
			o.apply(d.Seq, d.Data)
			return nil
		})
		select {
		case <-ctx.Done():
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (o *observer) apply(seq uint64, data []byte) {
	var ev event
	err := json.Unmarshal(data, &ev)
	o.mu.Lock()
	defer o.mu.Unlock()
	if seq < o.next {
		return // delivered again after a restart of the follower
	}
	o.next = seq + 1
	o.seen++
	if err != nil || ev.ID == "" {
		return
	}
	c := o.counts[ev.ID]
	if c == nil {
		c = &itemCounts{}
		o.counts[ev.ID] = c
	}
	switch ev.Kind {
	case syndicator.KindDiscovered:
		c.Discovered++
	case syndicator.KindDecided:
		c.Decided++
	case syndicator.KindArchived:
		c.Archived++
		for _, k := range ev.ArchiveKeys {
			if strings.HasSuffix(k, "/original.html") {
				c.Original = k
			}
		}
	case syndicator.KindPublished:
		c.Published++
	}
}

// Counts is a copy of the counts of item id.
func (o *observer) Counts(id string) itemCounts {
	o.mu.Lock()
	defer o.mu.Unlock()
	if c := o.counts[id]; c != nil {
		return *c
	}
	return itemCounts{}
}

// Items is how many distinct items have events.
func (o *observer) Items() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.counts)
}

// Leader is the server_name of the events stream's leader, asked again
// for up to 15 s while there is none (an election after a kill); "" when
// there is still none.
func (o *observer) Leader(ctx context.Context) string {
	for wait := time.Now().Add(15 * time.Second); ; {
		if l := o.leaderNow(ctx); l != "" || time.Now().After(wait) || ctx.Err() != nil {
			return l
		}
		sleep(ctx, 250*time.Millisecond)
	}
}

func (o *observer) leaderNow(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	s, err := o.js.Stream(ctx, natsbus.StreamEvents)
	if err != nil {
		return ""
	}
	info := s.CachedInfo()
	if info.Cluster == nil {
		return ""
	}
	return info.Cluster.Leader
}

// DeadLetters lists SYND_DEAD's records.
func (o *observer) DeadLetters(ctx context.Context) ([]natsbus.DeadLetter, error) {
	var out []natsbus.DeadLetter
	err := o.bus.ReadAll(ctx, natsbus.StreamDead, ">", func(_ string, data []byte) error {
		var d natsbus.DeadLetter
		if err := json.Unmarshal(data, &d); err != nil {
			return fmt.Errorf("decode dead letter: %w", err)
		}
		out = append(out, d)
		return nil
	})
	return out, err
}

// caughtUp waits until the observer has applied every item message the
// events stream holds now.
func (o *observer) caughtUp(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		stored, err := o.stored(ctx)
		if err == nil {
			o.mu.Lock()
			seen := o.seen
			o.mu.Unlock()
			if seen >= stored {
				return nil
			}
			err = fmt.Errorf("%d of %d item events read", seen, stored)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: %v", errNotCaughtUp, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// stored counts the item messages in the events stream.
func (o *observer) stored(ctx context.Context) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	s, err := o.js.Stream(ctx, natsbus.StreamEvents)
	if err != nil {
		return 0, err
	}
	info, err := s.Info(ctx, jetstream.WithSubjectFilter("synd.item.>"))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range info.State.Subjects {
		n += int(c)
	}
	return n, nil
}
