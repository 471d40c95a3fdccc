package main

import (
	"context"
)

// busRef's reads for /metrics (metrics_collect.go streamHeads), through
// the current connection like its other methods (busref.go).

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
