package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gyeco/syndicator/syndicator"
)

// sources are the ids of the sources every crawl process is configured
// with (deploy.go's config).
var sources = []string{"govcn-zuixin", "guizhou-szfwj"}

// takeover is the lease takeover the harness watched: the crawl process
// holding the most sources was killed and kept down until the others held
// every one of its sources.
type takeover struct {
	Killed  string  `json:"killed"`
	Sources int     `json:"sources"` // leases it held when killed
	After   float64 `json:"after_s"` // until the last of them was taken over; -1: not within the limit
	Limit   float64 `json:"limit_s"` // the bound: the lease TTL (30 s) plus the crawlers' 10 s retry
}

func (x takeover) ok() bool { return x.After >= 0 }

// owner is the lease owner a role process writes: its host name and the
// instance id kept in its data_dir.
func (d *deployment) owner(p *proc) string {
	id, err := os.ReadFile(filepath.Join(d.dir, "roles", p.Name, "instance-id"))
	if err != nil {
		return ""
	}
	host, _ := os.Hostname()
	return host + ":" + strings.TrimSpace(string(id))
}

// leaseOwners reads who holds each source's lease ("" when nobody does).
func (o *observer) leaseOwners(ctx context.Context) map[string]string {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	out := map[string]string{}
	kv, err := o.js.KeyValue(ctx, syndicator.BucketLeases)
	if err != nil {
		return out
	}
	for _, src := range sources {
		e, err := kv.Get(ctx, "source."+src)
		if err != nil {
			continue
		}
		owner, _, _ := strings.Cut(string(e.Value()), " ")
		out[src] = owner
	}
	return out
}

// takeover kills the crawl process holding the most source leases, keeps
// it down until another crawl process holds each of them (or limit
// passes), and starts it again.
func (d *deployment) takeover(ctx context.Context, log io.Writer, obs *observer, limit time.Duration) (takeover, error) {
	x := takeover{After: -1, Limit: secs(limit)}
	// The leases are read until a crawl process is seen holding one: right
	// after a node's restart a read may fail, and a crawl process restarted
	// a moment ago takes its leases back at its next poll.
	var victim *proc
	var held []string
	var owners map[string]string
	for wait := time.Now().Add(limit); ; {
		owners = obs.leaseOwners(ctx)
		victim, held = d.mostLeases(owners)
		if len(held) > 0 {
			break
		}
		if time.Now().After(wait) || ctx.Err() != nil {
			return x, fmt.Errorf("lease takeover: no crawl process holds a source lease within %s (leases: %v)", limit, owners)
		}
		sleep(ctx, 500*time.Millisecond)
	}
	x.Killed, x.Sources = victim.Name, len(held)
	gone := d.owner(victim)
	say(log, "lease takeover: kill -9 %s, which holds %s, and keep it down", victim.Name, strings.Join(held, ", "))
	victim.Kill()
	killed := time.Now()
	for time.Since(killed) < limit && ctx.Err() == nil {
		now := obs.leaseOwners(ctx)
		moved := 0
		for _, src := range held {
			if o := now[src]; o != "" && o != gone {
				moved++
			}
		}
		if moved == len(held) {
			x.After = secs(time.Since(killed))
			break
		}
		sleep(ctx, 250*time.Millisecond)
	}
	say(log, "lease takeover: %d sources taken over after %.1f s; starting %s again", len(held), x.After, victim.Name)
	return x, d.restart(ctx, victim)
}

// mostLeases is the crawl process holding the most of owners' leases, and
// those sources.
func (d *deployment) mostLeases(owners map[string]string) (*proc, []string) {
	var victim *proc
	var held []string
	for _, p := range d.roles {
		if p.Kind != "crawl" {
			continue
		}
		var mine []string
		for src, o := range owners {
			if o != "" && o == d.owner(p) {
				mine = append(mine, src)
			}
		}
		if victim == nil || len(mine) > len(held) {
			victim, held = p, mine
		}
	}
	return victim, held
}
