package natsbus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/nats-io/nats.go/jetstream"
)

// leaseTTL is the TTL of bucket synd_leases: a lease not renewed within it
// expires, so a crashed owner blocks a source for at most this long.
const leaseTTL = 30 * time.Second

// Hold runs fn while owner holds the lease on key in synd_leases, so one
// crawler instance polls a source at a time however many run. It returns
// held=false without running fn when another owner has the lease. The
// lease is renewed every TTL/3 while fn runs; if it is lost (a renewal
// finds another owner), fn's context is cancelled. It is released when fn
// returns.
func (b *Bus) Hold(ctx context.Context, key, owner string, fn func(context.Context) error) (held bool, err error) {
	kv, err := b.bucket(syndicator.BucketLeases)
	if err != nil {
		return false, err
	}
	rev, err := kv.Create(ctx, key, []byte(owner))
	if errors.Is(err, jetstream.ErrKeyExists) {
		e, gerr := kv.Get(ctx, key)
		if gerr != nil || string(e.Value()) != owner {
			return false, nil
		}
		// Our own lease from an earlier run of this process: take it over.
		rev, err = kv.Update(ctx, key, []byte(owner), e.Revision())
	}
	if err != nil {
		return false, fmt.Errorf("lease %s: %w", key, err)
	}

	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		t := time.NewTicker(leaseTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-fctx.Done():
				return
			case <-t.C:
				next, err := kv.Update(fctx, key, []byte(owner), rev)
				if err != nil {
					if fctx.Err() == nil {
						b.log.Warn().Err(err).Str("lease", key).Msg("lease lost; stopping work")
						cancel()
					}
					return
				}
				rev = next
			}
		}
	}()
	err = fn(fctx)
	cancel()
	<-renewed
	// Release so another instance need not wait for the TTL.
	dctx, dcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer dcancel()
	if derr := kv.Delete(dctx, key, jetstream.LastRevision(rev)); derr != nil {
		b.log.Debug().Err(derr).Str("lease", key).Msg("lease not released; it expires by TTL")
	}
	return true, err
}
