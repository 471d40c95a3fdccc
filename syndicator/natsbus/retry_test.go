package natsbus_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
)

// seen records what each handler and follower was handed.
type seen struct {
	mu  sync.Mutex
	got map[string][]string // reader -> "id#attempt" or subjects
}

func (s *seen) add(reader, what string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.got == nil {
		s.got = map[string][]string{}
	}
	s.got[reader] = append(s.got[reader], what)
}

func (s *seen) of(reader string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.got[reader]...)
}

func (s *seen) count(reader, what string) int {
	n := 0
	for _, w := range s.of(reader) {
		if w == what {
			n++
		}
	}
	return n
}

// deadRecords reads SYND_DEAD by sequence.
func deadRecords(t *testing.T, b *natsbus.Bus) map[uint64]natsbus.DeadLetter {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out := map[uint64]natsbus.DeadLetter{}
	last, err := b.LastSeq(ctx, natsbus.StreamDead)
	if err != nil || last == 0 {
		return out
	}
	stop := errors.New("read to the end")
	err = b.Follow(ctx, natsbus.StreamDead, syndicator.SubjectDead, 1, func(d natsbus.Delivered) error {
		var rec natsbus.DeadLetter
		if err := json.Unmarshal(d.Data, &rec); err != nil {
			return err
		}
		out[d.Seq] = rec
		if d.Seq >= last {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Fatalf("read %s: %v", natsbus.StreamDead, err)
	}
	return out
}

// waitDead waits for the dead letter with sequence seq.
func waitDead(t *testing.T, b *natsbus.Bus, seq uint64) natsbus.DeadLetter {
	t.Helper()
	var rec natsbus.DeadLetter
	natstest.WaitFor(t, 10*time.Second, fmt.Sprintf("dead letter %d", seq), func() (bool, string) {
		recs := deadRecords(t, b)
		rec = recs[seq]
		return len(recs) >= int(seq), fmt.Sprintf("%d dead letters", len(recs))
	})
	return rec
}

func consume(t *testing.T, ctx context.Context, b *natsbus.Bus, durable string, h natsbus.Handler) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		done <- b.Consume(ctx, natsbus.ConsumerSpec{
			Durable: durable, Subjects: []string{"synd.item.discovered.>"}, Workers: 1,
			Backoff: []time.Duration{10 * time.Millisecond}, MaxDeliver: 3,
		}, h)
	}()
	t.Cleanup(func() {
		if err := <-done; err != nil {
			t.Errorf("consume %s returned %v", durable, err)
		}
	})
}

func retryCount(t *testing.T, b *natsbus.Bus, consumer string) int {
	t.Helper()
	n := 0
	if err := b.ReadAll(context.Background(), natsbus.StreamEvents, syndicator.SubjectRetry(consumer), func(_ string, data []byte) error {
		n++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRetryHandsTheDeadLetterBackToItsConsumerOnly(t *testing.T) {
	b := connect(t, natstest.Embedded(t))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var s seen
	followDone := make(chan error, 1)
	go func() {
		followDone <- b.Follow(ctx, natsbus.StreamEvents, syndicator.SubjectItems, 1, func(d natsbus.Delivered) error {
			s.add("ledger", d.Subject)
			return nil
		})
	}()
	failed := false
	consume(t, ctx, b, "site", func(_ context.Context, ev *syndicator.Event, attempt int) error {
		s.add("site", fmt.Sprintf("%s#%d", ev.ID, attempt))
		if ev.ID == "r1" && !failed {
			failed = true // one worker: no race
			return syndicator.Permanent(errors.New("template broken"))
		}
		return nil
	})
	consume(t, ctx, b, "webhook", func(_ context.Context, ev *syndicator.Event, attempt int) error {
		s.add("webhook", fmt.Sprintf("%s#%d", ev.ID, attempt))
		return nil
	})
	if _, err := b.Publish(ctx, event("r1", "正文")); err != nil {
		t.Fatal(err)
	}

	rec := waitDead(t, b, 1)
	if rec.Consumer != "site" || rec.Subject != "synd.item.discovered.src" || !rec.Permanent || rec.Deliveries != 1 ||
		!strings.Contains(rec.Error, "template broken") || rec.StreamSeq != 1 {
		t.Errorf("dead letter record %+v", rec)
	}
	got, err := b.DeadLetter(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	var ev syndicator.Event
	if err := json.Unmarshal(got.Data, &ev); err != nil || ev.ID != "r1" || got.Consumer != "site" || got.Subject != rec.Subject {
		t.Fatalf("DeadLetter(1) = %+v (event %+v, %v)", got, ev, err)
	}

	if err := b.Retry(ctx, got, "retry.site.1.0"); err != nil {
		t.Fatal(err)
	}
	natstest.WaitFor(t, 10*time.Second, "the retry to be handled", func() (bool, string) {
		return s.count("site", "r1#1") == 2, fmt.Sprintf("site saw %v", s.of("site"))
	})
	// The same hand-back again (a double click): dropped by JetStream.
	if err := b.Retry(ctx, got, "retry.site.1.0"); err != nil {
		t.Fatal(err)
	}
	if n := retryCount(t, b, "site"); n != 1 {
		t.Errorf("%d retries stored, want 1 (the second has the same message id)", n)
	}
	// A later, new retry comes through; then a new event, to know every
	// reader is past the retries.
	if err := b.Retry(ctx, got, "retry.site.1.7"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Publish(ctx, event("r2", "正文")); err != nil {
		t.Fatal(err)
	}
	natstest.WaitFor(t, 10*time.Second, "every reader to reach r2", func() (bool, string) {
		return s.count("site", "r2#1") == 1 && s.count("webhook", "r2#1") == 1 && len(s.of("ledger")) >= 2,
			fmt.Sprintf("site %v, webhook %v, ledger %v", s.of("site"), s.of("webhook"), s.of("ledger"))
	})
	if got := s.of("site"); strings.Join(got, " ") != "r1#1 r1#1 r1#1 r2#1" {
		t.Errorf("site handled %v, want r1 three times (first, retry, new retry) and r2", got)
	}
	if got := s.of("webhook"); strings.Join(got, " ") != "r1#1 r2#1" {
		t.Errorf("webhook handled %v, want r1 and r2 once each", got)
	}
	if got := s.of("ledger"); strings.Join(got, " ") != "synd.item.discovered.src synd.item.discovered.src" {
		t.Errorf("the follower of synd.item.> saw %v, want the two events only", got)
	}
	if recs := deadRecords(t, b); len(recs) != 1 {
		t.Errorf("%d dead letters, want 1: the retries succeeded", len(recs))
	}
	cancel()
	if err := <-followDone; err != nil {
		t.Errorf("follow returned %v", err)
	}
}

func TestRetryThatFailsAgainKeepsItsFirstSubject(t *testing.T) {
	b := connect(t, natstest.Embedded(t))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var s seen
	consume(t, ctx, b, "archive", func(_ context.Context, ev *syndicator.Event, attempt int) error {
		s.add("archive", fmt.Sprintf("%s#%d", ev.ID, attempt))
		return syndicator.Permanent(fmt.Errorf("bucket gone (attempt %d)", attempt))
	})
	first := event("f1", "正文")
	if _, err := b.Publish(ctx, first); err != nil {
		t.Fatal(err)
	}
	rec1 := waitDead(t, b, 1)
	d1, err := b.DeadLetter(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Retry(ctx, d1, "retry.archive.1.0"); err != nil {
		t.Fatal(err)
	}
	rec2 := waitDead(t, b, 2)
	if rec2.Subject != first.Subject() || rec2.Subject != rec1.Subject || rec2.Consumer != "archive" {
		t.Errorf("dead letter of the failed retry: subject %q consumer %q, want %q archive", rec2.Subject, rec2.Consumer, first.Subject())
	}
	if rec2.StreamSeq == rec1.StreamSeq || string(rec2.Data) != string(rec1.Data) {
		t.Errorf("second record: stream seq %d (first %d), same event %v; want the retry's seq and the same event",
			rec2.StreamSeq, rec1.StreamSeq, string(rec2.Data) == string(rec1.Data))
	}
	// Retried again from the second record: still the first subject.
	d2, err := b.DeadLetter(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Retry(ctx, d2, "retry.archive.2.0"); err != nil {
		t.Fatal(err)
	}
	if rec3 := waitDead(t, b, 3); rec3.Subject != first.Subject() {
		t.Errorf("third dead letter subject %q, want %q", rec3.Subject, first.Subject())
	}
	if got := s.count("archive", "f1#1"); got != 3 {
		t.Errorf("archive handled f1 %d times, want 3 (each retry once, never redelivered after a permanent error)", got)
	}
}

func TestDeadLetterAndRetryErrors(t *testing.T) {
	b := connect(t, natstest.Embedded(t))
	ctx := context.Background()
	for _, seq := range []uint64{1, 42} {
		if d, err := b.DeadLetter(ctx, seq); !errors.Is(err, natsbus.ErrNoDeadLetter) {
			t.Errorf("DeadLetter(%d) of an empty stream = %+v, %v; want ErrNoDeadLetter", seq, d, err)
		}
	}
	for name, d := range map[string]*natsbus.DeadLetter{
		"no consumer": {Subject: "synd.item.discovered.src", Data: []byte(`{"id":"x"}`)},
		"no event":    {Consumer: "site", Subject: "synd.item.discovered.src"},
	} {
		if err := b.Retry(ctx, d, "retry."+name); err == nil || !syndicator.IsPermanent(err) {
			t.Errorf("Retry with %s: %v, want a permanent error", name, err)
		}
	}
	if n := retryCount(t, b, "site"); n != 0 {
		t.Errorf("%d retries stored by refused retries", n)
	}
}
