package natsbus

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
)

// liveErrors provokes, on a real embedded server, the errors the bus's
// calls meet, as nats.go returns them.
func liveErrors(t *testing.T) map[string]error {
	t.Helper()
	srv := NewEmbedded(EmbeddedOptions{StoreDir: filepath.Join(t.TempDir(), "nats")})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	kv, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "t"})
	if err != nil {
		t.Fatal(err)
	}
	rev, err := kv.Put(ctx, "k", []byte("v"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := js.Stream(ctx, "KV_t")
	if err != nil {
		t.Fatal(err)
	}
	silent, err := nc.SubscribeSync("silent") // takes requests, answers none
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = silent.Unsubscribe() }()

	out := map[string]error{}
	_, out["key not found"] = kv.Get(ctx, "missing")
	_, out["key exists"] = kv.Create(ctx, "k", []byte("w"))
	_, out["wrong last sequence"] = kv.Update(ctx, "k", []byte("w"), rev+7)
	_, out["message not found"] = s.GetMsg(ctx, 999)
	_, out["stream not found"] = js.Stream(ctx, "NOPE")
	_, out["invalid key"] = kv.Get(ctx, "bad key")
	_, out["publish without a stream"] = js.Publish(ctx, "no.stream.here", nil)
	_, out["request without responders"] = nc.Request("nobody.here", nil, time.Second)
	_, out["request not answered in time"] = nc.Request("silent", nil, 50*time.Millisecond)
	actx, acancel := context.WithTimeout(ctx, 50*time.Millisecond)
	_, out["attempt deadline"] = nc.RequestWithContext(actx, "silent", nil)
	_, out["attempt deadline passed"] = kv.Get(actx, "k")
	acancel()
	cctx, ccancel := context.WithCancel(ctx)
	ccancel()
	_, out["caller cancelled"] = kv.Get(cctx, "k")
	nc.Close()
	_, out["connection closed"] = kv.Get(ctx, "k")
	_, out["publish on a closed connection"] = js.Publish(ctx, "$KV.t.k", nil)
	for what, err := range out {
		if err == nil {
			t.Fatalf("%s: no error provoked", what)
		}
	}
	return out
}

// TestTransient classifies the errors of a leader election and of the
// data itself, as nats.go returns them: sentinels, the API errors it
// decodes from the server's answers (with the server's codes and
// descriptions), and errors provoked on a real server.
func TestTransient(t *testing.T) {
	t.Parallel()
	apiErr := func(code int, errCode jetstream.ErrorCode, desc string) error {
		return &jetstream.APIError{Code: code, ErrorCode: errCode, Description: desc}
	}
	// A publish's failure comes wrapped as publishMsg wraps it.
	pubErr := func(err error) error { return fmt.Errorf("nats: %w", err) }
	cases := map[string]struct {
		err  error
		want bool
	}{
		"nil":                                 {nil, false},
		"no responders":                       {nats.ErrNoResponders, true},
		"no response from stream":             {jetstream.ErrNoStreamResponse, true},
		"timeout":                             {nats.ErrTimeout, true},
		"deadline exceeded":                   {context.DeadlineExceeded, true},
		"reconnecting":                        {nats.ErrConnectionReconnecting, true},
		"disconnected":                        {nats.ErrDisconnected, true},
		"stale connection":                    {nats.ErrStaleConnection, true},
		"reconnect buffer exceeded":           {nats.ErrReconnectBufExceeded, true},
		"consumer leadership changed":         {jetstream.ErrConsumerLeadershipChanged, true},
		"server shutdown":                     {jetstream.ErrServerShutdown, true},
		"meta leader lost (10008)":            {apiErr(503, 10008, "JetStream system temporarily unavailable"), true},
		"meta leader lost on publish (10008)": {pubErr(apiErr(503, 10008, "JetStream system temporarily unavailable")), true},
		"not the leader (10009)":              {apiErr(500, 10009, "JetStream cluster can not handle request"), true},
		"last seq per subject not ready":      {pubErr(apiErr(503, 10163, "expected last sequence per subject temporarily unavailable")), true},
		"raft not leader (10077)":             {pubErr(apiErr(503, 10077, "raft: not leader")), true},
		"wrapped twice":                       {fmt.Errorf("read x: %w", fmt.Errorf("still failing: %w", jetstream.ErrNoStreamResponse)), true},

		"caller cancelled":               {context.Canceled, false},
		"cancelled wrapping a timeout":   {fmt.Errorf("%w (%w)", context.Canceled, nats.ErrTimeout), false},
		"connection closed":              {nats.ErrConnectionClosed, false},
		"connection draining":            {nats.ErrConnectionDraining, false},
		"key not found":                  {jetstream.ErrKeyNotFound, false},
		"key exists":                     {jetstream.ErrKeyExists, false},
		"message not found":              {jetstream.ErrMsgNotFound, false},
		"wrong last sequence (10071)":    {pubErr(apiErr(400, 10071, "wrong last sequence: 3")), false},
		"wrong last sequence (10164)":    {pubErr(apiErr(400, 10164, "wrong last sequence")), false},
		"bad request (10003)":            {apiErr(400, 10003, "bad request"), false},
		"stream not found":               {jetstream.ErrStreamNotFound, false},
		"jetstream not enabled":          {jetstream.ErrJetStreamNotEnabled, false},
		"jetstream not enabled for acct": {jetstream.ErrJetStreamNotEnabledForAccount, false},
		"store failed, disk full":        {pubErr(apiErr(503, 10077, "no space left on device")), false},
		"a plain error":                  {errors.New("boom"), false},
	}
	for what, err := range liveErrors(t) {
		want := false
		switch what {
		case "publish without a stream", "request without responders", "request not answered in time",
			"attempt deadline", "attempt deadline passed":
			want = true
		}
		cases["live: "+what] = struct {
			err  error
			want bool
		}{err, want}
	}
	for what, tc := range cases {
		if got := transient(tc.err); got != tc.want {
			t.Errorf("transient(%s: %v) = %v, want %v", what, tc.err, got, tc.want)
		}
	}
}

// TestRetriableWhenJetStreamIsOff: no responders from a server whose
// JetStream is off is not worth a retry (publishing must fail at once
// then); from one with JetStream on, it is (an election).
func TestRetriableWhenJetStreamIsOff(t *testing.T) {
	t.Parallel()
	for _, on := range []bool{false, true} {
		opts := &server.Options{Host: "127.0.0.1", Port: -1, JetStream: on, StoreDir: t.TempDir(), NoSigs: true}
		srv, err := server.NewServer(opts)
		if err != nil {
			t.Fatal(err)
		}
		go srv.Start()
		if !srv.ReadyForConnections(10 * time.Second) {
			t.Fatal("server not ready")
		}
		defer srv.Shutdown()
		nc, err := nats.Connect(srv.ClientURL())
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		js, err := jetstream.New(nc)
		if err != nil {
			t.Fatal(err)
		}
		b := &Bus{nc: nc, js: js, log: zerolog.Nop(), closing: new(atomic.Bool)}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, perr := js.Publish(ctx, "no.stream.here", nil)
		jsOn := false
		if got := b.retriable(ctx, perr, &jsOn); got != on || jsOn != on {
			t.Errorf("JetStream on %v: retriable(%v) = %v (seen on %v), want %v", on, perr, got, jsOn, on)
		}
	}
}

// TestRetryLoop: a transient failure is retried until it passes, a
// permanent one is returned at once, the caller's cancellation ends the
// retries with its error first, a context without deadline is capped by
// the budget, each attempt is bounded, and a closing bus retries nothing.
func TestRetryLoop(t *testing.T) {
	t.Parallel()
	// No connection: the failures below are not "no responders", the one
	// that makes the loop ask the server whether JetStream is on.
	newBus := func() *Bus { return &Bus{log: zerolog.Nop(), closing: new(atomic.Bool)} }
	ctx := context.Background()

	t.Run("transient then success", func(t *testing.T) {
		calls := 0
		err := newBus().retry(ctx, "op", func(context.Context) error {
			if calls++; calls < 3 {
				return nats.ErrTimeout
			}
			return nil
		})
		if err != nil || calls != 3 {
			t.Errorf("err %v after %d calls; want nil after 3", err, calls)
		}
	})
	t.Run("permanent", func(t *testing.T) {
		calls := 0
		err := newBus().retry(ctx, "op", func(context.Context) error {
			calls++
			return jetstream.ErrKeyNotFound
		})
		if !errors.Is(err, jetstream.ErrKeyNotFound) || calls != 1 {
			t.Errorf("err %v after %d calls; want ErrKeyNotFound after 1", err, calls)
		}
	})
	t.Run("caller cancels", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		calls := 0
		err := newBus().retry(cctx, "op", func(context.Context) error {
			if calls++; calls == 2 {
				cancel()
			}
			return nats.ErrTimeout
		})
		if !errors.Is(err, context.Canceled) || !errors.Is(err, nats.ErrTimeout) || calls != 2 {
			t.Errorf("err %v after %d calls; want context.Canceled wrapping the last failure after 2", err, calls)
		}
	})
	t.Run("budget without deadline", func(t *testing.T) {
		start := time.Now()
		err := newBus().retryWith(ctx, "op", retryPlan{budget: 300 * time.Millisecond}, func(context.Context) error {
			return nats.ErrTimeout
		})
		if !errors.Is(err, nats.ErrTimeout) || errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err %v; want the last failure, not the budget's deadline", err)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("gave up after %s; want about the budget", took)
		}
	})
	t.Run("attempt bound", func(t *testing.T) {
		calls := 0
		err := newBus().retryWith(ctx, "op", retryPlan{budget: 2 * time.Second, attempt: 50 * time.Millisecond}, func(actx context.Context) error {
			if calls++; calls == 3 {
				return nil
			}
			<-actx.Done() // a leader that never answers
			return actx.Err()
		})
		if err != nil || calls != 3 {
			t.Errorf("err %v after %d calls; want nil after 3", err, calls)
		}
	})
	t.Run("closing", func(t *testing.T) {
		b := newBus()
		b.closing.Store(true)
		calls := 0
		err := b.retry(ctx, "op", func(context.Context) error {
			calls++
			return nats.ErrTimeout
		})
		if !errors.Is(err, nats.ErrTimeout) || calls != 1 {
			t.Errorf("err %v after %d calls; want no retry while closing", err, calls)
		}
	})
}
