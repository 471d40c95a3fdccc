package main

import (
	"context"
	"errors"
	"sync"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/decide"
	"github.com/gyeco/syndicator/syndicator/natsbus"
)

// errNoBus is what the API reads while NATS is being (re)connected.
var errNoBus = errors.New("nats is not connected yet; retry shortly")

// busRef is the server's view of the bus: the HTTP server (httpapi)
// outlives a NATS connection that is closed for good and dialled again, so
// it reads the current one through here instead of holding a connection
// of its own. It implements each of httpapi's small interfaces (Deps).
type busRef struct {
	mu  sync.RWMutex
	bus *natsbus.Bus
	dec *decide.Decider
}

// set makes bus (and its decider) current; nil while there is none.
func (r *busRef) set(bus *natsbus.Bus, dec *decide.Decider) {
	r.mu.Lock()
	r.bus, r.dec = bus, dec
	r.mu.Unlock()
}

func (r *busRef) get() (*natsbus.Bus, *decide.Decider, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.bus == nil {
		return nil, nil, errNoBus
	}
	return r.bus, r.dec, nil
}

// Connected reports whether there is a connection and it is up.
func (r *busRef) Connected() bool {
	b, _, err := r.get()
	return err == nil && b.Connected()
}

func (r *busRef) GetState(ctx context.Context, bucket, key string, v any) (bool, error) {
	b, _, err := r.get()
	if err != nil {
		return false, err
	}
	return b.GetState(ctx, bucket, key, v)
}

func (r *busRef) EachState(ctx context.Context, bucket, pattern string, fn func(key string, value []byte) error) error {
	b, _, err := r.get()
	if err != nil {
		return err
	}
	return b.EachState(ctx, bucket, pattern, fn)
}

func (r *busRef) Stats(ctx context.Context, consumers ...string) (natsbus.Stats, error) {
	b, _, err := r.get()
	if err != nil {
		return natsbus.Stats{}, err
	}
	return b.Stats(ctx, consumers...)
}

func (r *busRef) ReadEntries(ctx context.Context, fn func(data []byte) error) error {
	b, _, err := r.get()
	if err != nil {
		return err
	}
	return b.ReadEntries(ctx, fn)
}

func (r *busRef) Review(ctx context.Context, key string, in decide.Input) (*decide.Review, error) {
	_, d, err := r.get()
	if err != nil {
		return nil, err
	}
	return d.Review(ctx, key, in)
}

func (r *busRef) Document(ctx context.Context, itemID string) (*decide.Doc, bool, error) {
	_, d, err := r.get()
	if err != nil {
		return nil, false, err
	}
	return d.Document(ctx, itemID)
}

// JetStreamReady probes JetStream on the current connection, for /readyz
// (httpapi.JetStreamChecker); errNoBus while there is none.
func (r *busRef) JetStreamReady(ctx context.Context) error {
	b, _, err := r.get()
	if err != nil {
		return err
	}
	return b.JetStreamReady(ctx)
}

// LastSeq is the last sequence stored in stream, for the read model's
// freshness and the followers' backlogs (httpapi.StreamHeads).
func (r *busRef) LastSeq(ctx context.Context, stream string) (uint64, error) {
	b, _, err := r.get()
	if err != nil {
		return 0, err
	}
	return b.LastSeq(ctx, stream)
}

// LastSeqOf is the last sequence of stream on subjects matching subject.
func (r *busRef) LastSeqOf(ctx context.Context, stream, subject string) (uint64, error) {
	b, _, err := r.get()
	if err != nil {
		return 0, err
	}
	return b.LastSeqOf(ctx, stream, subject)
}

// LastEntry is the audit ledger's head entry and its sequence in SYND_AUDIT.
func (r *busRef) LastEntry(ctx context.Context) ([]byte, uint64, error) {
	b, _, err := r.get()
	if err != nil {
		return nil, 0, err
	}
	return b.LastEntry(ctx)
}

func (r *busRef) PutState(ctx context.Context, bucket, key string, v any) error {
	b, _, err := r.get()
	if err != nil {
		return err
	}
	return b.PutState(ctx, bucket, key, v)
}

func (r *busRef) Publish(ctx context.Context, ev *syndicator.Event) (bool, error) {
	b, _, err := r.get()
	if err != nil {
		return false, err
	}
	return b.Publish(ctx, ev)
}

func (r *busRef) DeadLetter(ctx context.Context, seq uint64) (*natsbus.DeadLetter, error) {
	b, _, err := r.get()
	if err != nil {
		return nil, err
	}
	return b.DeadLetter(ctx, seq)
}

func (r *busRef) Retry(ctx context.Context, d *natsbus.DeadLetter, msgID string) error {
	b, _, err := r.get()
	if err != nil {
		return err
	}
	return b.Retry(ctx, d, msgID)
}
