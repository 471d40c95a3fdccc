package main

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Kill kinds. A role kind kills one of that role's processes; natsNode a
// NATS node other than the events stream's leader, natsLeader the leader
// itself (looked up at the moment of the kill).
const (
	natsNode   = "nats"
	natsLeader = "nats-leader"
	minioKind  = "minio"
)

// kill is one planned kill: at At after the schedule starts (or as soon as
// the kill before it has been restarted, if later), kill -9 a process of
// Kind (its Pick-th, modulo how many there are) and start it again after
// Down.
type kill struct {
	At   time.Duration
	Kind string
	Pick int
	Down time.Duration
}

// plan draws n kills from seed, spread over span: one per slot of span/n,
// at a random point of the first half of its slot. With n >= 3 it always
// kills a NATS node, the events stream's leader and MinIO once each; the
// other kills draw a process at random, every process (role instances,
// NATS nodes, MinIO) as likely as any other. Pure: the same arguments give
// the same plan.
func plan(seed uint64, n int, span, downMin, downMax time.Duration) ([]kill, error) {
	if n <= 0 {
		return nil, nil
	}
	slot := span / time.Duration(n)
	if slot < downMax+time.Second {
		return nil, fmt.Errorf("%d kills in %s leave %s each, less than the longest downtime %s plus 1s: publish more items or kill less often", n, span, slot, downMax)
	}
	r := rand.New(rand.NewPCG(seed, 0x5ca1ab1e))
	var pool []string // one entry per process
	for _, ro := range topology.Roles {
		for range ro.Count {
			pool = append(pool, ro.Name)
		}
	}
	for range topology.NATSNodes - 1 {
		pool = append(pool, natsNode)
	}
	pool = append(pool, natsLeader, minioKind)

	kinds := make([]string, n)
	for i := range kinds {
		kinds[i] = pool[r.IntN(len(pool))]
	}
	if n >= 3 {
		// The three kinds that matter most, at three random places.
		for i, at := range r.Perm(n)[:3] {
			kinds[at] = []string{natsNode, natsLeader, minioKind}[i]
		}
	}
	out := make([]kill, n)
	for i := range out {
		down := downMin
		if downMax > downMin {
			down += time.Duration(r.Int64N(int64(downMax - downMin)))
		}
		out[i] = kill{
			At:   time.Duration(i)*slot + time.Duration(r.Int64N(int64(slot/2))),
			Kind: kinds[i],
			Pick: r.IntN(1 << 16),
			Down: down,
		}
	}
	return out, nil
}
