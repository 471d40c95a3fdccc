package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
)

// TestBackfillThousandItems imports 1,000 historical releases: progress is
// shown, every release is announced once and marked as backfilled, and a
// second backfill adds nothing.
func TestBackfillThousandItems(t *testing.T) {
	natsURL := natstest.Embedded(t)
	p := newPipeline(t, sim.Options{Seed: 19, Items: 1000, LargeEvery: -1}, natsURL, 0, "fs")
	p.yaml = strings.Replace(p.yaml, "per_host_rps: 200", "per_host_rps: 100000", 1)
	cfgPath := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(cfgPath, []byte(p.yaml), 0o644)

	var out, errOut bytes.Buffer
	start := time.Now()
	if code := run([]string{"backfill", "govcn-zuixin", "--config", cfgPath, "--log-level", "error"}, &out, &errOut); code != 0 {
		t.Fatalf("backfill exit %d\n%s", code, errOut.String())
	}
	t.Logf("backfill of 1000 items took %s", time.Since(start).Round(time.Millisecond))
	progress := errOut.String()
	for _, want := range []string{"100/1000", "500/1000", "1000/1000 100%", "新增 1000"} {
		if !strings.Contains(progress, want) {
			t.Errorf("progress output lacks %q:\n%s", want, tail([]byte(progress), 1500))
		}
	}

	bus := connectBus(t, natsURL)
	ids := map[string]int{}
	notBackfilled := 0
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := bus.ReadAll(ctx, natsbus.StreamEvents, "synd.item.discovered.govcn-zuixin", func(_ string, data []byte) error {
		var ev syndicator.Event
		if err := json.Unmarshal(data, &ev); err != nil {
			return err
		}
		it, err := bus.Item(ctx, &ev)
		if err != nil {
			return err
		}
		ids[ev.ID]++
		if !it.Backfilled {
			notBackfilled++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, r := range p.sim.Releases() {
		if r.Site == sim.GovCN {
			want++
			id, _ := p.itemIDOf(t, r)
			if ids[id] != 1 {
				t.Errorf("%s announced %d times, want 1", r.Path, ids[id])
			}
		}
	}
	if want != 1000 || len(ids) != want || notBackfilled != 0 {
		t.Errorf("govsim has %d gov.cn releases; %d announced, %d not marked backfilled", want, len(ids), notBackfilled)
	}

	errOut.Reset()
	if code := run([]string{"backfill", "govcn-zuixin", "--config", cfgPath, "--log-level", "error"}, &out, &errOut); code != 0 {
		t.Fatalf("second backfill exit %d\n%s", code, errOut.String())
	}
	if !strings.Contains(errOut.String(), "新增 0，已有 1000") {
		t.Errorf("second backfill should add nothing:\n%s", tail(errOut.Bytes(), 600))
	}
}
