// Package backoff is the wait between the retries of a loop that must not
// give up (NATS not there yet, an object store unreachable, a component
// that failed): the delay doubles from a first delay up to a cap, so a
// short outage is retried soon and a long one is not hammered, and the
// wait ends as soon as the context does.
package backoff

import (
	"context"
	"time"
)

// Backoff is the delay before the next retry. Build it with New; it is
// for one loop (not safe for concurrent use).
type Backoff struct {
	first, max, next time.Duration
}

// New returns a backoff whose first delay is first, doubling on each Wait
// up to max.
func New(first, max time.Duration) *Backoff {
	return &Backoff{first: first, max: max, next: first}
}

// Next is the delay the next Wait sleeps, for the retry's log line.
func (b *Backoff) Next() time.Duration { return b.next }

// Reset makes the next delay the first again: the failures in a row are
// over.
func (b *Backoff) Reset() { b.next = b.first }

// Wait sleeps the next delay and doubles it, up to the cap. It returns
// false, at once, when ctx ends first.
func (b *Backoff) Wait(ctx context.Context) bool {
	t := time.NewTimer(b.next)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
	}
	b.next = min(2*b.next, b.max)
	return true
}
