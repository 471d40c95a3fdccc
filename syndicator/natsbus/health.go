package natsbus

import (
	"context"
	"fmt"
	"time"
)

// jetStreamCheckTimeout bounds JetStreamReady when ctx has no sooner
// deadline: readiness probes must answer quickly.
const jetStreamCheckTimeout = 2 * time.Second

// JetStreamReady asks the server for this account's JetStream usage, the
// cheapest request only a working JetStream answers. It fails when the
// connection is down, when the server runs without JetStream, and when
// JetStream was stopped — as the embedded server's storage watcher does
// while its store cannot be written, and nats-server itself when a
// clustered server runs out of disk.
func (b *Bus) JetStreamReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, jetStreamCheckTimeout)
	defer cancel()
	if _, err := b.js.AccountInfo(ctx); err != nil {
		return fmt.Errorf("jetstream unavailable: %w", err)
	}
	return nil
}
