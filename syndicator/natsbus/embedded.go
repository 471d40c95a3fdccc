// Package natsbus is the only importer of nats.go: it runs the embedded
// server, provisions the streams, KV buckets, object store and consumers of
// DESIGN §5, publishes events with their Nats-Msg-Id, passes large payloads by
// claim check and drives the durable pull consumers of the sinks.
package natsbus

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/rs/zerolog"
)

// EmbeddedOptions configures the in-process NATS server used when nats.url
// is empty.
type EmbeddedOptions struct {
	// StoreDir holds the JetStream files; they survive restarts.
	StoreDir string
	// Host defaults to 127.0.0.1: the embedded server is for this process
	// and its local tools, not a cluster member.
	Host string
	// Port defaults to -1 (a random free port); set it to let other
	// processes (nats CLI, a second role) connect.
	Port int
	// Log receives the server's own warnings and errors (its notices at
	// debug) and the storage watcher's reports. The zero value is silent.
	Log zerolog.Logger
	// CheckEvery is how often the storage watcher looks at JetStream's
	// health and, while JetStream is stopped for want of storage, whether
	// the store can be written again. An error logged by the server makes
	// it look at once. Default 10s.
	CheckEvery time.Duration
	// MinFree is the free space the store's file system must have before
	// JetStream is started again after a storage failure. Default 64 MiB.
	MinFree int64
	// StartTimeout bounds Start. Default 30s.
	StartTimeout time.Duration
}

// remindEvery is how often the watcher repeats, while JetStream is stopped,
// that it is still waiting for the store.
const remindEvery = 5 * time.Minute

// ErrStoreNotWritable is wrapped by Start's error when the store directory
// cannot be written (a read-only file system, no permission, a full disk).
var ErrStoreNotWritable = errors.New("store is not writable")

// StorageStatus says whether the embedded JetStream can write its store.
type StorageStatus struct {
	OK bool
	// Reason is why not, in the server's or the system's words.
	Reason string
	// Since is when the status last changed.
	Since time.Time
}

// Embedded is an in-process nats-server with JetStream, writing every
// message to disk before acknowledging it (sync_interval: always), so a
// killed process loses nothing it acknowledged.
//
// A storage watcher runs beside it. A JetStream stream that fails to write
// (a full disk) stays broken until it is reopened, and its publishers wait
// for acknowledgements that never come; so when a stream reports a write
// error, or the server stops JetStream itself (a permission error), the
// watcher restarts the server without JetStream — clients reconnect, every
// JetStream request then fails at once and Storage reports why — and, once
// the store's file system has MinFree bytes free and a probe file can be
// written, restarts it with JetStream as Start did, on the same address.
type Embedded struct {
	opts EmbeddedOptions
	log  zerolog.Logger
	url  string // fixed by Start: restarts listen on the same port
	port int

	nudge    chan struct{}
	quit     chan struct{}
	done     chan struct{}
	stopOnce sync.Once

	mu     sync.Mutex
	srv    *server.Server // nil while a restart failed
	status StorageStatus

	// Owned by the watcher goroutine.
	stopped  bool // JetStream is off for storage
	reminded time.Time
}

// NewEmbedded returns a server that is not started yet.
func NewEmbedded(opts EmbeddedOptions) *Embedded {
	if opts.Host == "" {
		opts.Host = "127.0.0.1"
	}
	if opts.Port == 0 {
		opts.Port = -1
	}
	if opts.CheckEvery <= 0 {
		opts.CheckEvery = 10 * time.Second
	}
	if opts.MinFree <= 0 {
		opts.MinFree = 64 << 20
	}
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = 30 * time.Second
	}
	return &Embedded{opts: opts, log: opts.Log.With().Str("component", "embedded-nats").Logger()}
}

// Start runs the server and waits until it accepts connections. A store
// that cannot be written fails at once (wrapping ErrStoreNotWritable), and
// so does anything the server reports as fatal, with its reason.
func (e *Embedded) Start() error {
	if e.opts.StoreDir == "" {
		return fmt.Errorf("embedded nats: store dir is empty")
	}
	if err := probeStore(e.opts.StoreDir); err != nil {
		return fmt.Errorf("embedded nats: %w", err)
	}
	e.nudge = make(chan struct{}, 1)
	srv, err := e.newServer(e.opts.Port, true)
	if err != nil {
		return err
	}
	e.url = srv.ClientURL()
	e.port = e.opts.Port
	if a, ok := srv.Addr().(*net.TCPAddr); ok {
		e.port = a.Port
	}
	e.mu.Lock()
	e.srv = srv
	e.mu.Unlock()
	e.setStatus(true, "")
	e.quit, e.done = make(chan struct{}), make(chan struct{})
	go e.watch()
	return nil
}

// newServer starts a server on port, with or without JetStream.
func (e *Embedded) newServer(port int, jetStream bool) (*server.Server, error) {
	slog := newServerLog(e.opts.Log, e.nudge)
	srv, err := server.NewServer(&server.Options{
		ServerName: "syndicator-embedded",
		Host:       e.opts.Host,
		Port:       port,
		JetStream:  jetStream,
		StoreDir:   e.opts.StoreDir,
		SyncAlways: true,
		NoSigs:     true, // the process owns signal handling
		NoLog:      true, // logged through SetLoggerV2 below
		MaxPayload: server.MAX_PAYLOAD_SIZE,
	})
	if err != nil {
		return nil, fmt.Errorf("embedded nats: %w", err)
	}
	srv.SetLoggerV2(slog, e.opts.Log.GetLevel() <= zerolog.TraceLevel, false, false)
	srv.Start()
	if err := e.waitReady(srv, slog, port, jetStream); err != nil {
		srv.Shutdown()
		srv.WaitForShutdown()
		return nil, err
	}
	return srv, nil
}

// waitReady waits for the server to listen, returning early with the
// server's own reason when it gives up (nats-server logs a fatal error and
// returns from Start instead of listening).
func (e *Embedded) waitReady(srv *server.Server, slog *serverLog, port int, jetStream bool) error {
	deadline := time.Now().Add(e.opts.StartTimeout)
	for !srv.ReadyForConnections(50 * time.Millisecond) {
		select {
		case <-e.quit: // Shutdown during a watcher's restart: do not hold it
			return errors.New("embedded nats: shutting down")
		default:
		}
		if msg := slog.fatalMessage(); msg != "" {
			return fmt.Errorf("embedded nats did not start: %s", msg)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("embedded nats on %s: not ready after %s (is the port free?)",
				net.JoinHostPort(e.opts.Host, strconv.Itoa(port)), e.opts.StartTimeout)
		}
	}
	if msg := slog.fatalMessage(); msg != "" {
		return fmt.Errorf("embedded nats did not start: %s", msg)
	}
	if jetStream && !srv.JetStreamEnabled() {
		return fmt.Errorf("embedded nats: jetstream did not start on %s", e.opts.StoreDir)
	}
	return nil
}

// ClientURL is the URL clients connect to; valid after Start, and across
// the watcher's restarts.
func (e *Embedded) ClientURL() string { return e.url }

// Storage reports whether JetStream can write its store now.
func (e *Embedded) Storage() StorageStatus {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.status
}

// Shutdown stops the watcher and the server, and waits for the server to
// flush and close its files.
func (e *Embedded) Shutdown() {
	if e.quit == nil {
		return // never started
	}
	e.stopOnce.Do(func() {
		close(e.quit)
		<-e.done
		e.mu.Lock()
		srv := e.srv
		e.srv = nil
		e.mu.Unlock()
		if srv != nil {
			srv.Shutdown()
			srv.WaitForShutdown()
		}
	})
}

func (e *Embedded) setStatus(ok bool, reason string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.status.OK != ok || e.status.Since.IsZero() {
		e.status.Since = time.Now()
	}
	e.status.OK, e.status.Reason = ok, reason
}

func (e *Embedded) current() *server.Server {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.srv
}

// restart replaces the server by a new one on the same port, with or
// without JetStream. On failure no server runs until the next attempt.
func (e *Embedded) restart(jetStream bool) error {
	e.mu.Lock()
	old := e.srv
	e.srv = nil
	e.mu.Unlock()
	if old != nil {
		old.Shutdown()
		old.WaitForShutdown()
	}
	srv, err := e.newServer(e.port, jetStream)
	if err != nil {
		return err
	}
	e.mu.Lock()
	e.srv = srv
	e.mu.Unlock()
	return nil
}

// watch is the storage watcher: it looks every CheckEvery, and at once
// after the server logged an error, until Shutdown.
func (e *Embedded) watch() {
	defer close(e.done)
	t := time.NewTicker(e.opts.CheckEvery)
	defer t.Stop()
	for {
		select {
		case <-e.quit:
			return
		case <-t.C:
		case <-e.nudge:
		}
		e.check()
	}
}

func (e *Embedded) check() {
	if e.stopped {
		e.tryResume()
		return
	}
	srv := e.current()
	reason := ""
	switch {
	case srv == nil:
		return
	case !srv.JetStreamEnabled():
		// The server stopped it itself (permission denied while writing).
		reason = "jetstream was stopped by nats-server (see its error above)"
	default:
		reason = streamWriteError(srv)
	}
	if reason == "" {
		return
	}
	e.stopped = true
	e.reminded = time.Now()
	e.setStatus(false, reason)
	ev := e.log.Error().Str("store", e.opts.StoreDir).Str("reason", reason)
	if free, ok := freeBytes(e.opts.StoreDir); ok {
		ev = ev.Int64("free_bytes", free)
	}
	ev.Msg("jetstream cannot write its store: it is off until it can, and publishing fails meanwhile; " +
		"free space (or make the store writable) and it comes back by itself")
	// The broken stream stays broken until it is reopened, and its
	// publishers would wait for acks that never come: without JetStream
	// every request fails at once.
	if err := e.restart(false); err != nil {
		e.log.Error().Err(err).Msg("restarting nats without jetstream failed; retrying")
	}
}

// tryResume restarts the server with JetStream when the store can be
// written.
func (e *Embedded) tryResume() {
	if err := storeUsable(e.opts.StoreDir, e.opts.MinFree); err != nil {
		if time.Since(e.reminded) >= remindEvery {
			e.reminded = time.Now()
			e.log.Warn().Str("store", e.opts.StoreDir).Err(err).Msg("jetstream still off: waiting for the store to be writable")
		}
		if e.current() == nil {
			if err := e.restart(false); err != nil {
				e.log.Error().Err(err).Msg("restarting nats without jetstream failed; retrying")
			}
		}
		return
	}
	err := e.restart(true)
	if err == nil {
		if reason := streamWriteError(e.current()); reason != "" {
			err = errors.New(reason)
		}
	}
	if err != nil {
		e.log.Error().Err(err).Str("store", e.opts.StoreDir).Msg("jetstream could not be started again; retrying")
		if err := e.restart(false); err != nil {
			e.log.Error().Err(err).Msg("restarting nats without jetstream failed; retrying")
		}
		return
	}
	e.stopped = false
	e.setStatus(true, "")
	e.log.Warn().Str("store", e.opts.StoreDir).Msg("jetstream is back: the store can be written again")
}

// streamWriteError is the first stream write error the server's health
// check reports, or "".
func streamWriteError(srv *server.Server) string {
	h := srv.Healthz(&server.HealthzOptions{Details: true})
	for _, he := range h.Errors {
		if he.Type == server.HealthzErrorStream && containsFold(he.Error, "write error") {
			return he.Error
		}
	}
	return ""
}
