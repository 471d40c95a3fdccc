package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
)

// report is the run's figures, printed as one JSON line.
type report struct {
	Seed        uint64         `json:"seed"`
	Items       int            `json:"items"`
	Kills       map[string]int `json:"kills"`
	KillsTotal  int            `json:"kills_total"`
	Takeover    *takeover      `json:"takeover,omitempty"`
	Outages     []outage       `json:"outages,omitempty"`
	Lost        int            `json:"lost"`
	Duplicated  int            `json:"duplicated"`
	Mismatched  int            `json:"mismatched"`
	DeadLetters int            `json:"dead_letters"`
	Unexpected  int            `json:"unexpected_exits"`
	Ledger      ledgerCheck    `json:"ledger"`
	SettleSecs  float64        `json:"settle_s"`
	ChaosSecs   float64        `json:"chaos_s"`
	TotalSecs   float64        `json:"total_s"`
	OK          bool           `json:"ok"`
	Problems    []string       `json:"problems,omitempty"`
	WorkDir     string         `json:"work_dir,omitempty"`
}

// say prints a progress line.
func say(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, "chaos: [%s] %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// harness runs one chaos run and reports it; an error means the run could
// not be carried out (a binary missing, a port taken), not a finding.
func harness(ctx context.Context, o *options, log io.Writer) (rep *report, err error) {
	began := time.Now()
	rep = &report{Seed: o.Seed, Kills: map[string]int{}}
	d := &deployment{natsBin: o.NATSServer, minioBin: o.MinIOServer, synBin: o.Syndicator}
	if d.dir = o.Work; d.dir == "" {
		if d.dir, err = os.MkdirTemp("", "syndicator-chaos-"); err != nil {
			return nil, err
		}
	}
	d.logs = filepath.Join(d.dir, "logs")
	if err := os.MkdirAll(d.logs, 0o755); err != nil {
		return nil, err
	}
	defer func() {
		if rep == nil || !rep.OK || o.Keep || o.Work != "" {
			if rep != nil {
				rep.WorkDir = d.dir
			}
			say(log, "stores, configurations and logs kept in %s", d.dir)
			return
		}
		_ = os.RemoveAll(d.dir)
	}()

	if d.synBin == "" {
		d.synBin = filepath.Join(d.dir, "syndicator")
		say(log, "building syndicator")
		cmd := exec.CommandContext(ctx, "go", "build", "-o", d.synBin, "github.com/gyeco/syndicator/cmd/syndicator")
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("build syndicator (run the harness from the module, or pass --syndicator): %w", err)
		}
	}
	defer d.stop()
	say(log, "starting a %d-node NATS cluster and MinIO", topology.NATSNodes)
	if err := d.startNATS(ctx); err != nil {
		return nil, err
	}
	if err := d.startMinIO(ctx); err != nil {
		return nil, err
	}

	// govsim, in this process: its record is the truth checked at the end.
	gov := sim.New(sim.Options{Seed: int64(o.Seed), Items: o.History, PublishEvery: o.PublishEvery, Start: time.Now(), LargeEvery: o.LargeEvery})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: gov, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	govsim := ln.Addr().String()

	obs, err := connectObserver(ctx, d.natsURL, 60*time.Second)
	if err != nil {
		return nil, err
	}
	defer obs.Close()
	octx, ostop := context.WithCancel(ctx)
	var owg sync.WaitGroup
	owg.Go(func() { obs.Run(octx) })
	defer owg.Wait()
	defer ostop()

	say(log, "starting the roles: %s", describeRoles())
	if err := d.startRoles(ctx, govsim); err != nil {
		return nil, err
	}
	history, err := newTruth(gov, "http://"+govsim)
	if err != nil {
		return nil, err
	}
	if err := waitUntil(ctx, 3*time.Minute, log, "the history through the pipeline", func() (bool, string) { return history.settled(obs) }); err != nil {
		return rep, err
	}

	// Chaos: govsim publishes the rest while processes are killed and
	// the outages run; the publishing spans all of it.
	newReleases := o.Items - len(history.ids)
	kills, span, err := o.schedule(newReleases)
	if err != nil {
		return nil, err
	}
	say(log, "chaos: %d new releases over %s, %d kills, MinIO outage %s, quorum outage %s", newReleases, span, len(kills), o.MinIOOutage, o.QuorumOutage)
	chaosStart := time.Now()
	pctx, pstop := context.WithCancel(ctx)
	defer pstop()
	published := make(chan struct{})
	go func() {
		defer close(published)
		t := time.NewTicker(o.PublishEvery)
		defer t.Stop()
		for n := 0; n < newReleases; n++ {
			select {
			case <-pctx.Done():
				return
			case <-t.C:
			}
			gov.Publish()
		}
	}()
	for _, k := range kills {
		if wait := time.Until(chaosStart.Add(k.At)); wait > 0 {
			if !sleep(ctx, wait) {
				return rep, ctx.Err()
			}
		}
		victim, what := d.victim(ctx, obs, k)
		if victim == nil {
			say(log, "no %s to kill (%s); skipped", k.Kind, what)
			continue
		}
		say(log, "kill -9 %s (%s), down %s", victim.Name, what, k.Down.Round(time.Millisecond))
		victim.Kill()
		rep.Kills[k.Kind]++
		rep.KillsTotal++
		if !sleep(ctx, k.Down) {
			return rep, ctx.Err()
		}
		if err := d.restart(ctx, victim); err != nil {
			return rep, err
		}
	}
	if o.Takeover {
		x, err := d.takeover(ctx, log, obs, takeoverLimit)
		if err != nil {
			return rep, err
		}
		rep.Takeover = &x
		rep.Kills["crawl"]++
		rep.KillsTotal++
	}
	if o.MinIOOutage > 0 {
		rep.Outages = append(rep.Outages, d.outage(ctx, log, "minio", o.MinIOOutage, []*proc{d.minio}))
	}
	if o.QuorumOutage > 0 {
		rep.Outages = append(rep.Outages, d.outage(ctx, log, "nats-quorum", o.QuorumOutage, d.nats[:topology.NATSNodes-1]))
	}
	select {
	case <-published:
	case <-ctx.Done():
		return rep, ctx.Err()
	}
	rep.ChaosSecs = secs(time.Since(chaosStart))
	settleStart := time.Now()
	all, err := newTruth(gov, "http://"+govsim)
	if err != nil {
		return nil, err
	}
	rep.Items = len(all.ids)
	say(log, "govsim has published %d releases; waiting for the pipeline to settle", rep.Items)
	settleErr := waitUntil(ctx, o.Settle, log, "every release through the pipeline", func() (bool, string) { return all.settled(obs) })
	rep.SettleSecs = secs(time.Since(settleStart))
	// Let a straggler (a second event of a kind) show before counting.
	if err := obs.caughtUp(ctx, 30*time.Second); err != nil {
		return rep, err
	}

	f, err := all.verify(ctx, d, obs)
	if err != nil {
		return rep, err
	}
	rep.Lost, rep.Duplicated, rep.Mismatched, rep.Problems = f.Lost, f.Duplicated, f.Mismatched, f.Problems
	if settleErr != nil && rep.Lost == 0 {
		rep.Problems = append(rep.Problems, settleErr.Error())
	}
	dead, err := obs.DeadLetters(ctx)
	if err != nil {
		return rep, err
	}
	rep.DeadLetters = len(dead)
	for _, dl := range dead {
		rep.Problems = append(rep.Problems, fmt.Sprintf("dead letter of %s (%s, %d deliveries): %s", dl.Consumer, dl.Subject, dl.Deliveries, dl.Error))
	}
	for _, p := range d.roles {
		rep.Unexpected += p.Unwanted()
		if n := p.Unwanted(); n > 0 {
			rep.Problems = append(rep.Problems, fmt.Sprintf("%s exited %d times by itself (log: %s)", p.Name, n, p.log))
		}
	}
	text, err := d.verifyLedger(ctx, d.confs["archive-1"], d.env)
	rep.Ledger = parseLedgerCheck(text, err)
	if !rep.Ledger.OK {
		rep.Problems = append(rep.Problems, fmt.Sprintf("audit verify: %v: %s", err, text))
	}
	outagesOK := rep.Takeover == nil || rep.Takeover.ok()
	if !outagesOK {
		rep.Problems = append(rep.Problems, fmt.Sprintf("lease takeover: %s's %d sources not taken over within %.0f s", rep.Takeover.Killed, rep.Takeover.Sources, rep.Takeover.Limit))
	}
	for _, x := range rep.Outages {
		outagesOK = outagesOK && x.ok()
		if !x.ok() {
			rep.Problems = append(rep.Problems, x.problem())
		}
	}
	rep.TotalSecs = secs(time.Since(began))
	rep.OK = rep.Lost == 0 && rep.Duplicated == 0 && rep.Mismatched == 0 && rep.DeadLetters == 0 &&
		rep.Unexpected == 0 && rep.Ledger.OK && outagesOK && settleErr == nil
	if len(rep.Problems) > 20 {
		rep.Problems = append(rep.Problems[:20], fmt.Sprintf("… and %d more", len(rep.Problems)-20))
	}
	return rep, nil
}

func describeRoles() string {
	s := ""
	for i, r := range topology.Roles {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%d %s", r.Count, r.Name)
	}
	return s
}

// victim is the process a planned kill hits, and a word on why.
func (d *deployment) victim(ctx context.Context, obs *observer, k kill) (*proc, string) {
	var pool []*proc
	switch k.Kind {
	case minioKind:
		return d.minio, "MinIO"
	case natsLeader, natsNode:
		leader := obs.Leader(ctx)
		for _, p := range d.nats {
			if (p.serverName == leader) == (k.Kind == natsLeader) {
				pool = append(pool, p)
			}
		}
		if k.Kind == natsLeader {
			return first(pool), "leader of SYND_EVENTS"
		}
		return pick(pool, k.Pick), "a NATS node, not the leader " + leader
	}
	for _, p := range d.roles {
		if p.Kind == k.Kind {
			pool = append(pool, p)
		}
	}
	return pick(pool, k.Pick), "one of the " + k.Kind + " processes"
}

func first(ps []*proc) *proc {
	if len(ps) == 0 {
		return nil
	}
	return ps[0]
}

func pick(ps []*proc, n int) *proc {
	if len(ps) == 0 {
		return nil
	}
	return ps[n%len(ps)]
}

// restart starts a killed process again and, for a server, waits until it
// serves.
func (d *deployment) restart(ctx context.Context, p *proc) error {
	if err := p.Start(); err != nil {
		return err
	}
	switch p.Kind {
	case "nats":
		return waitListen(ctx, p.Name, p.port, 30*time.Second)
	case minioKind:
		return d.waitMinIO(ctx, 60*time.Second)
	}
	return nil
}

// waitUntil polls cond every second until it holds, saying how far it is
// every 10 s.
func waitUntil(ctx context.Context, limit time.Duration, log io.Writer, what string, cond func() (bool, string)) error {
	deadline := time.Now().Add(limit)
	lastSaid := time.Now()
	for {
		ok, why := cond()
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: not within %s: %s", what, limit, why)
		}
		if time.Since(lastSaid) >= 10*time.Second {
			say(log, "waiting for %s: %s", what, why)
			lastSaid = time.Now()
		}
		if !sleep(ctx, time.Second) {
			return ctx.Err()
		}
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func secs(d time.Duration) float64 { return float64(d.Milliseconds()) / 1000 }

// takeoverLimit bounds a lease takeover: the heartbeat of the dead
// process expires within the lease TTL (30 s), and a crawler that does not
// hold its source asks again at least every 10 s; 5 s more for the polls.
const takeoverLimit = 45 * time.Second

// schedule plans the kills over the time govsim takes to publish n new
// releases, less the outages and the takeover, which follow the kills;
// span is that publishing time.
func (o *options) schedule(n int) (kills []kill, span time.Duration, err error) {
	span = time.Duration(n) * o.PublishEvery
	killSpan := span - o.MinIOOutage - o.QuorumOutage
	if o.Takeover {
		killSpan -= takeoverLimit
	}
	kills, err = plan(o.Seed, o.Kills, killSpan, o.DownMin, o.DownMax)
	if err != nil {
		return nil, span, fmt.Errorf("%w (the kills get the publishing time, %d releases × --publish-every %s = %s, less the outages and the takeover)", err, n, o.PublishEvery, span)
	}
	return kills, span, nil
}

var errNotCaughtUp = errors.New("the observer did not catch up with the events stream")
