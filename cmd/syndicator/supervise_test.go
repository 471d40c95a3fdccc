package main

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/rs/zerolog"
)

// TestSupervisorRestartsFailedComponents: an error, a panic or an early
// return restarts the component; ending the context stops it for good.
func TestSupervisorRestartsFailedComponents(t *testing.T) {
	logs := &natstest.LogBuffer{}
	sup := supervisor{log: zerolog.New(logs), First: time.Millisecond, Max: 4 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var runs atomic.Int32
	settled := make(chan struct{})
	c := component{name: "flaky", run: func(ctx context.Context) error {
		switch runs.Add(1) {
		case 1:
			return errors.New("consumer: stream not found")
		case 2:
			panic("index out of range")
		case 3:
			return nil
		case 4:
			close(settled)
		}
		<-ctx.Done()
		return ctx.Err()
	}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sup.run(ctx, c)
	}()
	select {
	case <-settled:
	case <-time.After(10 * time.Second):
		t.Fatalf("component ran %d times, want a fourth run after three failures", runs.Load())
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("supervisor did not stop when its context ended")
	}
	if n := runs.Load(); n != 4 {
		t.Errorf("%d runs, want 4", n)
	}
	// Delays carry their unit (a bare 1 would be a millisecond count).
	for _, want := range []string{"stream not found", "panic: index out of range", "component stopped; restarting it", `"restart_in":"1ms"`, `"restart_in":"2ms"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}
