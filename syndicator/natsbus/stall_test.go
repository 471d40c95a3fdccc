package natsbus

import (
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

func TestStallWatch(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	elected := t0.Add(-time.Hour)
	info := func(floor uint64, pending int, leaderSince *time.Time) *jetstream.ConsumerInfo {
		return &jetstream.ConsumerInfo{
			AckFloor: jetstream.SequenceInfo{Stream: floor}, NumAckPending: pending,
			Cluster: &jetstream.ClusterInfo{Leader: "n1", LeaderSince: leaderSince},
		}
	}
	w := &stallWatch{after: time.Minute}
	steps := []struct {
		at   time.Duration
		info *jetstream.ConsumerInfo
		want bool
		why  string
	}{
		{0, info(10, 2, &elected), false, "first look"},
		{30 * time.Second, info(10, 2, &elected), false, "still for less than a minute"},
		{61 * time.Second, info(10, 2, &elected), true, "still for a minute with messages pending"},
		{90 * time.Second, info(10, 2, &elected), false, "the new leader gets its own minute"},
		{125 * time.Second, info(12, 1, &elected), false, "the floor moved"},
		{190 * time.Second, info(12, 0, &elected), false, "nothing pending"},
		{200 * time.Second, info(12, 3, &elected), false, "pending again: the clock starts over"},
		{245 * time.Second, info(12, 3, &elected), false, "less than a minute since nothing was pending"},
		{261 * time.Second, info(12, 3, nil), false, "no leader_since: no leader to ask yet"},
	}
	for _, s := range steps {
		if s.info.Cluster.LeaderSince == nil {
			s.info.Cluster.Leader = ""
		}
		if got := w.observe(t0.Add(s.at), s.info); got != s.want {
			t.Errorf("at %s (%s): step down %v, want %v", s.at, s.why, got, s.want)
		}
	}
	// A leader elected recently (by another process's step-down) is given
	// its time.
	recent := t0.Add(250 * time.Second)
	if w.observe(t0.Add(270*time.Second), info(12, 3, &recent)) {
		t.Error("asked a leader elected 20 s ago to step down")
	}
	// Not clustered: never.
	single := &stallWatch{after: time.Minute}
	solo := &jetstream.ConsumerInfo{AckFloor: jetstream.SequenceInfo{Stream: 1}, NumAckPending: 1}
	single.observe(t0, solo)
	if single.observe(t0.Add(time.Hour), solo) {
		t.Error("asked a single server's consumer to step down")
	}
}

func TestStallAfter(t *testing.T) {
	if got := stallAfter(2 * time.Second); got != 30*time.Second {
		t.Errorf("ack wait 2s: %s, want 30s", got)
	}
	if got := stallAfter(30 * time.Second); got != 450*time.Second {
		t.Errorf("ack wait 30s: %s, want 7m30s", got)
	}
}
