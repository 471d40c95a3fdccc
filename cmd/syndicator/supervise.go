package main

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/gyeco/syndicator/syndicator/backoff"
	"github.com/rs/zerolog"
)

// component is one long-lived part of a role: a crawler, a sink's
// consumer, the site indexer, the ledger recorder.
type component struct {
	name string
	run  func(ctx context.Context) error
}

// supervisor keeps components running: one that returns (with an error, or
// a panic) before its context ends is restarted after a backoff, so a fault
// in one part never ends the process or the other parts.
type supervisor struct {
	log zerolog.Logger
	// First and Max bound the delay before a restart; it doubles from
	// First on each failure in a row.
	First, Max time.Duration
	// Stable is how long a run must last for the delay to start over.
	Stable time.Duration
}

func (s supervisor) withDefaults() supervisor {
	if s.First <= 0 {
		s.First = time.Second
	}
	if s.Max <= 0 {
		s.Max = time.Minute
	}
	if s.Stable <= 0 {
		s.Stable = 5 * time.Minute
	}
	return s
}

// run runs c until ctx ends.
func (s supervisor) run(ctx context.Context, c component) {
	s = s.withDefaults()
	wait := backoff.New(s.First, s.Max)
	for {
		start := time.Now()
		err := runRecovered(ctx, c)
		if ctx.Err() != nil {
			return
		}
		if time.Since(start) >= s.Stable {
			wait.Reset()
		}
		ev := s.log.Error().Err(err)
		if err == nil {
			ev = s.log.Warn()
		}
		ev.Str("component", c.name).Stringer("restart_in", wait.Next()).Msg("component stopped; restarting it")
		if !wait.Wait(ctx) {
			return
		}
	}
}

// runRecovered runs c, turning a panic into an error with its stack.
func runRecovered(ctx context.Context, c component) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return c.run(ctx)
}
