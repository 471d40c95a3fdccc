package natsbus

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// On a JetStream cluster a stream or bucket changes leader when its
// leader's server dies or steps down, and the meta leader can be lost for
// a moment. Until a new leader is elected — a Raft election in nats-server
// takes several seconds — a request gets no responders, no answer at all,
// or a "temporarily unavailable" error. The bus retries its requests over
// such a gap itself, so that a crawler or sink does not fail (and get
// restarted by its supervisor) for what a few seconds cure.
const (
	// retryFirstWait is the pause after the first failed attempt; it
	// doubles up to retryMaxWait.
	retryFirstWait = 100 * time.Millisecond
	retryMaxWait   = 2 * time.Second
	// attemptTimeout bounds one attempt, so a request sent to a leader
	// that just died (no answer ever comes) is sent again instead of
	// waiting out the caller's whole context.
	attemptTimeout = 5 * time.Second
	// retryBudget caps a retry sequence whose context has no deadline:
	// past it the cluster is not electing a leader but broken, and the
	// caller must hear of it.
	retryBudget = time.Minute
	// retryWarnAfter is how long a sequence goes on before it is worth
	// one warning; shorter ones (an election) are logged at debug.
	retryWarnAfter = 5 * time.Second
	// consumeWarnEvery spaces the warnings of Consume, which retries its
	// consumer's creation for as long as its context lives.
	consumeWarnEvery = 10 * time.Second
	// probeTimeout bounds the question whether JetStream is on at all
	// (retriable).
	probeTimeout = 2 * time.Second
)

// JetStream API error codes (nats-server errors.json) that a leader
// election or a lost meta leader produce, absent from jetstream's list.
const (
	// JSClusterNotAvailErr: "JetStream system temporarily unavailable",
	// the answer while the meta leader is lost.
	errCodeClusterNotAvail jetstream.ErrorCode = 10008
	// JSClusterNotLeaderErr: "JetStream cluster can not handle request",
	// from a server that lost the stream's leadership meanwhile.
	errCodeClusterNotLeader jetstream.ErrorCode = 10009
	// JSStreamExpectedLastSeqPerSubjectNotReady: "expected last sequence
	// per subject temporarily unavailable", from a new stream leader that
	// has not applied its log yet (a lease claim's condition).
	errCodeLastSeqPerSubjectNotReady jetstream.ErrorCode = 10163
)

// transient reports whether err may go away by itself within seconds on a
// healthy cluster, so the same request is worth sending again:
//
//   - no responders (nats.ErrNoResponders, jetstream.ErrNoStreamResponse):
//     a stream's subjects are served by its leader alone, so between the
//     death of one leader and the election of the next nobody answers;
//   - no answer in time (nats.ErrTimeout, context.DeadlineExceeded): the
//     request went to a leader that died, or the answer was lost with the
//     connection. The caller's own deadline is checked before this, so
//     here it is an attempt's;
//   - the connection reconnecting (nats.ErrConnectionReconnecting,
//     ErrDisconnected, ErrStaleConnection, ErrReconnectBufExceeded): the
//     client reconnects by itself, to another server of the cluster;
//   - JetStream API errors of an election: codes 10008, 10009, 10163, and
//     any description naming a leader ("raft: not leader", "leadership
//     change", ...) or a temporary unavailability.
//
// Never transient: the caller's cancellation, a connection closed or
// draining (the bus is closing, or the client gave up on it for good:
// Closed tells the owner to dial again), and every answer about the data
// itself (key or message not found, wrong last sequence, bad request,
// JetStream not enabled).
func transient(err error) bool {
	switch {
	case err == nil,
		errors.Is(err, context.Canceled),
		errors.Is(err, nats.ErrConnectionClosed),
		errors.Is(err, nats.ErrConnectionDraining):
		return false
	case errors.Is(err, nats.ErrNoResponders),
		errors.Is(err, jetstream.ErrNoStreamResponse),
		errors.Is(err, nats.ErrTimeout),
		errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, nats.ErrConnectionReconnecting),
		errors.Is(err, nats.ErrDisconnected),
		errors.Is(err, nats.ErrStaleConnection),
		errors.Is(err, nats.ErrReconnectBufExceeded),
		errors.Is(err, jetstream.ErrConsumerLeadershipChanged),
		errors.Is(err, jetstream.ErrServerShutdown):
		return true
	}
	var apiErr *jetstream.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	switch apiErr.ErrorCode {
	case errCodeClusterNotAvail, errCodeClusterNotLeader, errCodeLastSeqPerSubjectNotReady:
		return true
	}
	d := strings.ToLower(apiErr.Description)
	return strings.Contains(d, "leader") || strings.Contains(d, "temporarily unavailable")
}

// retryPlan says how long a retry sequence may last and how it is logged.
type retryPlan struct {
	// budget caps the sequence when the caller's context has no deadline;
	// 0: no cap, retry while the context lives.
	budget time.Duration
	// attempt bounds one attempt; 0: attemptTimeout.
	attempt time.Duration
	// warnAfter is when the sequence logs its first warning.
	warnAfter time.Duration
	// warnEvery repeats the warning at most this often; 0: once.
	warnEvery time.Duration
}

// retry runs op until it succeeds, fails for good (an error not
// transient), the caller's ctx ends, or retryBudget has passed when ctx
// has no deadline. Each call of op gets a context bounded by
// attemptTimeout. op must be safe to run again after a failed run, whose
// effect may or may not have happened (an answer lost on the way back).
// what names the request in the log.
func (b *Bus) retry(ctx context.Context, what string, op func(context.Context) error) error {
	return b.retryWith(ctx, what, retryPlan{budget: retryBudget, warnAfter: retryWarnAfter}, op)
}

// retryWith is retry with its plan spelt out. The error it returns is
// op's when op fails for good; when the caller's ctx ends, ctx's error
// wrapping the last failure; when the budget runs out, the last failure
// wrapped.
func (b *Bus) retryWith(ctx context.Context, what string, p retryPlan, op func(context.Context) error) error {
	start := time.Now()
	budget, cancel := ctx, context.CancelFunc(func() {})
	if _, ok := ctx.Deadline(); !ok && p.budget > 0 {
		budget, cancel = context.WithTimeout(ctx, p.budget)
	}
	defer cancel()
	if p.attempt <= 0 {
		p.attempt = attemptTimeout
	}
	wait := retryFirstWait
	nextWarn := start.Add(p.warnAfter)
	warned, jetStreamOn := false, false
	var last error // the last transient failure
	for attempt := 1; ; attempt++ {
		actx, acancel := context.WithTimeout(budget, p.attempt)
		err := op(actx)
		acancel()
		if err == nil {
			if warned {
				b.log.Info().Str("op", what).Int("attempts", attempt).Stringer("after", time.Since(start).Round(time.Millisecond)).Msg("nats request succeeded after retries")
			}
			return nil
		}
		if cerr := ctx.Err(); cerr != nil {
			// The caller gave up: its error comes first, so errors.Is
			// finds it whatever op made of it.
			if !errors.Is(err, cerr) {
				return fmt.Errorf("%w: %w", cerr, err)
			}
			if last != nil && attempt > 1 {
				return fmt.Errorf("%w (after %d attempts; the last failure: %w)", err, attempt, last)
			}
			return err
		}
		if !b.retriable(budget, err, &jetStreamOn) {
			return err
		}
		if budget.Err() != nil {
			if errors.Is(err, context.DeadlineExceeded) && last != nil {
				err = last // the budget's own end says less than what failed before
			}
			return fmt.Errorf("still failing after %d attempts in %s: %w", attempt, time.Since(start).Round(time.Millisecond), err)
		}
		last = err
		if now := time.Now(); !now.Before(nextWarn) && (!warned || p.warnEvery > 0) {
			b.log.Warn().Err(err).Str("op", what).Int("attempts", attempt).Stringer("for", now.Sub(start).Round(time.Millisecond)).Msg("nats request failing (a leader election?); retrying")
			warned, nextWarn = true, now.Add(p.warnEvery)
		} else {
			b.log.Debug().Err(err).Str("op", what).Int("attempt", attempt).Stringer("retry_in", wait).Msg("nats request failed; retrying")
		}
		if !sleep(budget, wait) {
			if cerr := ctx.Err(); cerr != nil {
				return fmt.Errorf("%w (after %d attempts; the last failure: %w)", cerr, attempt, last)
			}
			return fmt.Errorf("still failing after %d attempts in %s: %w", attempt, time.Since(start).Round(time.Millisecond), last)
		}
		wait = min(2*wait, retryMaxWait)
	}
}

// retriable reports whether err is worth another attempt. No responders
// also means JetStream is off — the embedded server turns it off while its
// store cannot be written, and publishing must then fail at once (README,
// "When something breaks") — so the first time a sequence meets it, it
// asks whether JetStream answers at all; *on records that it did.
func (b *Bus) retriable(ctx context.Context, err error, on *bool) bool {
	if b.closing.Load() || !transient(err) {
		return false
	}
	if *on || !errors.Is(err, nats.ErrNoResponders) && !errors.Is(err, jetstream.ErrNoStreamResponse) {
		return true
	}
	pctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	_, perr := b.js.AccountInfo(pctx)
	if errors.Is(perr, jetstream.ErrJetStreamNotEnabled) || errors.Is(perr, jetstream.ErrJetStreamNotEnabledForAccount) {
		return false
	}
	// Answered, or not in time (a cluster without a meta leader does not
	// answer): an election, not JetStream switched off.
	*on = true
	return true
}

// isWrongSequence reports whether err is JetStream's answer to a write
// whose expected last sequence is no longer the last one. Replicated
// streams answer 10164 where a single server answers 10071.
func isWrongSequence(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && (apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
		apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant)
}

// writeOnce runs a conditional write over retries and returns the
// sequence (or revision) it stored. write stores data only if the subject's
// last sequence is still after; that is not idempotent: an attempt whose
// answer was lost may have been stored, and the retry then conflicts with
// it. So after a failed attempt a conflict reads the subject's last
// message (last; a zero sequence when there is none), and data stored
// there at a later sequence than after counts as this write's. Another
// writer storing the very same bytes meanwhile is taken for that earlier
// attempt, and a read served by a replica that has not seen the write yet
// leaves the conflict standing. Any other conflict is returned as such
// (ErrKeyExists, or a wrong last sequence: conflict).
func (b *Bus) writeOnce(ctx context.Context, what string, data []byte, after uint64,
	write func(context.Context) (uint64, error), last func(context.Context) (uint64, []byte, error)) (uint64, error) {
	var seq uint64
	failed := false
	err := b.retry(ctx, what, func(ctx context.Context) (err error) {
		seq, err = write(ctx)
		if err == nil || !failed || !conflict(err) {
			failed = failed || err != nil
			return err
		}
		got, stored, lerr := last(ctx)
		if lerr != nil {
			return lerr
		}
		if got > after && bytes.Equal(stored, data) {
			seq = got
			return nil
		}
		return err
	})
	return seq, err
}

// lastMsg is a subject's last message as writeOnce reads it: none is a
// zero sequence.
func lastMsg(m *jetstream.RawStreamMsg, err error) (uint64, []byte, error) {
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, err
	}
	return m.Sequence, m.Data, nil
}

// kvWrite writes data under key only if the key's last revision is still
// rev (0: only if the key does not exist or was deleted), retrying over a
// leader election (writeOnce), and returns the new revision.
func (b *Bus) kvWrite(ctx context.Context, kv jetstream.KeyValue, what, key string, data []byte, rev uint64) (uint64, error) {
	return b.writeOnce(ctx, what, data, rev,
		func(ctx context.Context) (uint64, error) {
			if rev == 0 {
				return kv.Create(ctx, key, data)
			}
			return kv.Update(ctx, key, data, rev)
		},
		func(ctx context.Context) (uint64, []byte, error) {
			e, err := kv.Get(ctx, key)
			if errors.Is(err, jetstream.ErrKeyNotFound) {
				return 0, nil, nil
			}
			if err != nil {
				return 0, nil, err
			}
			return e.Revision(), e.Value(), nil
		})
}

// conflict reports whether a conditional write failed because the key
// changed since it was read.
func conflict(err error) bool {
	return errors.Is(err, jetstream.ErrKeyExists) || isWrongSequence(err)
}
