package sim

import (
	"testing"
	"time"
)

func TestZZTiming(t *testing.T) {
	for _, le := range []int{0, -1} {
		t0 := time.Now()
		s := New(Options{Seed: 1, Items: 1000, LargeEvery: le})
		t.Logf("large=%d new: %v", le, time.Since(t0))
		t0 = time.Now()
		s.Releases()
		t.Logf("releases: %v", time.Since(t0))
	}
}
