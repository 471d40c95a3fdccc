// Package natsbus is the only importer of nats.go: it runs the embedded
// server, provisions the streams, KV buckets, object store and consumers of
// DESIGN §5, publishes events with their Nats-Msg-Id, passes large payloads by
// claim check and drives the durable pull consumers of the sinks.
package natsbus

import (
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
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
}

// Embedded is an in-process nats-server with JetStream, writing every
// message to disk before acknowledging it (sync_interval: always), so a
// killed process loses nothing it acknowledged.
type Embedded struct {
	opts EmbeddedOptions
	srv  *server.Server
}

// NewEmbedded returns a server that is not started yet.
func NewEmbedded(opts EmbeddedOptions) *Embedded {
	if opts.Host == "" {
		opts.Host = "127.0.0.1"
	}
	if opts.Port == 0 {
		opts.Port = -1
	}
	return &Embedded{opts: opts}
}

// Start runs the server and waits until it accepts connections.
func (e *Embedded) Start() error {
	if e.opts.StoreDir == "" {
		return fmt.Errorf("embedded nats: store dir is empty")
	}
	srv, err := server.NewServer(&server.Options{
		ServerName: "syndicator-embedded",
		Host:       e.opts.Host,
		Port:       e.opts.Port,
		JetStream:  true,
		StoreDir:   e.opts.StoreDir,
		SyncAlways: true,
		NoSigs:     true, // the process owns signal handling
		NoLog:      true,
		MaxPayload: server.MAX_PAYLOAD_SIZE,
	})
	if err != nil {
		return fmt.Errorf("embedded nats: %w", err)
	}
	srv.Start()
	if !srv.ReadyForConnections(30 * time.Second) {
		srv.Shutdown()
		return fmt.Errorf("embedded nats on %s: not ready after 30s (is the port free? is %s writable?)",
			net.JoinHostPort(e.opts.Host, strconv.Itoa(e.opts.Port)), e.opts.StoreDir)
	}
	e.srv = srv
	return nil
}

// ClientURL is the URL clients connect to; valid after Start.
func (e *Embedded) ClientURL() string { return e.srv.ClientURL() }

// Shutdown stops the server and waits for it to flush and close its files.
func (e *Embedded) Shutdown() {
	if e.srv == nil {
		return
	}
	e.srv.Shutdown()
	e.srv.WaitForShutdown()
}
