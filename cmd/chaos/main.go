// Command chaos runs syndicator as a deployment of separate processes — a
// three-node NATS JetStream cluster (real nats-server binaries, every
// stream in three replicas), MinIO for the archive and the site, govsim
// publishing fast, and the roles of docker-compose.yml (2 crawl, 2 archive,
// 2 site, 1 serve) — kills processes with SIGKILL on a seeded schedule (a
// role process, a NATS node, the events stream's leader, MinIO; one at a
// time, each started again after a few seconds), takes MinIO and the
// cluster's quorum away for a while, and then checks against govsim's
// record that every release was archived byte-identical exactly once,
// published exactly once, and announced exactly once per kind; that the
// audit ledger verifies against its anchors and that no message was
// dead-lettered. It prints its figures as one JSON line and exits 1 when
// anything was lost, duplicated or mismatched.
//
//	go run ./cmd/chaos [--items 300] [--kills 6] [--seed 1]
//	                   [--minio-outage 60s] [--quorum-outage 30s] ...
//
// nats-server and minio are taken from --nats-server and --minio, else
// $SYND_NATS_SERVER and $SYND_MINIO_SERVER, else $PATH.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// options are the harness's flags.
type options struct {
	Items        int
	History      int
	Kills        int
	Seed         uint64
	PublishEvery time.Duration
	DownMin      time.Duration
	DownMax      time.Duration
	MinIOOutage  time.Duration
	QuorumOutage time.Duration
	Takeover     bool
	Settle       time.Duration
	Deadline     time.Duration
	LargeEvery   int
	Work         string
	Keep         bool
	NATSServer   string
	MinIOServer  string
	Syndicator   string
}

func parse(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("chaos", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.Items, "items", 300, "releases govsim has published when the run ends, history included")
	fs.IntVar(&o.History, "history", 20, "releases of each of the two simulated sites before the run starts")
	fs.IntVar(&o.Kills, "kills", 6, "processes killed with SIGKILL, one at a time (from 3 on: a NATS node, the stream leader and MinIO among them)")
	fs.Uint64Var(&o.Seed, "seed", 1, "seed of the kill schedule and of govsim's releases")
	fs.DurationVar(&o.PublishEvery, "publish-every", 450*time.Millisecond, "interval between govsim's new releases")
	fs.DurationVar(&o.DownMin, "down-min", 2*time.Second, "shortest time a killed process stays down")
	fs.DurationVar(&o.DownMax, "down-max", 5*time.Second, "longest time a killed process stays down")
	fs.DurationVar(&o.MinIOOutage, "minio-outage", 15*time.Second, "after the kills, MinIO is down this long while items flow (0: no outage)")
	fs.DurationVar(&o.QuorumOutage, "quorum-outage", 10*time.Second, "then two of the three NATS nodes are down this long (0: no outage)")
	fs.BoolVar(&o.Takeover, "takeover", true, "after the kills, kill the crawl process holding the most sources and keep it down until the other crawl process holds them (up to 45 s)")
	fs.DurationVar(&o.Settle, "settle", 3*time.Minute, "how long the pipeline may take to catch up once the last release is out")
	fs.DurationVar(&o.Deadline, "deadline", 0, "fail when the whole run takes longer (0: no limit)")
	fs.IntVar(&o.LargeEvery, "large-every", 25, "every n-th release of a site has a body of about 1.5 MB (-1: none)")
	fs.StringVar(&o.Work, "work", "", "work directory (default: a new temporary one, removed after a passing run)")
	fs.BoolVar(&o.Keep, "keep", false, "keep the work directory (stores, configurations, logs) after a passing run")
	fs.StringVar(&o.NATSServer, "nats-server", "", "nats-server binary (default $SYND_NATS_SERVER, else nats-server on $PATH)")
	fs.StringVar(&o.MinIOServer, "minio", "", "minio binary (default $SYND_MINIO_SERVER, else minio on $PATH)")
	fs.StringVar(&o.Syndicator, "syndicator", "", "syndicator binary (default: built from this module into the work directory)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.History < 1 || o.Items < 2*o.History {
		return nil, fmt.Errorf("--items %d must be at least twice --history %d (two sites), and --history at least 1", o.Items, o.History)
	}
	if o.PublishEvery <= 0 || o.DownMin <= 0 || o.DownMax < o.DownMin {
		return nil, fmt.Errorf("--publish-every and --down-min must be positive, --down-max at least --down-min")
	}
	var err error
	if o.NATSServer, err = binary(o.NATSServer, "SYND_NATS_SERVER", "nats-server"); err != nil {
		return nil, err
	}
	if o.MinIOServer, err = binary(o.MinIOServer, "SYND_MINIO_SERVER", "minio"); err != nil {
		return nil, err
	}
	return o, nil
}

// binary resolves a server binary: the flag, else the environment
// variable, else the name on $PATH.
func binary(flagValue, env, name string) (string, error) {
	for _, p := range []string{flagValue, os.Getenv(env)} {
		if p != "" {
			if _, err := os.Stat(p); err != nil {
				return "", fmt.Errorf("%s: %w", name, err)
			}
			return p, nil
		}
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%s not found: pass --%s or set %s (go install: see README, \"Chaos harness\")", name, map[string]string{"nats-server": "nats-server", "minio": "minio"}[name], env)
	}
	return p, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "chaos: %v\n", err)
		return 2
	}
	if o.Deadline > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Deadline)
		defer cancel()
	}
	rep, err := harness(ctx, o, stderr)
	if rep != nil {
		line, _ := json.Marshal(rep)
		fmt.Fprintln(stdout, string(line))
	}
	if err != nil {
		fmt.Fprintf(stderr, "chaos: %v\n", err)
		return 1
	}
	if !rep.OK {
		return 1
	}
	return 0
}
