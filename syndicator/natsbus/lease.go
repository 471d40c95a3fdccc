package natsbus

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/nats-io/nats.go"
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
	rev, err := b.takeLease(ctx, kv, key, owner)
	if err != nil || rev == 0 {
		return false, err
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
				// Retried for a third of the TTL at most: past that the
				// lease may expire and another instance take it while fn
				// still runs here.
				rctx, rcancel := context.WithTimeout(fctx, leaseTTL/3)
				next, err := b.kvWrite(rctx, kv, "renew lease "+key, key, []byte(owner), rev)
				rcancel()
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
	if derr := b.retry(dctx, "release lease "+key, func(ctx context.Context) error {
		return kv.Delete(ctx, key, jetstream.LastRevision(rev))
	}); derr != nil {
		b.log.Debug().Err(derr).Str("lease", key).Msg("lease not released; it expires by TTL")
	}
	return true, err
}

// takeLease writes owner's lease record on key for Hold and returns its
// revision, or 0 when another owner holds it. A record naming owner is
// owner's own, from an earlier run of this process or from an attempt
// here whose answer was lost: it is taken over by a write at its
// revision, so an instance that wrote meanwhile wins, never both.
func (b *Bus) takeLease(ctx context.Context, kv jetstream.KeyValue, key, owner string) (uint64, error) {
	var rev uint64
	err := b.retry(ctx, "lease "+key, func(ctx context.Context) (err error) {
		rev, err = kv.Create(ctx, key, []byte(owner))
		return err
	})
	if !errors.Is(err, jetstream.ErrKeyExists) {
		if err != nil {
			return 0, fmt.Errorf("lease %s: %w", key, err)
		}
		return rev, nil
	}
	var e jetstream.KeyValueEntry
	if err := b.retry(ctx, "lease "+key, func(ctx context.Context) (err error) {
		e, err = kv.Get(ctx, key)
		return err
	}); err != nil || string(e.Value()) != owner {
		return 0, nil
	}
	// Only owner writes its name: a later revision naming it that a
	// retry finds is our own write whose answer was lost (kvWrite).
	rev, err = b.kvWrite(ctx, kv, "lease "+key, key, []byte(owner), e.Revision())
	if err != nil {
		return 0, fmt.Errorf("lease %s: %w", key, err)
	}
	return rev, nil
}

// keeper holds the long-lived leases of one Bus (Acquire): every claim it
// holds lives as long as one heartbeat key of the connection, renewed at
// leaseTTL/3, so holding a thousand sources costs one write every ten
// seconds, not one per source per poll. The zero value is ready.
//
// In synd_leases:
//   - live.<token>: the heartbeat of this connection (token is random per
//     Bus); the bucket's TTL removes it leaseTTL after its last renewal;
//   - <key> (e.g. source.<id>): the claim, "<owner> <token>", written with
//     a per-message TTL of never, so it outlives the bucket's TTL and is
//     written only when the lease changes hands. A claim is alive while
//     its token's heartbeat is.
type keeper struct {
	mu      sync.Mutex
	token   string
	claims  map[string]*heldLease // by key
	hbRev   uint64                // revision of the heartbeat; 0: not running
	pending int                   // Acquires under way
	taking  map[string]bool       // keys an Acquire is taking now
	epoch   int                   // heartbeats started, to tell a restarted one
	stopped chan struct{}         // closed to stop the heartbeat loop
}

// heldLease is one key this connection holds.
type heldLease struct {
	owner string
	refs  int           // Acquires not yet Released
	rev   uint64        // revision of the claim record
	lost  chan struct{} // closed when the lease is lost
}

// Acquire takes the lease on key in synd_leases for owner and keeps it
// until Release, across any number of polls, so one crawler instance polls
// a source at a time however many run. It returns a channel closed if the
// lease is lost (this connection could not renew its heartbeat in time:
// another instance may take the key over), or nil, nil when another live
// owner holds the key. A claim whose holder stopped renewing (its process
// died) is taken over once its heartbeat expires, within leaseTTL; a claim
// left by an earlier run of the same owner is taken over at once.
func (b *Bus) Acquire(ctx context.Context, key, owner string) (lost <-chan struct{}, err error) {
	kv, err := b.bucket(syndicator.BucketLeases)
	if err != nil {
		return nil, err
	}
	k := &b.leases
	k.mu.Lock()
	if c, ok := k.claims[key]; ok {
		if c.owner != owner {
			k.mu.Unlock()
			return nil, nil // another owner on this connection
		}
		c.refs++
		k.mu.Unlock()
		return c.lost, nil
	}
	if k.taking[key] {
		// Another owner on this connection is taking the key now: were
		// both to go on, the second would read the first's record as one
		// left by this connection, take it over and cut the first's poll
		// short after it began.
		k.mu.Unlock()
		return nil, nil
	}
	if k.taking == nil {
		k.taking = map[string]bool{}
	}
	k.taking[key] = true
	token := k.token
	k.pending++ // keeps the heartbeat until this Acquire is done
	k.mu.Unlock()
	defer func() {
		k.mu.Lock()
		k.pending--
		delete(k.taking, key)
		k.idleLocked()
		k.mu.Unlock()
	}()

	var stream jetstream.Stream
	subject := "$KV." + syndicator.BucketLeases + "." + key
	var last uint64 // the claim record's revision; 0: none
	var m *jetstream.RawStreamMsg
	err = b.retry(ctx, "lease "+key, func(ctx context.Context) (err error) {
		if stream == nil {
			if stream, err = b.js.Stream(ctx, "KV_"+syndicator.BucketLeases); err != nil {
				return err
			}
		}
		m, err = stream.GetLastMsgForSubject(ctx, subject)
		return err
	})
	switch {
	case errors.Is(err, jetstream.ErrMsgNotFound):
	case err != nil:
		return nil, fmt.Errorf("lease %s: %w", key, err)
	default:
		last = m.Sequence
		if deleted(m.Header) {
			break
		}
		// A record naming this connection's token but no lease it holds
		// was left by a lease lost meanwhile: it is free to take.
		held, heldToken, _ := strings.Cut(string(m.Data), " ")
		if held != owner && (heldToken != token || token == "") {
			alive, err := b.alive(ctx, kv, heldToken)
			if err != nil || alive {
				return nil, err
			}
		}
	}
	k.mu.Lock()
	token, err = k.beat(ctx, b, kv)
	epoch := k.epoch
	k.mu.Unlock()
	if err != nil {
		return nil, err
	}
	// Written even when the record names us: our heartbeat may have lapsed
	// meanwhile, and writing at the revision read fences off an instance
	// that saw it lapse and is taking the key over now.
	claim := []byte(owner + " " + token)
	// The sequence of our claim record. An attempt whose answer was lost
	// may have written it: the token is this connection's and one Acquire
	// at a time takes the key here (k.taking), so a later record with our
	// bytes is it (writeOnce).
	seq, err := b.writeOnce(ctx, "lease "+key, claim, last,
		func(ctx context.Context) (uint64, error) {
			msg := &nats.Msg{Subject: subject, Data: claim, Header: nats.Header{}}
			msg.Header.Set(jetstream.MsgTTLHeader, "never")
			ack, err := b.js.PublishMsg(ctx, msg, jetstream.WithExpectLastSequencePerSubject(last))
			if err != nil {
				return 0, err
			}
			return ack.Sequence, nil
		},
		func(ctx context.Context) (uint64, []byte, error) {
			return lastMsg(stream.GetLastMsgForSubject(ctx, subject))
		})
	if isWrongSequence(err) {
		return nil, nil // another instance took it first
	}
	if err != nil {
		return nil, fmt.Errorf("lease %s: %w", key, err)
	}

	k.mu.Lock()
	defer k.mu.Unlock()
	prev, taken := k.claims[key]
	if k.epoch != epoch || k.stopped == nil || taken && prev.rev > seq {
		// The heartbeat was lost while we wrote, or another Acquire on
		// this connection wrote after us: this lease is lost already.
		ch := make(chan struct{})
		close(ch)
		return ch, nil
	}
	if taken {
		// Another Acquire on this connection wrote before us: ours fenced
		// it off.
		close(prev.lost)
	}
	if k.claims == nil {
		k.claims = map[string]*heldLease{}
	}
	c := &heldLease{owner: owner, refs: 1, rev: seq, lost: make(chan struct{})}
	k.claims[key] = c
	return c.lost, nil
}

// Release gives up a lease taken with Acquire once every Acquire of it was
// released, so another instance need not wait for the heartbeat to expire.
func (b *Bus) Release(key, owner string) {
	k := &b.leases
	k.mu.Lock()
	c, ok := k.claims[key]
	if !ok || c.owner != owner {
		k.mu.Unlock()
		return
	}
	if c.refs--; c.refs > 0 {
		k.mu.Unlock()
		return
	}
	delete(k.claims, key)
	k.idleLocked()
	k.mu.Unlock()
	kv, err := b.bucket(syndicator.BucketLeases)
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.retry(ctx, "release lease "+key, func(ctx context.Context) error {
		return kv.Delete(ctx, key, jetstream.LastRevision(c.rev))
	}); err != nil {
		b.log.Debug().Err(err).Str("lease", key).Msg("lease not released; another instance takes it once this one's heartbeat expires")
	}
}

// idleLocked stops the heartbeat when no lease is held any more: it
// expires by itself. k.mu is held.
func (k *keeper) idleLocked() {
	if len(k.claims) == 0 && k.pending == 0 && k.stopped != nil {
		close(k.stopped)
		k.stopped, k.hbRev, k.token = nil, 0, ""
	}
}

// beat makes sure the heartbeat runs and returns its token; k.mu is held.
func (k *keeper) beat(ctx context.Context, b *Bus, kv jetstream.KeyValue) (string, error) {
	if k.stopped != nil {
		return k.token, nil
	}
	token := k.token
	if token == "" {
		var raw [8]byte
		_, _ = rand.Read(raw[:])
		token = hex.EncodeToString(raw[:])
	}
	// k.mu is held meanwhile (Release, lose and other Acquires wait):
	// retried for a third of the TTL at most.
	pctx, cancel := context.WithTimeout(ctx, leaseTTL/3)
	defer cancel()
	var rev uint64
	err := b.retry(pctx, "lease heartbeat", func(ctx context.Context) (err error) {
		rev, err = kv.Put(ctx, "live."+token, []byte("live"))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("lease heartbeat: %w", err)
	}
	k.token, k.hbRev, k.stopped = token, rev, make(chan struct{})
	k.epoch++
	go k.renew(b, kv, token, k.stopped)
	return token, nil
}

// renew rewrites the heartbeat every leaseTTL/3 until stopped or the
// connection closes. A renewal that fails loses every lease: the
// heartbeat may expire before the next one, and then other instances take
// the keys over.
func (k *keeper) renew(b *Bus, kv jetstream.KeyValue, token string, stopped chan struct{}) {
	t := time.NewTicker(leaseTTL / 3)
	defer t.Stop()
	for {
		select {
		case <-stopped:
			return
		case <-b.closed:
			k.lose(token, errors.New("connection closed"), b)
			return
		case <-t.C:
		}
		k.mu.Lock()
		rev := k.hbRev
		k.mu.Unlock()
		// Retried for a third of the TTL at most, so the leases are
		// given up before the heartbeat can expire and others take them.
		ctx, cancel := context.WithTimeout(context.Background(), leaseTTL/3)
		// Only this keeper writes live.<token> (kvWrite).
		next, err := b.kvWrite(ctx, kv, "lease heartbeat", "live."+token, []byte("live"), rev)
		cancel()
		if err != nil {
			k.lose(token, err, b)
			return
		}
		k.mu.Lock()
		if k.token == token {
			k.hbRev = next
		}
		k.mu.Unlock()
	}
}

// lose ends every lease of the heartbeat token.
func (k *keeper) lose(token string, cause error, b *Bus) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.token != token {
		return
	}
	if len(k.claims) > 0 {
		b.log.Warn().Err(cause).Int("leases", len(k.claims)).Msg("lease heartbeat not renewed; the leases are given up and taken again")
	}
	for _, c := range k.claims {
		close(c.lost)
	}
	k.claims = nil
	if k.stopped != nil {
		close(k.stopped)
	}
	// The token is kept: a claim nobody took over meanwhile is ours again
	// once Acquire has rewritten it under a fresh heartbeat.
	k.stopped, k.hbRev = nil, 0
}

// alive reports whether the heartbeat of token is there. A claim without
// a token was written by Hold, which renews the record itself: it is
// alive until the bucket's TTL removes it.
func (b *Bus) alive(ctx context.Context, kv jetstream.KeyValue, token string) (bool, error) {
	if token == "" {
		return true, nil
	}
	err := b.retry(ctx, "lease heartbeat "+token, func(ctx context.Context) error {
		_, err := kv.Get(ctx, "live."+token)
		return err
	})
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("lease heartbeat %s: %w", token, err)
	}
	return true, nil
}

// deleted reports whether a KV record is a delete or purge marker.
func deleted(h nats.Header) bool {
	return h.Get("KV-Operation") != "" || h.Get(jetstream.MarkerReasonHeader) != ""
}
