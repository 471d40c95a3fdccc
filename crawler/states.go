package crawler

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/gyeco/syndicator/syndicator"
)

// StateLister walks a KV bucket (natsbus.Bus).
type StateLister interface {
	EachState(ctx context.Context, bucket, pattern string, fn func(key string, value []byte) error) error
}

// States reads every source's crawl state in one pass over synd_sources,
// with the poll times of synd_polls laid over it (SourceState.Latest): an
// unchanged poll is recorded only there. Readers that show sources (the
// console, the API, /metrics) call it instead of a read per source.
func States(ctx context.Context, kv StateLister) (map[string]*SourceState, error) {
	states := map[string]*SourceState{}
	err := kv.EachState(ctx, syndicator.BucketSources, ">", func(key string, value []byte) error {
		var st SourceState
		if err := json.Unmarshal(value, &st); err != nil {
			return fmt.Errorf("crawl state of %s: %w", key, err)
		}
		states[key] = &st
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Without synd_polls (a server provisioned by an older version) the
	// recorded poll times stand: they are at most an hour old.
	_ = kv.EachState(ctx, syndicator.BucketPolls, ">", func(key string, value []byte) error {
		var m PollMark
		if st := states[key]; st != nil && json.Unmarshal(value, &m) == nil {
			st.Latest(m)
		}
		return nil
	})
	return states, nil
}
