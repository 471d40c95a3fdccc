// Package events reads what syndicator published on NATS JetStream, with
// the nats.go client only: the bench module does not import syndicator, so
// it can check any revision of it (bench/run --baseline) the same way.
package events

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/gyeco/syndicator/bench/internal/record"
)

// captures is syndicator's claim-check object store
// (syndicator.ObjectCaptures): items too large to ride inline live there.
const captures = "synd_captures"

// Read calls fn with every message on subjects matching filter, in stream
// order, and returns once it has seen as many as the stream held when Read
// started.
func Read(ctx context.Context, js jetstream.JetStream, filter string, fn func(subject string, data []byte) error) error {
	name, err := js.StreamNameBySubject(ctx, filter)
	if err != nil {
		return fmt.Errorf("stream of %s: %w", filter, err)
	}
	s, err := js.Stream(ctx, name)
	if err != nil {
		return fmt.Errorf("stream %s: %w", name, err)
	}
	info, err := s.Info(ctx, jetstream.WithSubjectFilter(filter))
	if err != nil {
		return fmt.Errorf("stream %s: %w", name, err)
	}
	var want uint64
	for _, n := range info.State.Subjects {
		want += n
	}
	if want == 0 {
		return nil
	}
	c, err := s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{FilterSubjects: []string{filter}})
	if err != nil {
		return fmt.Errorf("read %s: %w", filter, err)
	}
	var seen uint64
	for seen < want {
		// Ask for no more than are left: a batch waits until it is full.
		batch, err := c.Fetch(int(min(500, want-seen)), jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			return fmt.Errorf("read %s: %w", filter, err)
		}
		got := 0
		for m := range batch.Messages() {
			got++
			seen++
			if err := fn(m.Subject(), m.Data()); err != nil {
				return err
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
			return fmt.Errorf("read %s: %w", filter, err)
		}
		if got == 0 {
			return fmt.Errorf("read %s: %d of %d messages, then none for 5s", filter, seen, want)
		}
	}
	return nil
}

// Event is the part of a syndicator event (syndicator.Event) the bench
// reads.
type Event struct {
	Kind    string          `json:"kind"`
	ID      string          `json:"id"`
	Sink    string          `json:"sink"`
	At      time.Time       `json:"at"`
	Item    json.RawMessage `json:"item"`
	ItemRef string          `json:"item_ref"`
	// BodyRef names the body when it travelled apart from the item
	// (syndicator.Body: body_html and body_text).
	BodyRef string `json:"body_ref"`
}

// Item is the part of a syndicator item (syndicator.Item) the checker
// compares.
type Item struct {
	URL         string    `json:"url"`
	Title       string    `json:"title"`
	DocNumber   string    `json:"doc_number"`
	Issuer      string    `json:"issuer"`
	WrittenAt   string    `json:"written_at"`
	PublishedAt time.Time `json:"published_at"`
	BodyText    string    `json:"body_text"`
}

// bodyText is the body_text of a body claim, in either form syndicator has
// written: JSON {"body_html","body_text"}, or the length of body_html in
// decimal and a newline, then body_html, then body_text.
func bodyText(data []byte) (string, error) {
	if len(data) > 0 && data[0] == '{' {
		var body struct {
			Text string `json:"body_text"`
		}
		err := json.Unmarshal(data, &body)
		return body.Text, err
	}
	line, rest, ok := bytes.Cut(data, []byte("\n"))
	n, err := strconv.Atoi(string(line))
	if !ok || err != nil || n < 0 || n > len(rest) {
		return "", fmt.Errorf("body claim of an unknown form (starts %q)", data[:min(len(data), 16)])
	}
	return string(rest[n:]), nil
}

// Items returns the record of every item announced on subjects matching
// filter (synd.item.discovered.<source>), reading an item that did not
// ride inline from the claim-check store.
func Items(ctx context.Context, js jetstream.JetStream, filter string) ([]record.Record, error) {
	var store jetstream.ObjectStore
	claim := func(name string) ([]byte, error) {
		if store == nil {
			var err error
			if store, err = js.ObjectStore(ctx, captures); err != nil {
				return nil, fmt.Errorf("object store %s: %w", captures, err)
			}
		}
		obj, err := store.Get(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("claim %s: %w", name, err)
		}
		defer obj.Close()
		data, err := io.ReadAll(obj)
		if err != nil {
			return nil, fmt.Errorf("claim %s: %w", name, err)
		}
		return data, nil
	}
	var out []record.Record
	err := Read(ctx, js, filter, func(subject string, data []byte) error {
		var ev Event
		if err := json.Unmarshal(data, &ev); err != nil {
			return fmt.Errorf("%s: %w", subject, err)
		}
		raw := []byte(ev.Item)
		if len(ev.Item) == 0 || string(ev.Item) == "null" {
			if ev.ItemRef == "" {
				return fmt.Errorf("%s event %s carries neither item nor item_ref", subject, ev.ID)
			}
			var err error
			if raw, err = claim(ev.ItemRef); err != nil {
				return fmt.Errorf("item of %s: %w", ev.ID, err)
			}
		}
		var it Item
		if err := json.Unmarshal(raw, &it); err != nil {
			return fmt.Errorf("item of %s: %w", ev.ID, err)
		}
		if ev.BodyRef != "" {
			data, err := claim(ev.BodyRef)
			if err != nil {
				return fmt.Errorf("body of %s: %w", ev.ID, err)
			}
			text, err := bodyText(data)
			if err != nil {
				return fmt.Errorf("body %s of %s: %w", ev.BodyRef, ev.ID, err)
			}
			it.BodyText = text
		}
		rec := record.Record{
			URL:       it.URL,
			Title:     it.Title,
			DocNumber: it.DocNumber,
			Issuer:    it.Issuer,
			Written:   it.WrittenAt,
			Published: it.PublishedAt.Format(time.RFC3339),
		}
		rec.BodySHA256, rec.BodyRunes = record.BodyDigest(it.BodyText)
		out = append(out, rec)
		return nil
	})
	return out, err
}
