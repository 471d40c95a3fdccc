package natsbus

import (
	"context"
	"errors"
	"fmt"
	neturl "net/url"
	"sync/atomic"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
)

// Names of the JetStream streams (DESIGN §5). Subjects and bucket names
// are shared with the roles and live in package syndicator (subject.go).
const (
	StreamEvents = "SYND_EVENTS"
	StreamAudit  = "SYND_AUDIT"
	StreamDead   = "SYND_DEAD"
)

// Options tune the topology; the zero value gives the DESIGN defaults.
type Options struct {
	// DuplicateWindow is how long JetStream remembers a Nats-Msg-Id.
	// Default 2h (DESIGN asks for at least 10 minutes): a crawler that dies
	// between publishing and recording an item republishes it on restart,
	// and the window must cover the restart.
	DuplicateWindow time.Duration
	// CaptureTTL is how long a claim stays in the claim-check store when
	// nothing deletes it (the archive deletes originals and attachments
	// once archived); an archive held down for longer loses them. Default
	// 30 days.
	CaptureTTL time.Duration
	// InlineLimit is the largest event carried inline; a larger item goes
	// by claim check. Default 256 KiB, well under the 1 MiB max payload.
	InlineLimit int
	// BodyInlineLimit is the largest item body (body_html plus body_text,
	// in bytes) carried in an event; a larger one goes by claim check,
	// once per revision (encode.go). Default 4 KiB: a claim costs a store
	// write and a read per sink that needs the body, more than a small
	// body costs each reader to decode.
	BodyInlineLimit int
	// Replicas is how many servers of a JetStream cluster hold each
	// stream, bucket and the claim store (nats.replicas). Default 1; a
	// cluster of three wants 3, so that a node lost leaves a quorum.
	Replicas int
}

func (o *Options) defaults() {
	if o.DuplicateWindow <= 0 {
		o.DuplicateWindow = 2 * time.Hour
	}
	if o.CaptureTTL <= 0 {
		o.CaptureTTL = 30 * 24 * time.Hour
	}
	if o.InlineLimit <= 0 {
		o.InlineLimit = 256 << 10
	}
	if o.BodyInlineLimit <= 0 {
		o.BodyInlineLimit = 4 << 10
	}
	if o.Replicas <= 0 {
		o.Replicas = 1
	}
}

// Bus is a connection to NATS with the syndicator topology bound.
type Bus struct {
	nc   *nats.Conn
	js   jetstream.JetStream
	opts Options
	log  zerolog.Logger

	captures jetstream.ObjectStore
	// captureStream is the stream behind captures, read chunk by chunk
	// (claim.go); looked up once here rather than per claim.
	captureStream jetstream.Stream
	kv            map[string]jetstream.KeyValue
	closed        chan struct{} // closed when the connection is closed for good
	closing       *atomic.Bool  // Close was called: the handlers stay quiet
	leases        keeper        // the leases taken with Acquire (lease.go)
}

// Connect dials url, provisions the topology idempotently and binds it.
// The connection retries forever in the background once established, so a
// NATS restart is survived; the first dial fails fast with a clear error.
// A few server errors still close a connection for good (the client gives
// up on "maximum control line exceeded"): Closed tells the owner to dial
// again.
func Connect(ctx context.Context, url, name string, opts Options, log zerolog.Logger) (*Bus, error) {
	opts.defaults()
	closed := make(chan struct{})
	closing := new(atomic.Bool) // set by Close
	nc, err := nats.Connect(url,
		nats.Name(name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(500*time.Millisecond),
		// A server that stops reading would otherwise hold every writer
		// (and so shutdown) for the default minute.
		nats.FlusherTimeout(10*time.Second),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil && !closing.Load() {
				log.Warn().Err(err).Msg("nats disconnected; reconnecting")
			}
		}),
		nats.ReconnectHandler(func(c *nats.Conn) {
			log.Info().Str("url", c.ConnectedUrlRedacted()).Msg("nats reconnected")
		}),
		nats.ClosedHandler(func(c *nats.Conn) {
			if err := c.LastError(); err != nil && !closing.Load() {
				log.Error().Err(err).Msg("nats connection closed by an error")
			}
			close(closed)
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("connect to nats %s: %w (is nats-server running with JetStream?)", redact(url), err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		closing.Store(true)
		nc.Close()
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	b := &Bus{nc: nc, js: js, opts: opts, log: log, kv: map[string]jetstream.KeyValue{}, closed: closed, closing: closing}
	if err := b.provision(ctx); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// Close drains the connection. The drain ends in the background (a server
// gone silent would hold it for nats.go's 30-second drain timeout), and
// once Close is called the connection logs nothing more: its owner may have
// closed the log's writer.
func (b *Bus) Close() {
	b.closing.Store(true)
	if err := b.nc.Drain(); err != nil {
		b.nc.Close()
	}
}

// provision creates or updates every stream, bucket and store. It is safe
// to run from any number of processes at once.
func (b *Bus) provision(ctx context.Context) error {
	streams := []jetstream.StreamConfig{
		{
			Name:        StreamEvents,
			Description: "syndicator item and source events",
			Subjects:    []string{syndicator.SubjectItems, syndicator.SubjectSources, syndicator.SubjectRetries},
			Storage:     jetstream.FileStorage,
			Retention:   jetstream.LimitsPolicy,
			Discard:     jetstream.DiscardNew,
			Duplicates:  b.opts.DuplicateWindow,
			MaxAge:      365 * 24 * time.Hour,
		},
		{
			Name:        StreamAudit,
			Description: "syndicator audit ledger",
			Subjects:    []string{syndicator.SubjectAudit},
			Storage:     jetstream.FileStorage,
			Retention:   jetstream.LimitsPolicy,
			Discard:     jetstream.DiscardNew,
			Duplicates:  b.opts.DuplicateWindow,
		},
		{
			Name:        StreamDead,
			Description: "dead-letter records: messages a sink gave up on",
			Subjects:    []string{syndicator.SubjectDead},
			Storage:     jetstream.FileStorage,
			Retention:   jetstream.LimitsPolicy,
			Discard:     jetstream.DiscardNew,
			Duplicates:  b.opts.DuplicateWindow,
		},
	}
	for _, cfg := range streams {
		cfg.Replicas = b.opts.Replicas
		if _, err := b.js.CreateOrUpdateStream(ctx, cfg); err != nil {
			return fmt.Errorf("provision stream %s: %w", cfg.Name, err)
		}
	}
	buckets := []jetstream.KeyValueConfig{
		{Bucket: syndicator.BucketItems, Description: "item state by id", Storage: jetstream.FileStorage, History: 5},
		{Bucket: syndicator.BucketSources, Description: "per-source crawl state and health", Storage: jetstream.FileStorage},
		{Bucket: syndicator.BucketLeases, Description: "which crawler instance owns a source", Storage: jetstream.FileStorage, TTL: leaseTTL,
			// Per-message TTLs: a claim outlives the bucket's TTL (lease.go).
			LimitMarkerTTL: leaseTTL},
		{Bucket: syndicator.BucketSite, Description: "articles on the committee site by item id", Storage: jetstream.FileStorage},
		{Bucket: syndicator.BucketDocs, Description: "documents by doc_key: sightings, canonical item, validity", Storage: jetstream.FileStorage, History: 5},
		{Bucket: syndicator.BucketReview, Description: "review queue and operator decisions by item id", Storage: jetstream.FileStorage, History: 10},
		{Bucket: syndicator.BucketControl, Description: "operators' pause and poll-now requests by source id", Storage: jetstream.FileStorage},
		{Bucket: syndicator.BucketWebhook, Description: "what the CMS has accepted, by item id", Storage: jetstream.FileStorage},
		// In memory: a poll that changes nothing else writes nothing to
		// disk, yet the console and /metrics see every poll. Lost with the
		// server; synd_sources keeps a last poll at most an hour old.
		{Bucket: syndicator.BucketPolls, Description: "when each source was last polled", Storage: jetstream.MemoryStorage},
	}
	for _, cfg := range buckets {
		cfg.Replicas = b.opts.Replicas
		kv, err := b.js.CreateOrUpdateKeyValue(ctx, cfg)
		if err != nil {
			return fmt.Errorf("provision kv %s: %w", cfg.Bucket, err)
		}
		b.kv[cfg.Bucket] = kv
	}
	obs, err := b.js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{
		Bucket:      syndicator.ObjectCaptures,
		Description: "claim checks: original pages, attachments and large items",
		Storage:     jetstream.FileStorage,
		TTL:         b.opts.CaptureTTL,
		Replicas:    b.opts.Replicas,
	})
	if err != nil {
		return fmt.Errorf("provision object store %s: %w", syndicator.ObjectCaptures, err)
	}
	b.captures = obs
	if b.captureStream, err = b.js.Stream(ctx, objectStream); err != nil {
		return fmt.Errorf("provision object store %s: stream %s: %w", syndicator.ObjectCaptures, objectStream, err)
	}
	return nil
}

// IsNotFound reports whether err means a missing key or object.
func IsNotFound(err error) bool {
	return errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrObjectNotFound)
}

// redact hides credentials in a NATS URL before it reaches a log or error.
func redact(raw string) string {
	u, err := neturl.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	u.User = neturl.User("***")
	return u.String()
}

// Closed is closed once the connection is closed for good: by Close, or
// by an error the client does not reconnect after.
func (b *Bus) Closed() <-chan struct{} { return b.closed }

// Connected reports whether the connection to NATS is up right now.
func (b *Bus) Connected() bool { return b.nc.IsConnected() }
