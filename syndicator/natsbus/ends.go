package natsbus

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// LastSeqOf is the sequence of the last message stored in stream on a
// subject matching subject (wildcards allowed), 0 when there is none: how
// far a follower that reads only those subjects must have read to be
// current. LastSeq counts every subject, so a follower filtering some out
// would look behind whenever the stream ends with one of them.
func (b *Bus) LastSeqOf(ctx context.Context, stream, subject string) (uint64, error) {
	s, err := b.js.Stream(ctx, stream)
	if err != nil {
		return 0, fmt.Errorf("stream %s: %w", stream, err)
	}
	m, err := s.GetLastMsgForSubject(ctx, subject)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("stream %s: last message on %s: %w", stream, subject, err)
	}
	return m.Sequence, nil
}
