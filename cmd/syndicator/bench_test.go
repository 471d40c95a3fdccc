package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/rs/zerolog"
)

// BenchmarkPipeline measures items per second from a cold start through
// discovered → archived → published: govsim on loopback, the embedded NATS
// server, and MinIO for both the archive and the site docroot.
//
//	go test -run '^$' -bench Pipeline -benchtime 1x ./cmd/syndicator
func BenchmarkPipeline(b *testing.B) {
	const perSite = 150
	for b.Loop() {
		b.StopTimer()
		port := natstest.FreePort(b)
		p := newPipeline(b, sim.Options{Seed: 3, Items: perSite, LargeEvery: -1}, "", port, "s3")
		p.yaml = strings.NewReplacer("per_host_rps: 200", "per_host_rps: 100000", "pages: 3", "pages: 20").Replace(p.yaml)
		cfg := p.config(b)
		total := len(p.sim.Releases())
		ctx, cancel := context.WithCancel(context.Background())
		app := &App{Config: cfg, Embedded: true, Log: zerolog.Nop()}
		done := make(chan error, 1)
		b.StartTimer()
		start := time.Now()
		go func() { done <- app.Run(ctx, RoleCrawl, RoleArchive, RoleSite, RoleServe) }()
		for {
			if n := len(siteListing(b, p.site)); n == total {
				break
			}
			if time.Since(start) > 5*time.Minute {
				b.Fatalf("pipeline did not finish %d items in 5 minutes", total)
			}
			time.Sleep(50 * time.Millisecond)
		}
		elapsed := time.Since(start)
		b.StopTimer()
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(total)/elapsed.Seconds(), "items/s")
		b.ReportMetric(float64(total), "items")
		fmt.Printf("pipeline: %d items in %s\n", total, elapsed.Round(time.Millisecond))
		b.StartTimer()
	}
}
