package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/rs/zerolog"
)

// TestEndToEnd runs govsim → crawler → NATS → archive + site on real
// servers, in both NATS modes and with both archive backends.
func TestEndToEnd(t *testing.T) {
	t.Parallel() // own govsim, NATS, ports and data dirs: shares nothing
	for _, mode := range []string{"embedded", "external"} {
		for _, backend := range []string{"fs", "s3"} {
			t.Run(mode+"/"+backend, func(t *testing.T) {
				t.Parallel() // each its own pipeline
				natsURL, port := "", natstest.FreePort(t)
				if mode == "external" {
					natsURL, port = natstest.External(t), 0
				}
				// One large release (1.5 MB, claim-checked) per run: the one
				// published while the pipeline runs, the 13th of its site.
				// Each large body costs about 7 s of CPU under -race.
				p := newPipeline(t, sim.Options{Seed: 7, Items: 12, LargeEvery: 13}, natsURL, port, backend)
				cfg := p.config(t)
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan error, 1)
				app := &App{Config: cfg, Embedded: true, Log: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel),
					SweepEvery: 200 * time.Millisecond}
				go func() { done <- app.Run(ctx, RoleCrawl, RoleArchive, RoleSite, RoleServe) }()
				defer func() {
					cancel()
					if err := <-done; err != nil {
						t.Errorf("run returned %v", err)
					}
				}()
				observeURL := natsURL
				if observeURL == "" {
					observeURL = fmt.Sprintf("nats://127.0.0.1:%d", port)
					waitFor(t, 20*time.Second, "embedded nats", func() (bool, string) { return dialable(observeURL), "" })
				}
				bus := connectBus(t, observeURL)

				allListed := func() (bool, string) {
					n := len(siteListing(t, p.site))
					want := len(p.sim.Releases())
					return n == want, fmt.Sprintf("%d of %d releases on the site", n, want)
				}
				waitFor(t, 90*time.Second, "every release on the site", allListed)

				// A release published while the pipeline runs shows up too.
				fresh := p.sim.Publish()
				if !fresh.Large {
					t.Fatal("the fresh release is not large: the large-body path would go untested")
				}
				freshID, _ := p.itemIDOf(t, fresh)
				waitFor(t, 30*time.Second, "the new release on the site", func() (bool, string) {
					return siteListing(t, p.site)[freshID] == 1, fresh.Title
				})
				p.verify(t, bus)
				claimsReleased(t, bus)
			})
		}
	}
}

// claimsReleased waits until every claim an event names is deleted (the
// demo's claim store grew 11 MB a minute while they waited 30 days for
// their TTL), but for the items review entries keep.
func claimsReleased(t *testing.T, bus *natsbus.Bus) {
	t.Helper()
	ctx := context.Background()
	reviewed := map[string]bool{}
	if err := bus.EachState(ctx, syndicator.BucketReview, ">", func(_ string, v []byte) error {
		var r struct {
			ItemRef string `json:"item_ref"`
		}
		if err := json.Unmarshal(v, &r); err != nil {
			return err
		}
		reviewed[r.ItemRef] = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	refs := map[string]bool{}
	for _, ev := range natstest.Events(t, bus, "synd.item.>") {
		if ev.ItemRef != "" && !reviewed[ev.ItemRef] {
			refs[ev.ItemRef] = true
		}
		if ev.Capture != nil {
			refs[ev.Capture.Ref] = true
		}
		for _, a := range ev.Attachments {
			refs[a.Ref] = true
		}
	}
	if len(refs) == 0 {
		t.Fatal("no event names a claim; the check proves nothing")
	}
	waitFor(t, 30*time.Second, "every claim released", func() (bool, string) {
		left := 0
		example := ""
		for ref := range refs {
			_, err := bus.GetClaim(ctx, ref)
			if err == nil {
				left++
				example = ref
			} else if !errors.Is(err, syndicator.ErrClaimGone) {
				return false, err.Error()
			}
		}
		return left == 0, fmt.Sprintf("%d of %d claims still stored, e.g. %s", left, len(refs), example)
	})
}
