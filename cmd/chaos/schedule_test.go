package main

import (
	"reflect"
	"testing"
	"time"
)

func TestPlanIsSeededAndSpread(t *testing.T) {
	span, down := 60*time.Second, [2]time.Duration{2 * time.Second, 5 * time.Second}
	a, err := plan(7, 6, span, down[0], down[1])
	if err != nil {
		t.Fatal(err)
	}
	b, _ := plan(7, 6, span, down[0], down[1])
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("the same seed gave two plans:\n%v\n%v", a, b)
	}
	c, _ := plan(8, 6, span, down[0], down[1])
	if reflect.DeepEqual(a, c) {
		t.Errorf("seeds 7 and 8 gave the same plan %v", a)
	}
	slot := span / 6
	for i, k := range a {
		if k.At < time.Duration(i)*slot || k.At >= time.Duration(i)*slot+slot/2 {
			t.Errorf("kill %d at %s: outside the first half of its slot [%s, %s)", i, k.At, time.Duration(i)*slot, time.Duration(i)*slot+slot/2)
		}
		if k.Down < down[0] || k.Down >= down[1] {
			t.Errorf("kill %d down %s: outside [%s, %s)", i, k.Down, down[0], down[1])
		}
	}
}

// From three kills on, every plan kills a NATS node, the stream leader
// and MinIO, whatever the seed; the other kills reach every kind.
func TestPlanAlwaysKillsTheServers(t *testing.T) {
	seen := map[string]bool{}
	for seed := range uint64(200) {
		for _, n := range []int{3, 6, 30} {
			ks, err := plan(seed, n, time.Duration(n)*10*time.Second, time.Second, 3*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if len(ks) != n {
				t.Fatalf("seed %d: %d kills planned, want %d", seed, len(ks), n)
			}
			count := map[string]int{}
			for _, k := range ks {
				count[k.Kind]++
				seen[k.Kind] = true
			}
			for _, kind := range []string{natsNode, natsLeader, minioKind} {
				if count[kind] == 0 {
					t.Fatalf("seed %d, %d kills: no %s kill in %v", seed, n, kind, ks)
				}
			}
		}
	}
	for _, r := range topology.Roles {
		if !seen[r.Name] {
			t.Errorf("no plan ever kills a %s process", r.Name)
		}
	}
}

func TestPlanRefusesKillsCloserThanTheirDowntime(t *testing.T) {
	if _, err := plan(1, 10, 30*time.Second, 2*time.Second, 5*time.Second); err == nil {
		t.Error("10 kills of up to 5 s down in 30 s: want an error")
	}
	if ks, err := plan(1, 0, 30*time.Second, 2*time.Second, 5*time.Second); err != nil || len(ks) != 0 {
		t.Errorf("no kills: got %v, %v", ks, err)
	}
}
