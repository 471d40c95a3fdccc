package natsbus

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/ledger"
	"github.com/rs/zerolog"
)

// Sweeper deletes the claims that events name once no reader may still
// read those events: no durable consumer of SYND_EVENTS taking them has an
// ack floor below them, and the audit ledger has recorded them. The
// archive deletes a revision's page and attachment claims itself; what is
// left for the sweeper is the item claims (item/<sha>) of large items,
// which archived and decided events name again, and any claim whose
// deletion failed. Body claims (body/<id>/r<rev>/<sha>) it leaves to the
// store's TTL: nearly every item's body travels so, and a reader outside
// the pipeline (a dead letter retried, a sink enabled later) needs it as
// it needed the inline body before.
//
// A consumer's ack floor is all it reports: a message it holds back (the
// decider waits up to two hours for a document's origin) keeps every later
// event it takes, and so their claims, until it is acked. A claim a review
// entry (KV synd_review) points at is kept as well. Claims are never needed
// again by an event every reader has passed: a redelivery comes before the
// ack, and a handler publishes what it derives (naming the same claim, it
// may) before it acks. Readers outside the pipeline (a dead-letter
// record's event, a durable consumer created later) find the claims of
// events the pipeline has passed gone.
//
// A new sweeper starts at the lowest reader position: claims of events
// passed before it started (a restart between two sweeps) are left to the
// store's TTL rather than reading the whole stream again.
type Sweeper struct {
	bus   *Bus
	every time.Duration
	log   zerolog.Logger
	// window holds the claims named by the events some reader taking
	// them has not passed yet, by stream sequence, through read.
	window []namedClaims
	read   uint64
	begun  bool
}

// namedClaims are the claims one event names.
type namedClaims struct {
	seq     uint64
	subject string
	refs    []string
}

// reader is one reader of SYND_EVENTS: its position, and the subjects it
// takes (nil: all item events).
type reader struct {
	name    string
	floor   uint64
	filters []string
}

// NewSweeper returns a sweeper that runs every interval (default 1 min);
// it does no I/O.
func NewSweeper(bus *Bus, every time.Duration, log zerolog.Logger) *Sweeper {
	if every <= 0 {
		every = time.Minute
	}
	return &Sweeper{bus: bus, every: every, log: log.With().Str("component", "claim-sweeper").Logger()}
}

// Run sweeps every interval until ctx ends. A failed sweep is logged and
// tried again at the next interval.
func (s *Sweeper) Run(ctx context.Context) error {
	t := time.NewTicker(s.every)
	defer t.Stop()
	for {
		n, err := s.Sweep(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			s.log.Warn().Err(err).Stringer("retry_in", s.every).Msg("claim sweep failed")
		case n > 0:
			s.log.Info().Int("deleted", n).Int("events_pending", len(s.window)).Msg("claims deleted")
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Sweep deletes the live claims named only by events no reader may still
// read, and returns how many it deleted.
func (s *Sweeper) Sweep(ctx context.Context) (int, error) {
	readers, last, err := s.readers(ctx)
	if err != nil {
		return 0, err
	}
	if !s.begun {
		s.read = last
		for _, r := range readers {
			s.read = min(s.read, r.floor)
		}
		s.begun = true
	}
	if err := s.bus.readEvents(ctx, s.read+1, last, func(seq uint64, subject string, ev *namedRefs) {
		if refs := claimRefs(ev); len(refs) > 0 {
			s.window = append(s.window, namedClaims{seq: seq, subject: subject, refs: refs})
		}
	}); err != nil {
		return 0, err
	}
	s.read = max(s.read, last)

	passed, kept := map[string]bool{}, map[string]bool{}
	var still []namedClaims
	for _, e := range s.window {
		needed := false
		for _, r := range readers {
			if e.seq > r.floor && r.takes(e.subject) {
				needed = true
				break
			}
		}
		for _, ref := range e.refs {
			if needed {
				kept[ref] = true
			} else {
				passed[ref] = true
			}
		}
		if needed {
			still = append(still, e)
		}
	}
	for ref := range kept {
		delete(passed, ref)
	}
	n, err := s.deletePassed(ctx, passed)
	if err != nil {
		return n, err
	}
	// A passed event is done with: its claims were deleted now, or are
	// named by an event still in the window, which deletes them when it
	// passes.
	s.window = still
	return n, nil
}

// deletePassed deletes the claims in passed that are still stored and that
// no review entry points at. Each is looked up by name (a direct get of
// its meta), not found in a listing of the store: a listing reads every
// object's meta, and so loads every block of the store's stream into the
// server's cache, each minute.
func (s *Sweeper) deletePassed(ctx context.Context, passed map[string]bool) (int, error) {
	if len(passed) == 0 {
		return 0, nil
	}
	if err := s.bus.EachState(ctx, syndicator.BucketReview, ">", func(_ string, value []byte) error {
		var r struct {
			ItemRef string `json:"item_ref"`
		}
		if json.Unmarshal(value, &r) == nil {
			delete(passed, r.ItemRef)
		}
		return nil
	}); err != nil {
		return 0, err
	}
	n := 0
	for ref := range passed {
		_, err := s.bus.captures.GetInfo(ctx, ref)
		if IsNotFound(err) {
			continue // deleted by the archive, or expired
		}
		if err == nil {
			err = s.bus.DeleteClaim(ctx, ref)
		}
		if err != nil {
			return n, fmt.Errorf("delete claim %s: %w", ref, err) // the rest is deleted by the next sweep
		}
		n++
	}
	return n, nil
}

// readers returns the readers of SYND_EVENTS and the last sequence to
// read. The stream's last sequence is read before the consumers, and again
// after, so that an event a handler published before acking the one it
// derives from (naming the same claim) is in the window, needed by its
// readers.
func (s *Sweeper) readers(ctx context.Context) ([]reader, uint64, error) {
	st, err := s.bus.js.Stream(ctx, StreamEvents)
	if err != nil {
		return nil, 0, fmt.Errorf("stream %s: %w", StreamEvents, err)
	}
	before := st.CachedInfo().State.LastSeq
	var out []reader
	consumers := st.ListConsumers(ctx)
	for ci := range consumers.Info() {
		if ci.Config.Durable == "" {
			continue // ordered readers: the ledger's position is read below
		}
		// The ack floor, even when the consumer reports nothing pending:
		// on a cluster its leader may be a replica still catching up with
		// the stream, which reports nothing pending for events the
		// stream's leader already holds (the chaos harness saw the sweeper
		// delete the page claims of 30 events just published so, right
		// after a node came back). The events after the floor that the
		// consumer does not take are not held for it (takes).
		r := reader{name: ci.Name, floor: min(before, ci.AckFloor.Stream), filters: ci.Config.FilterSubjects}
		if ci.Config.FilterSubject != "" {
			r.filters = append(r.filters, ci.Config.FilterSubject)
		}
		out = append(out, r)
	}
	if err := consumers.Err(); err != nil {
		return nil, 0, fmt.Errorf("list consumers of %s: %w", StreamEvents, err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("stream %s: %w", StreamEvents, err)
	}
	last := info.State.LastSeq
	data, _, err := s.bus.LastEntry(ctx)
	if err != nil {
		return nil, 0, err
	}
	recorded := uint64(0)
	if data != nil {
		var e ledger.Entry
		if err := json.Unmarshal(data, &e); err != nil {
			return nil, 0, fmt.Errorf("decode the ledger head: %w", err)
		}
		recorded = e.EventSeq
	}
	return append(out, reader{name: "ledger", floor: recorded}), last, nil
}

// takes reports whether the reader takes events on subject.
func (r reader) takes(subject string) bool {
	if len(r.filters) == 0 {
		return true
	}
	for _, f := range r.filters {
		if subjectMatches(f, subject) {
			return true
		}
	}
	return false
}

// subjectMatches reports whether subject matches filter, whose tokens may
// be * (one token) or a final > (one or more).
func subjectMatches(filter, subject string) bool {
	ft, st := strings.Split(filter, "."), strings.Split(subject, ".")
	for i, f := range ft {
		if f == ">" {
			return len(st) > i
		}
		if i >= len(st) || (f != "*" && f != st[i]) {
			return false
		}
	}
	return len(ft) == len(st)
}

// namedRefs is what the sweeper decodes of an event: the claims it names,
// and nothing of its item.
type namedRefs struct {
	ItemRef string `json:"item_ref"`
	Capture *struct {
		Ref string `json:"ref"`
	} `json:"capture"`
	Attachments []struct {
		Ref string `json:"ref"`
	} `json:"attachments"`
}

// claimRefs are the claims an event names that the sweeper deletes once
// passed: all but its body claim.
func claimRefs(ev *namedRefs) []string {
	var refs []string
	if ev.ItemRef != "" {
		refs = append(refs, ev.ItemRef)
	}
	if ev.Capture != nil && ev.Capture.Ref != "" {
		refs = append(refs, ev.Capture.Ref)
	}
	for _, a := range ev.Attachments {
		if a.Ref != "" {
			refs = append(refs, a.Ref)
		}
	}
	return refs
}

// readEvents calls fn with the claims named by every item event of
// SYND_EVENTS from sequence from through to, in order; events that do not
// decode are skipped.
func (b *Bus) readEvents(ctx context.Context, from, to uint64, fn func(seq uint64, subject string, ev *namedRefs)) error {
	if from > to {
		return nil
	}
	return b.readRange(ctx, StreamEvents, syndicator.SubjectItems, from, to, func(seq uint64, subject string, data []byte) error {
		var ev namedRefs
		if json.Unmarshal(data, &ev) == nil {
			fn(seq, subject, &ev)
		}
		return nil
	})
}
