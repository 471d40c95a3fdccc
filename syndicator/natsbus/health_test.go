package natsbus

import (
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

func TestQuorum(t *testing.T) {
	peer := func(active time.Duration, offline bool) *jetstream.PeerInfo {
		return &jetstream.PeerInfo{Name: "n", Active: active, Offline: offline}
	}
	for _, tc := range []struct {
		name string
		c    *jetstream.ClusterInfo
		ok   bool
	}{
		{"no cluster info", nil, false},
		{"no leader", &jetstream.ClusterInfo{}, false},
		{"all three", &jetstream.ClusterInfo{Leader: "n1", Replicas: []*jetstream.PeerInfo{peer(200*time.Millisecond, false), peer(time.Second, false)}}, true},
		{"one follower silent", &jetstream.ClusterInfo{Leader: "n1", Replicas: []*jetstream.PeerInfo{peer(200*time.Millisecond, false), peer(8*time.Second, false)}}, true},
		{"both followers silent", &jetstream.ClusterInfo{Leader: "n1", Replicas: []*jetstream.PeerInfo{peer(4*time.Second, false), peer(8*time.Second, false)}}, false},
		{"one offline, one silent", &jetstream.ClusterInfo{Leader: "n1", Replicas: []*jetstream.PeerInfo{peer(0, true), peer(5*time.Second, false)}}, false},
	} {
		if err := quorum(tc.c, 3); (err == nil) != tc.ok {
			t.Errorf("%s: %v, want ok %v", tc.name, err, tc.ok)
		}
	}
}
