package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/sinks/webhook"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
)

// consume runs the sink under the real consumer, with short backoffs,
// until the test ends.
func (e *env) consume(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- e.bus.Consume(ctx, natsbus.ConsumerSpec{
			Durable: webhook.Name, Subjects: webhook.Subjects(), MaxDeliver: 10,
			Backoff: []time.Duration{20 * time.Millisecond, 50 * time.Millisecond}, AckWait: 5 * time.Second,
			HandlerTimeout: 10 * time.Second, Workers: 4,
		}, e.sink.Handle)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Consume: %v", err)
		}
	})
}

func (e *env) publish(t *testing.T, evs ...*syndicator.Event) {
	t.Helper()
	for _, ev := range evs {
		if _, err := e.bus.Publish(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
}

func (e *env) deadLetters(t *testing.T) []natsbus.DeadLetter {
	t.Helper()
	var out []natsbus.DeadLetter
	err := e.bus.ReadAll(context.Background(), natsbus.StreamDead, "synd.dead."+webhook.Name, func(_ string, data []byte) error {
		var dl natsbus.DeadLetter
		if err := json.Unmarshal(data, &dl); err != nil {
			return err
		}
		out = append(out, dl)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// waitFor polls every 50 ms: a condition may read a stream, which costs
// a consumer.
func waitFor(t *testing.T, what string, ok func() (bool, string)) {
	t.Helper()
	natstest.WaitEvery(t, 50*time.Millisecond, 30*time.Second, what, ok)
}

// TestUnderTheConsumer runs the sink as deployed, against a CMS that fails,
// throttles, hangs past the client timeout and loses answers: every item
// is created exactly once, every request is signed, and the item the CMS
// refuses ends in the dead letter at once.
func TestUnderTheConsumer(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 300*time.Millisecond)
	e.cms.FailNext(3)
	e.cms.ThrottleNext(1, time.Second)
	e.cms.HangNext(2, 3*time.Second)
	e.cms.LoseNext(2)
	bad := decided("refused", 1)
	e.cms.Reject(bad.ID, http.StatusUnprocessableEntity)

	var ids []string
	evs := []*syndicator.Event{bad}
	for i := range 8 {
		ev := decided(fmt.Sprintf("c%d", i), 1)
		ids = append(ids, ev.ID)
		evs = append(evs, ev)
	}
	review := decided("c0", 1) // an operator's decision on a revision already sent
	review.Decision.Step, review.Decision.ReviewedAt = syndicator.StepReview, time.Date(2026, 9, 1, 4, 0, 0, 0, time.UTC)
	evs = append(evs, review)
	e.publish(t, evs...)
	e.consume(t)

	waitFor(t, "every item created and the refusal dead-lettered", func() (bool, string) {
		var state []string
		done := true
		for _, id := range ids {
			if e.cms.Creates(id) < 1 {
				done = false
			}
			state = append(state, fmt.Sprint(e.cms.Creates(id)))
		}
		// Reading the stream costs a consumer: only once the rest is done.
		// The CMS may count a create (a lost answer) before the sink has
		// recorded it; the published events say the sink knows of each.
		if !done || len(e.deadLetters(t)) != 1 {
			return false, "creates " + strings.Join(state, ",")
		}
		for _, id := range ids {
			if len(e.published(t, id)) == 0 {
				return false, id + " created but not yet recorded by the sink"
			}
		}
		return true, ""
	})

	// Then a validity change, a withdrawal and a revision.
	e.publish(t, validity(ids[1], 1, syndicator.ValidityRepealed, "basis-9"), withdrawn(ids[2], 1), decided("c3", 2))
	waitFor(t, "the validity change, withdrawal and update", func() (bool, string) {
		return e.cms.Validity(ids[1]) == "repealed" && e.cms.Withdrawals(ids[2]) == 1 && e.cms.Revision(ids[3]) == 2,
			fmt.Sprintf("validity %q withdrawals %d revision %d", e.cms.Validity(ids[1]), e.cms.Withdrawals(ids[2]), e.cms.Revision(ids[3]))
	})
	time.Sleep(300 * time.Millisecond) // let any stray redelivery land before counting

	for i, id := range ids {
		if n := e.cms.Creates(id); n != 1 {
			t.Errorf("item c%d created %d times", i, n)
		}
		want := 1
		if i == 3 {
			want = 2
		}
		if n := len(e.published(t, id)); n != want {
			t.Errorf("item c%d: %d published events, want %d", i, n, want)
		}
	}
	if n := e.cms.Updates(ids[3]); n != 1 {
		t.Errorf("c3 updated %d times, want 1", n)
	}
	if n := e.cms.ValidityChanges(ids[1]); n != 1 {
		t.Errorf("c1 validity changed %d times, want 1", n)
	}
	if n := e.cms.BadSignatures(); n != 0 {
		t.Errorf("%d requests with a bad signature", n)
	}
	if n := e.cms.KeyConflicts(); n != 0 {
		t.Errorf("%d Idempotency-Keys reused with another body", n)
	}
	if n := e.cms.Replays(); n < 4 {
		t.Errorf("%d replayed answers, want at least 4 (2 hung, 2 lost)", n)
	}

	if n := e.cms.Creates(bad.ID); n != 0 {
		t.Errorf("the refused item was created %d times", n)
	}
	dls := e.deadLetters(t)
	if len(dls) != 1 {
		t.Fatalf("%d dead letters, want 1", len(dls))
	}
	dl := dls[0]
	var dead syndicator.Event
	if err := json.Unmarshal(dl.Data, &dead); err != nil {
		t.Fatal(err)
	}
	if dead.ID != bad.ID || !dl.Permanent || dl.Deliveries != 1 || dl.Consumer != webhook.Name ||
		!strings.Contains(dl.Error, "422") || !strings.Contains(dl.Error, "操作被拒绝") {
		t.Errorf("dead letter %+v (event %s), want the refused item, permanent at the first delivery, with the CMS's answer", dl, dead.ID)
	}
	if strings.Contains(e.logs.String(), secret) {
		t.Error("the secret is in the log")
	}
}
