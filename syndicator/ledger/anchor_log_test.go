package ledger_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator/ledger"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/rs/zerolog"
)

// flakyHeads fails its first n reads, then reports an empty ledger.
type flakyHeads struct {
	mu sync.Mutex
	n  int
}

func (h *flakyHeads) LastEntry(context.Context) ([]byte, uint64, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.n > 0 {
		h.n--
		return nil, 0, errors.New("jetstream unavailable")
	}
	return nil, 0, nil
}

// syncBuffer is a log sink the test reads while Run writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// One failed anchor is a warning; failing again (a whole interval) is an
// error; the first success after that says anchoring works again.
func TestAnchorFailureLogLevels(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	anc := ledger.NewAnchorer(&flakyHeads{n: 2}, newMemAnchors(), nil, 5*time.Millisecond, zerolog.New(&logs))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- anc.Run(ctx) }()
	natstest.WaitFor(t, 10*time.Second, "anchoring to work again", func() (bool, string) {
		return strings.Contains(logs.String(), "works again"), logs.String()
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d log lines, want warn, error, info:\n%s", len(lines), logs.String())
	}
	for i, want := range []string{`"level":"warn"`, `"level":"error"`, `"level":"info"`} {
		if !strings.Contains(lines[i], want) {
			t.Errorf("line %d = %s, want %s", i+1, lines[i], want)
		}
	}
	if !strings.Contains(lines[1], `"failed_in_a_row":2`) {
		t.Errorf("the error does not count the failures: %s", lines[1])
	}
}
