package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gyeco/syndicator/sinks/blob"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// deployment is every process of one harness run and what they share.
type deployment struct {
	dir      string // work directory: stores, configs, logs
	logs     string
	natsBin  string
	minioBin string
	synBin   string

	nats    []*proc // the cluster's nodes, named nats-1..3 (server_name n1..n3)
	natsURL string  // every node's client URL, as a client's server list
	minio   *proc
	s3      s3Endpoint
	roles   []*proc // crawl-1, crawl-2, archive-1, ...
	serve   string  // serve's base URL
	token   string  // operator token of serve's API
	env     []string
	confs   map[string]string // role process name → its configuration file
}

// s3Endpoint is the harness's MinIO.
type s3Endpoint struct {
	Addr, User, Password string
}

const (
	archiveBucket = "chaos-archive"
	siteBucket    = "chaos-site"
	column        = "zcwj"
)

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// startNATS writes the three nodes' configurations (routes to each other,
// fsync on every write, as docker-compose.yml's nats.conf) and starts them.
func (d *deployment) startNATS(ctx context.Context) error {
	n := topology.NATSNodes
	ports, err := freePorts(2 * n)
	if err != nil {
		return err
	}
	routes := make([]string, n)
	for i := range n {
		routes[i] = fmt.Sprintf("nats://127.0.0.1:%d", ports[n+i])
	}
	urls := make([]string, n)
	for i := range n {
		name := fmt.Sprintf("n%d", i+1)
		conf := filepath.Join(d.dir, name+".conf")
		text := fmt.Sprintf(`server_name: %s
listen: 127.0.0.1:%d
jetstream {
  store_dir: %q
  sync_interval: always
}
cluster {
  name: chaos
  listen: 127.0.0.1:%d
  routes: [%s]
}
`, name, ports[i], filepath.Join(d.dir, "nats", name), ports[n+i], strings.Join(routes, ", "))
		if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
			return fmt.Errorf("nats config: %w", err)
		}
		p := newProc("nats-"+name[1:], "nats", d.logs, d.natsBin, []string{"-c", conf}, nil)
		p.port = ports[i]
		p.serverName = name
		d.nats = append(d.nats, p)
		urls[i] = fmt.Sprintf("nats://127.0.0.1:%d", ports[i])
	}
	d.natsURL = strings.Join(urls, ",")
	for _, p := range d.nats {
		if err := p.Start(); err != nil {
			return err
		}
	}
	for _, p := range d.nats {
		if err := waitListen(ctx, p.Name, p.port, 30*time.Second); err != nil {
			return err
		}
	}
	return nil
}

// startMinIO starts MinIO and creates the archive bucket with object lock
// (so versioning: the check that each key has one version) and the site
// bucket.
func (d *deployment) startMinIO(ctx context.Context) error {
	ports, err := freePorts(2)
	if err != nil {
		return err
	}
	d.s3 = s3Endpoint{Addr: fmt.Sprintf("127.0.0.1:%d", ports[0]), User: "chaos", Password: "chaos-" + randomHex(12)}
	d.minio = newProc("minio", "minio", d.logs, d.minioBin,
		[]string{"server", filepath.Join(d.dir, "minio"), "--address", d.s3.Addr, "--console-address", fmt.Sprintf("127.0.0.1:%d", ports[1]), "--quiet"},
		[]string{"MINIO_ROOT_USER=" + d.s3.User, "MINIO_ROOT_PASSWORD=" + d.s3.Password})
	d.minio.port = ports[0]
	if err := d.minio.Start(); err != nil {
		return err
	}
	if err := d.waitMinIO(ctx, 60*time.Second); err != nil {
		return err
	}
	// As the roles would create them: the archive bucket with object lock
	// (so versioned: verify counts each key's versions), the site plain.
	for _, bucket := range []string{archiveBucket, siteBucket} {
		st, err := d.store(bucket)
		if err != nil {
			return err
		}
		if err := st.Ensure(ctx); err != nil {
			return err
		}
	}
	return nil
}

// store is the project's S3 store over one of the harness's buckets.
func (d *deployment) store(bucket string) (*blob.S3, error) {
	cfg := blob.S3Config{Endpoint: d.s3.Addr, Bucket: bucket, AccessKey: d.s3.User, SecretKey: d.s3.Password}
	if bucket == archiveBucket {
		cfg.ObjectLockDays = 1
	}
	return blob.NewS3(cfg)
}

// waitMinIO waits until MinIO says it is live.
func (d *deployment) waitMinIO(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	url := "http://" + d.s3.Addr + "/minio/health/ready"
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("minio not ready on %s within %s (log: %s)", d.s3.Addr, limit, d.minio.log)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (d *deployment) s3Client() (*minio.Client, error) {
	c, err := minio.New(d.s3.Addr, &minio.Options{Creds: credentials.NewStaticV4(d.s3.User, d.s3.Password, "")})
	if err != nil {
		return nil, fmt.Errorf("minio client: %w", err)
	}
	return c, nil
}

// config is the syndicator configuration of one role process: the same
// for all but data_dir (each process its own: the crawler's instance id).
func (d *deployment) config(dataDir, httpListen, govsim string) string {
	var httpBlock string
	if httpListen != "" {
		httpBlock = fmt.Sprintf("http:\n  listen: %q\n  tokens:\n    - {name: 混沌测试, role: operator, token: \"${SYND_CHAOS_TOKEN}\"}\n", httpListen)
	}
	return fmt.Sprintf(`data_dir: %[1]s
nats:
  url: %[2]q
  replicas: %[3]d
  # A killed sink's messages come back after 2 s instead of 30 s.
  ack_wait: 2s
%[4]scrawler:
  per_host_rps: 500
  allow_private: [%[5]q]
archive:
  backend: s3
  s3: {endpoint: %[6]q, bucket: %[7]s, access_key: "${SYND_CHAOS_S3_USER}", secret_key: "${SYND_CHAOS_S3_PASSWORD}", object_lock_days: 1}
  anchor_every: 5s
site:
  backend: s3
  s3: {endpoint: %[6]q, bucket: %[8]s, access_key: "${SYND_CHAOS_S3_USER}", secret_key: "${SYND_CHAOS_S3_PASSWORD}"}
  columns: [{id: %[9]s, name: 政策文件}]
# Every release goes to the site: the harness follows the transport;
# relevance has its own tests.
rules: [{name: 全部转载, class: timely}]
sources:
  - id: govcn-zuixin
    preset: govcn-zuixin
    base_url: http://%[5]s/govcn
    interval: 1s
  - id: guizhou-szfwj
    preset: guizhou-szfwj
    base_url: http://%[5]s/guizhou
    interval: 1s
    # Deep enough that a crawl held up by a NATS outage finds every
    # release published meanwhile.
    list: {urls: [/zwgk/zcfg/szfwj/qff/, /zwgk/zcfg/szfwj/qfbf/], pages: 10}
`, dataDir, d.natsURL, topology.Replicas, httpBlock, govsim, d.s3.Addr, archiveBucket, siteBucket, column)
}

// startRoles writes each role process's configuration and starts it.
func (d *deployment) startRoles(ctx context.Context, govsim string) error {
	d.token = "chaos-" + randomHex(16)
	env := []string{"SYND_CHAOS_TOKEN=" + d.token, "SYND_CHAOS_S3_USER=" + d.s3.User, "SYND_CHAOS_S3_PASSWORD=" + d.s3.Password,
		// Logs at info: the harness's logs are for reading after a failure.
		"GOMEMLIMIT=256MiB"}
	d.env = env
	d.confs = map[string]string{}
	servePort, err := freePort()
	if err != nil {
		return err
	}
	for _, r := range topology.Roles {
		for i := 1; i <= r.Count; i++ {
			name := fmt.Sprintf("%s-%d", r.Name, i)
			listen := ""
			if r.Name == "serve" {
				listen = fmt.Sprintf("127.0.0.1:%d", servePort)
				d.serve = "http://" + listen
			}
			path := filepath.Join(d.dir, "conf", name+".yaml")
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(path, []byte(d.config(filepath.Join(d.dir, "roles", name), listen, govsim)), 0o600); err != nil {
				return fmt.Errorf("config of %s: %w", name, err)
			}
			d.confs[name] = path
			args := append(append([]string{}, r.Args...), "--config", path)
			p := newProc(name, r.Name, d.logs, d.synBin, args, env)
			if err := p.Start(); err != nil {
				return err
			}
			d.roles = append(d.roles, p)
		}
	}
	return waitListen(ctx, "serve", servePort, 60*time.Second)
}

// stop ends every process: roles first, then MinIO and NATS.
func (d *deployment) stop() {
	for _, p := range d.roles {
		p.Stop(5 * time.Second)
	}
	if d.minio != nil {
		d.minio.Stop(5 * time.Second)
	}
	for _, p := range d.nats {
		p.Stop(5 * time.Second)
	}
}
