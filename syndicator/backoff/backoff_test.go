package backoff

import (
	"context"
	"testing"
	"time"
)

func TestDoublesToTheCap(t *testing.T) {
	b := New(time.Millisecond, 5*time.Millisecond)
	var got []time.Duration
	for range 5 {
		got = append(got, b.Next())
		if !b.Wait(t.Context()) {
			t.Fatal("Wait returned false with a live context")
		}
	}
	want := []time.Duration{1, 2, 4, 5, 5}
	for i := range want {
		if got[i] != want[i]*time.Millisecond {
			t.Fatalf("delays %v, want %v ms", got, want)
		}
	}
	b.Reset()
	if b.Next() != time.Millisecond {
		t.Errorf("after Reset: %v, want 1ms", b.Next())
	}
}

func TestWaitEndsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	b := New(time.Hour, time.Hour)
	start := time.Now()
	if b.Wait(ctx) {
		t.Error("Wait returned true after the context ended")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Wait took %v after the context ended", d)
	}
	if b.Next() != time.Hour {
		t.Errorf("a cut wait doubled the delay to %v", b.Next())
	}
}
