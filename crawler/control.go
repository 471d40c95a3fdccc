package crawler

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/rs/zerolog"
)

// Watcher follows a KV bucket (natsbus.Bus).
type Watcher interface {
	WatchState(ctx context.Context, bucket, pattern string, fn func(key string, value []byte, deleted bool), initialDone func()) error
}

// Controls keeps the operators' requests for every source (KV
// synd_control: pause, poll now) in memory for the crawlers of this
// process, and wakes a source's crawler when a poll is asked for.
type Controls struct {
	watch Watcher
	log   zerolog.Logger

	mu     sync.Mutex
	state  map[string]syndicator.SourceControl
	wake   map[string]chan struct{}
	synced bool
}

// NewControls returns the controls of this process; it does no I/O.
func NewControls(w Watcher, log zerolog.Logger) *Controls {
	return &Controls{watch: w, log: log, state: map[string]syndicator.SourceControl{}, wake: map[string]chan struct{}{}}
}

// Run follows synd_control until ctx ends.
func (c *Controls) Run(ctx context.Context) error {
	c.mu.Lock()
	c.synced = false
	c.mu.Unlock()
	return c.watch.WatchState(ctx, syndicator.BucketControl, ">", c.apply, func() {
		c.mu.Lock()
		c.synced = true
		c.mu.Unlock()
	})
}

func (c *Controls) apply(key string, value []byte, deleted bool) {
	var sc syndicator.SourceControl
	if !deleted {
		if err := json.Unmarshal(value, &sc); err != nil {
			c.log.Warn().Err(err).Str("source", key).Msg("unreadable source control ignored")
			return
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	prev := c.state[key]
	c.state[key] = sc
	// Requests made before this process watched are history: only a poll
	// asked for (or a resume) while it runs wakes the crawler.
	if c.synced && (sc.PollAt.After(prev.PollAt) || prev.Paused && !sc.Paused) {
		select {
		case c.wakeLocked(key) <- struct{}{}:
		default: // a wake-up is already pending
		}
	}
}

func (c *Controls) wakeLocked(source string) chan struct{} {
	ch, ok := c.wake[source]
	if !ok {
		ch = make(chan struct{}, 1)
		c.wake[source] = ch
	}
	return ch
}

// Paused reports whether an operator paused source.
func (c *Controls) Paused(source string) bool {
	if c == nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state[source].Paused
}

// Wake receives when an operator asks source to be polled now; nil
// Controls never wake.
func (c *Controls) Wake(source string) <-chan struct{} {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wakeLocked(source)
}
