package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/rs/zerolog"
)

// TestEndToEnd runs govsim → crawler → NATS → archive + site on real
// servers, in both NATS modes and with both archive backends.
func TestEndToEnd(t *testing.T) {
	for _, mode := range []string{"embedded", "external"} {
		for _, backend := range []string{"fs", "s3"} {
			t.Run(mode+"/"+backend, func(t *testing.T) {
				natsURL, port := "", natstest.FreePort(t)
				if mode == "external" {
					natsURL, port = natstest.External(t), 0
				}
				p := newPipeline(t, sim.Options{Seed: 7, Items: 12}, natsURL, port, backend)
				cfg := p.config(t)
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan error, 1)
				app := &App{Config: cfg, Embedded: true, Log: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)}
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
				freshID, _ := p.itemIDOf(t, fresh)
				waitFor(t, 30*time.Second, "the new release on the site", func() (bool, string) {
					return siteListing(t, p.site)[freshID] == 1, fresh.Title
				})
				p.verify(t, bus)
			})
		}
	}
}
