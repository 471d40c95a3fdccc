package ledger_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator/ledger"
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

// lineSink hands each log line to the test as Run writes it.
type lineSink chan string

func (c lineSink) Write(p []byte) (int, error) {
	c <- string(p)
	return len(p), nil
}

// One failed anchor is a warning; failing again (a whole interval) is an
// error; the first success after that says anchoring works again.
func TestAnchorFailureLogLevels(t *testing.T) {
	t.Parallel()
	logs := make(lineSink, 16)
	anc := ledger.NewAnchorer(&flakyHeads{n: 2}, newMemAnchors(), nil, 5*time.Millisecond, zerolog.New(logs))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- anc.Run(ctx) }()
	var lines []string
	timeout := time.After(10 * time.Second)
	for len(lines) < 3 {
		select {
		case l := <-logs:
			lines = append(lines, l)
		case <-timeout:
			t.Fatalf("after 10 s, %d log lines: %q", len(lines), lines)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(logs) > 0 {
		t.Errorf("more log lines than warn, error, info: %q", <-logs)
	}
	for i, want := range []string{`"level":"warn"`, `"level":"error"`, `"level":"info"`} {
		if !strings.Contains(lines[i], want) {
			t.Errorf("line %d = %s, want %s", i+1, lines[i], want)
		}
	}
	if !strings.Contains(lines[2], "works again") {
		t.Errorf("line 3 = %s, want the recovery", lines[2])
	}
	if !strings.Contains(lines[1], `"failed_in_a_row":2`) {
		t.Errorf("the error does not count the failures: %s", lines[1])
	}
}
