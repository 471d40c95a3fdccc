package natsbus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
)

// ConsumerSpec describes one sink's durable pull consumer on SYND_EVENTS.
type ConsumerSpec struct {
	// Durable names the consumer; one per sink ("archive", "site", ...).
	Durable  string
	Subjects []string
	// MaxDeliver bounds deliveries before the dead letter. Default 20,
	// which with the default backoff keeps retrying for about 1.5 hours.
	MaxDeliver int
	// Backoff is the delay before redelivery after attempt n (the last
	// value repeats). Default 1s, 2s, 5s, 15s, 30s, 1m, 2m, 5m.
	Backoff []time.Duration
	// AckWait is how long the server waits for an ack before redelivering;
	// a running handler extends it every AckWait/3, so it bounds only how
	// long a crashed worker's messages wait. Default 30s.
	AckWait time.Duration
	// HandlerTimeout bounds one handler call. Default 10m.
	HandlerTimeout time.Duration
	// ShutdownGrace is how long an in-flight handler may go on once ctx
	// ends, so shutdown is bounded even when NATS or a store is gone; an
	// unfinished message is not acked and comes back. Default 15s.
	ShutdownGrace time.Duration
	// Workers handle messages concurrently. Default 4.
	Workers int
}

func (s *ConsumerSpec) defaults() {
	if s.MaxDeliver <= 0 {
		s.MaxDeliver = 20
	}
	if len(s.Backoff) == 0 {
		s.Backoff = []time.Duration{time.Second, 2 * time.Second, 5 * time.Second, 15 * time.Second,
			30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute}
	}
	if s.AckWait <= 0 {
		s.AckWait = 30 * time.Second
	}
	if s.HandlerTimeout <= 0 {
		s.HandlerTimeout = 10 * time.Minute
	}
	if s.ShutdownGrace <= 0 {
		s.ShutdownGrace = 15 * time.Second
	}
	if s.Workers <= 0 {
		s.Workers = 4
	}
}

// Handler performs a sink's side effect for one event. It returns nil once
// the effect is durable (the message is then acked), a syndicator.Permanent
// error to dead-letter at once, or any other error to be retried after a
// backoff. attempt counts deliveries from 1.
type Handler func(ctx context.Context, ev *syndicator.Event, attempt int) error

// DeadLetter is the record written to synd.dead.<consumer> when a message is
// given up on, so nothing disappears without a trace.
type DeadLetter struct {
	V          int       `json:"v"`
	Consumer   string    `json:"consumer"`
	Subject    string    `json:"subject"`
	StreamSeq  uint64    `json:"stream_seq"`
	Deliveries uint64    `json:"deliveries"`
	Permanent  bool      `json:"permanent"`
	Error      string    `json:"error"`
	At         time.Time `json:"at"`
	Data       []byte    `json:"data"`
}

// Consume runs spec's consumer until ctx ends, handing each event to h on
// spec.Workers goroutines. In-flight handlers are allowed to finish (up to
// ShutdownGrace) after ctx ends, so a clean shutdown rarely leaves
// half-done work and never waits long.
//
// A consumer that cannot be created for a transient reason (a leader
// election, the meta leader lost) is tried again with backoff for as long
// as ctx lives, with a warning at most every consumeWarnEvery, rather than
// failing the component for its supervisor to restart; a permanent reason
// (a bad configuration) is returned at once.
func (b *Bus) Consume(ctx context.Context, spec ConsumerSpec, h Handler) error {
	spec.defaults()
	cfg := jetstream.ConsumerConfig{
		Durable:     spec.Durable,
		Description: "syndicator sink " + spec.Durable,
		// A dead letter handed back (console 死信 → 重试) comes to this
		// consumer alone on its retry subject.
		FilterSubjects: append(slices.Clip(spec.Subjects), syndicator.SubjectRetry(spec.Durable)),
		AckPolicy:      jetstream.AckExplicitPolicy,
		AckWait:        spec.AckWait,
		MaxDeliver:     spec.MaxDeliver,
		MaxAckPending:  spec.Workers * 8,
		DeliverPolicy:  jetstream.DeliverAllPolicy,
	}
	var cons jetstream.Consumer
	err := b.retryWith(ctx, "consumer "+spec.Durable, retryPlan{warnEvery: consumeWarnEvery},
		func(ctx context.Context) (err error) {
			cons, err = b.js.CreateOrUpdateConsumer(ctx, StreamEvents, cfg)
			return err
		})
	if ctx.Err() != nil {
		return nil // ended before it began: nothing failed
	}
	if err != nil {
		return fmt.Errorf("consumer %s: %w", spec.Durable, err)
	}

	msgs := make(chan jetstream.Msg)
	var wg sync.WaitGroup
	for range spec.Workers {
		wg.Go(func() {
			for m := range msgs {
				b.handle(ctx, spec, m, h)
			}
		})
	}
	if b.opts.Replicas > 1 {
		// A replicated consumer can keep a message pending without ever
		// delivering it again (stall.go).
		wg.Go(func() { b.watchStalls(ctx, spec.Durable, spec.AckWait) })
	}
	defer wg.Wait()
	defer close(msgs)

	for ctx.Err() == nil {
		iter, err := cons.Messages(jetstream.PullMaxMessages(spec.Workers * 2))
		if err != nil {
			b.log.Warn().Err(err).Str("sink", spec.Durable).Msg("cannot pull messages; retrying in 1s")
			if !sleep(ctx, time.Second) {
				break
			}
			continue
		}
		b.pump(ctx, spec, iter, msgs)
		iter.Stop()
	}
	return nil
}

// pump moves messages from iter to the workers until ctx ends or the
// iterator breaks (it is then recreated by the caller).
func (b *Bus) pump(ctx context.Context, spec ConsumerSpec, iter jetstream.MessagesContext, msgs chan<- jetstream.Msg) {
	stop := context.AfterFunc(ctx, iter.Stop)
	defer stop()
	for {
		m, err := iter.Next()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				return
			}
			b.log.Warn().Err(err).Str("sink", spec.Durable).Msg("pull interrupted; continuing")
			if !sleep(ctx, 200*time.Millisecond) {
				return
			}
			continue
		}
		select {
		case msgs <- m:
		case <-ctx.Done():
			// Not handled: give it back for another instance or our restart.
			_ = m.Nak()
			return
		}
	}
}

func (b *Bus) handle(ctx context.Context, spec ConsumerSpec, m jetstream.Msg, h Handler) {
	attempt := 1
	if md, err := m.Metadata(); err == nil {
		attempt = int(md.NumDelivered)
	}
	log := b.log.With().Str("sink", spec.Durable).Str("subject", m.Subject()).Int("attempt", attempt).Logger()

	var ev syndicator.Event
	err := json.Unmarshal(m.Data(), &ev)
	if err != nil {
		err = syndicator.Permanent(fmt.Errorf("decode event: %w", err))
	} else {
		log = log.With().Str("item_id", ev.ID).Str("source", ev.Source).Logger()
		hctx, cancel := handlerContext(ctx, spec.HandlerTimeout, spec.ShutdownGrace)
		stopBeat := heartbeat(m, spec.AckWait/3)
		err = callHandler(hctx, h, &ev, attempt)
		stopBeat()
		cut := ctx.Err() != nil && hctx.Err() != nil
		cancel()
		if err != nil && cut && !syndicator.IsPermanent(err) && attempt < spec.MaxDeliver {
			// Shutdown cut the handler short: that says nothing about the
			// message, so it goes back at once, without the backoff. (On
			// the last delivery it is dead-lettered as usual: the server
			// would not deliver it again.)
			log.Info().Err(err).Msg("handler cut short by shutdown; message handed back")
			_ = m.Nak()
			return
		}
	}
	if err == nil {
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if aerr := m.DoubleAck(actx); aerr != nil {
			// The effect is done and idempotent: a redelivery repeats it harmlessly.
			log.Warn().Err(aerr).Msg("ack not confirmed; a redelivery will be a no-op")
		}
		return
	}
	if d, ok := syndicator.RetryAfter(err); ok && attempt < spec.MaxDeliver {
		log.Info().Str("why", err.Error()).Stringer("retry_in", d).Msg("handed back until later")
		_ = m.NakWithDelay(d)
		return
	}
	permanent := syndicator.IsPermanent(err)
	if permanent || attempt >= spec.MaxDeliver {
		b.deadLetter(ctx, spec, m, attempt, permanent, err, log)
		return
	}
	delay := spec.Backoff[min(attempt-1, len(spec.Backoff)-1)]
	log.Warn().Err(err).Stringer("retry_in", delay).Msg("sink failed; will retry")
	_ = m.NakWithDelay(delay)
}

func (b *Bus) deadLetter(ctx context.Context, spec ConsumerSpec, m jetstream.Msg, attempt int, permanent bool, cause error, log zerolog.Logger) {
	subject := m.Subject()
	if first := m.Headers().Get(syndicator.HeaderSubject); first != "" {
		subject = first // a retry that failed again keeps its first subject
	}
	rec := DeadLetter{
		V: syndicator.EventVersion, Consumer: spec.Durable, Subject: subject,
		Deliveries: uint64(attempt), Permanent: permanent, Error: cause.Error(),
		At: time.Now().UTC(), Data: m.Data(),
	}
	if md, err := m.Metadata(); err == nil {
		rec.StreamSeq = md.Sequence.Stream
	}
	data, _ := json.Marshal(&rec)
	// The record must be written before the message is let go; during
	// shutdown it gets a short wait, and failing that the message is kept.
	wait := 30 * time.Second
	if ctx.Err() != nil {
		wait = 2 * time.Second
	}
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), wait)
	defer cancel()
	_, err := b.publishRaw(pctx, syndicator.SubjectDeadLetter(spec.Durable), fmt.Sprintf("%s.%d", spec.Durable, rec.StreamSeq), data)
	if err != nil {
		// Keep the message: without its dead-letter record it must not vanish.
		log.Error().Err(err).AnErr("cause", cause).Msg("cannot write dead letter; message kept for redelivery")
		_ = m.NakWithDelay(time.Minute)
		return
	}
	log.Error().Err(cause).Bool("permanent", permanent).Msg("gave up on message; dead letter written")
	_ = m.TermWithReason(cause.Error())
}

// callHandler calls h, turning a panic into an error with its stack: a bug
// met by one message is retried and dead-lettered like any failure, and
// never takes the process (every role, the embedded NATS) down with it.
func callHandler(ctx context.Context, h Handler, ev *syndicator.Event, attempt int) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("handler panicked: %v\n%s", p, debug.Stack())
		}
	}()
	return h(ctx, ev, attempt)
}

// handlerContext lets an in-flight side effect finish after shutdown
// starts: it outlives ctx by up to grace, and never lasts beyond limit.
// Without the grace bound a handler blocked on a vanished server would hold
// shutdown for the whole limit.
func handlerContext(ctx context.Context, limit, grace time.Duration) (context.Context, context.CancelFunc) {
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), limit)
	stop := context.AfterFunc(ctx, func() {
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case <-hctx.Done():
		case <-t.C:
			cancel()
		}
	})
	return hctx, func() {
		stop()
		cancel()
	}
}

// heartbeat tells the server the message is still being worked on, so a
// slow upload is not redelivered to a second worker meanwhile.
func heartbeat(m jetstream.Msg, every time.Duration) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				_ = m.InProgress()
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
