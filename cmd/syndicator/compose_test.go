package main

import (
	"bufio"
	"context"
	"fmt"
	"io/fs"
	"maps"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/gyeco/syndicator/config"
	"github.com/nats-io/nats-server/v2/server"
)

// docker-compose.yml is checked the way Docker Compose reads it: loaded
// and interpolated by compose-go (the library of `docker compose`), its
// inline configurations rendered, the NATS one parsed by nats-server's own
// parser and the syndicator ones by config.Parse, in a stand-in for each
// container's file system. There is no Docker engine in CI, so pulling
// the pinned images is not checked here.

const composeFile = "../../docker-compose.yml"

// composeEnv is the environment the compose file documents for
// `docker compose up`: what an operator exports, nothing else.
func composeEnv() map[string]string {
	return map[string]string{
		"MINIO_ROOT_PASSWORD": "minio-password-0123456789",
		"SYND_OPERATOR_TOKEN": "operator-token-0123456789abcdef",
		"SYND_AUDITOR_TOKEN":  "auditor-token-0123456789abcdef",
	}
}

// composeWebhookEnv adds what `docker compose --profile webhook up` needs.
func composeWebhookEnv() map[string]string {
	env := composeEnv()
	env["SYND_WEBHOOK_URL"] = "https://cms.example.cn/api/syndicator"
	env["SYND_WEBHOOK_SECRET"] = "webhook-secret-0123456789abcdef"
	return env
}

// composeOptional are the variables the compose file may read unset: each
// has a default (${NAME:-…}) or belongs to an optional profile.
var composeOptional = []string{"MINIO_ROOT_USER", "SYND_WEBHOOK_URL"}

// loadCompose loads docker-compose.yml with env as the whole environment
// (no .env file, nothing from the test's own environment) and profiles
// enabled. It returns the project and the variables interpolation looked
// up that env does not have.
func loadCompose(t *testing.T, env map[string]string, profiles ...string) (*types.Project, []string, error) {
	t.Helper()
	var list []string
	for k, v := range env {
		list = append(list, k+"="+v)
	}
	sort.Strings(list)
	unset := map[string]bool{}
	opts, err := cli.NewProjectOptions([]string{composeFile},
		cli.WithEnv(list),
		cli.WithProfiles(profiles),
		cli.WithLoadOptions(func(o *loader.Options) {
			if o.Interpolate == nil || o.Interpolate.LookupValue == nil {
				return // reading the files, not interpolating them
			}
			lookup := o.Interpolate.LookupValue
			o.Interpolate.LookupValue = func(key string) (string, bool) {
				v, ok := lookup(key)
				if !ok {
					unset[key] = true
				}
				return v, ok
			}
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(context.Background())
	return p, slices.Sorted(maps.Keys(unset)), err
}

func mustLoadCompose(t *testing.T, env map[string]string, profiles ...string) *types.Project {
	t.Helper()
	p, _, err := loadCompose(t, env, profiles...)
	if err != nil {
		t.Fatalf("docker-compose.yml does not load as Compose loads it: %v", err)
	}
	return p
}

// The documented variables are enough, and the only ones Compose reads:
// a variable meant for a container (such as $HOSTNAME in the NATS
// configuration) that Compose expands itself turns blank or takes the
// value of the operator's shell.
func TestComposeReadsOnlyDocumentedVariables(t *testing.T) {
	for _, tc := range []struct {
		name     string
		env      map[string]string
		profiles []string
	}{
		{"default", composeEnv(), nil},
		{"webhook profile", composeWebhookEnv(), []string{"webhook"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, unset, err := loadCompose(t, tc.env, tc.profiles...)
			if err != nil {
				t.Fatalf("docker-compose.yml with the documented environment: %v", err)
			}
			for _, name := range unset {
				if !slices.Contains(composeOptional, name) {
					t.Errorf("Compose interpolates $%s, which the documented environment does not set: it becomes blank (escape a container's variable as $$%s)", name, name)
				}
			}
			// Secrets taken from the environment: only documented variables.
			for _, svc := range p.Services {
				for _, ref := range svc.Secrets {
					s := p.Secrets[ref.Source]
					if s.Environment != "" && tc.env[s.Environment] == "" {
						t.Errorf("service %s needs secret %s from $%s, which the documented environment does not set", svc.Name, ref.Source, s.Environment)
					}
				}
			}
		})
	}

	// MINIO_ROOT_PASSWORD has no default and is refused when missing.
	env := composeEnv()
	delete(env, "MINIO_ROOT_PASSWORD")
	if _, _, err := loadCompose(t, env); err == nil || !strings.Contains(err.Error(), "MINIO_ROOT_PASSWORD") {
		t.Errorf("without MINIO_ROOT_PASSWORD: err = %v, want one naming it", err)
	}

	// The webhook is optional: off by default, on with its profile.
	p := mustLoadCompose(t, composeEnv())
	var webhook []string
	for name, svc := range p.AllServices() {
		if slices.Contains(svc.Command, "webhook") {
			webhook = append(webhook, name)
			if _, on := p.Services[name]; on {
				t.Errorf("%s runs without its profile: `docker compose up` would need a webhook URL and secret", name)
			}
		}
	}
	if len(webhook) != 1 {
		t.Fatalf("webhook services %v, want one (an optional `sink webhook` role)", webhook)
	}
	if _, on := mustLoadCompose(t, composeWebhookEnv(), "webhook").Services[webhook[0]]; !on {
		t.Errorf("%s does not run with --profile webhook", webhook[0])
	}
}

// natsNode is one NATS service with its rendered, parsed configuration.
type natsNode struct {
	service string
	svc     types.ServiceConfig
	opts    *server.Options
}

// natsNodes renders and parses the configuration of every NATS service of
// p as nats-server would in its container: the config mounted at the path
// its command names, with the service's environment (and HOSTNAME, which
// Docker sets to the container's host name).
func natsNodes(t *testing.T, p *types.Project) []natsNode {
	t.Helper()
	var nodes []natsNode
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		svc := p.Services[name]
		if img := imageName(svc.Image); img != "nats" && !strings.HasSuffix(img, "/nats") {
			continue
		}
		i := slices.IndexFunc(svc.Command, func(a string) bool { return a == "-c" || a == "--config" })
		if i < 0 || i+1 >= len(svc.Command) {
			t.Errorf("%s: command %v names no configuration file", name, svc.Command)
			continue
		}
		root := t.TempDir()
		mountFiles(t, p, svc, root)
		path := filepath.Join(root, svc.Command[i+1])
		if _, err := os.Stat(path); err != nil {
			t.Errorf("%s: %s is not mounted: %v", name, svc.Command[i+1], err)
			continue
		}
		env := map[string]string{"HOSTNAME": svc.Hostname}
		if env["HOSTNAME"] == "" {
			env["HOSTNAME"] = name
		}
		for k, v := range svc.Environment {
			if v != nil {
				env[k] = *v
			}
		}
		var opts *server.Options
		var err error
		withEnv(t, env, func() { opts, err = server.ProcessConfigFile(path) })
		if err != nil {
			t.Errorf("%s: nats-server refuses its configuration: %v", name, err)
			continue
		}
		nodes = append(nodes, natsNode{name, svc, opts})
	}
	return nodes
}

// The NATS cluster's configuration, as nats-server parses it: every node
// named, and differently; one cluster name; every node routing to every
// node, on the port it listens on; JetStream on a volume, fsyncing always.
func TestComposeNATSCluster(t *testing.T) {
	shell := composeEnv()
	// An operator's shell usually exports HOSTNAME: Compose must not put
	// it (the same value) into every node's configuration.
	shell["HOSTNAME"] = "operator-laptop"
	for name, env := range map[string]map[string]string{"documented env": composeEnv(), "shell with HOSTNAME": shell} {
		t.Run(name, func(t *testing.T) { checkNATSCluster(t, mustLoadCompose(t, env)) })
	}
}

func checkNATSCluster(t *testing.T, p *types.Project) {
	nodes := natsNodes(t, p)
	if t.Failed() {
		return
	}
	if len(nodes) < 3 {
		t.Fatalf("%d NATS services, want a cluster of at least 3", len(nodes))
	}
	names := map[string]string{}
	clusterPort := map[string]int{} // host → cluster port
	for _, n := range nodes {
		o := n.opts
		switch {
		case o.ServerName == "":
			t.Errorf("%s: server_name is empty (nats-server refuses JetStream in a cluster without one)", n.service)
		case names[o.ServerName] != "":
			t.Errorf("%s and %s share server_name %q", names[o.ServerName], n.service, o.ServerName)
		default:
			names[o.ServerName] = n.service
		}
		if !o.JetStream || !o.SyncAlways {
			t.Errorf("%s: jetstream %v, sync_interval always %v: want JetStream fsyncing every write (DESIGN §5)", n.service, o.JetStream, o.SyncAlways)
		}
		if !onVolume(p, n.svc, o.StoreDir) {
			t.Errorf("%s: JetStream store %q is not on a declared volume: a restarted node loses its streams", n.service, o.StoreDir)
		}
		if o.Cluster.Name != nodes[0].opts.Cluster.Name || o.Cluster.Name == "" {
			t.Errorf("%s: cluster name %q, %s has %q", n.service, o.Cluster.Name, nodes[0].service, nodes[0].opts.Cluster.Name)
		}
		for _, h := range []string{n.service, n.svc.Hostname} {
			if h != "" {
				clusterPort[h] = o.Cluster.Port
			}
		}
	}
	for _, n := range nodes {
		var routed []string
		for _, r := range n.opts.Routes {
			port, ok := clusterPort[r.Hostname()]
			if !ok {
				t.Errorf("%s: route %s names no NATS service", n.service, r)
				continue
			}
			if r.Port() != fmt.Sprint(port) {
				t.Errorf("%s: route %s, but that node's cluster port is %d", n.service, r, port)
			}
			routed = append(routed, r.Hostname())
		}
		for _, m := range nodes {
			if !slices.Contains(routed, m.service) && !slices.Contains(routed, m.svc.Hostname) {
				t.Errorf("%s: no route to %s (routes %v)", n.service, m.service, n.opts.Routes)
			}
		}
	}
}

// roleContainer is one syndicator role's configuration as its container
// sees it.
type roleContainer struct {
	service string
	svc     types.ServiceConfig
	cfg     *config.Config
	root    string // the stand-in of its file system
}

// inContainer is path, resolved in the stand-in root, as the container
// sees it.
func (r roleContainer) inContainer(path string) string {
	if rel, err := filepath.Rel(r.root, path); err == nil && filepath.IsLocal(rel) {
		return "/" + filepath.ToSlash(rel)
	}
	return path
}

// roleContainers loads the configuration of every syndicator role of p
// (every service built from this repository) from a stand-in of its file
// system: the configs and secrets it mounts, under a temporary root, and
// exactly its environment.
func roleContainers(t *testing.T, p *types.Project) []roleContainer {
	t.Helper()
	var out []roleContainer
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		svc := p.Services[name]
		if svc.Build == nil {
			continue
		}
		i := slices.Index(svc.Command, "--config")
		if i < 0 || i+1 >= len(svc.Command) {
			t.Errorf("%s: command %v has no --config", name, svc.Command)
			continue
		}
		root := t.TempDir()
		mountFiles(t, p, svc, root)
		target := svc.Command[i+1]
		data, err := os.ReadFile(filepath.Join(root, target))
		if err != nil {
			t.Errorf("%s: --config %s is not mounted: %v", name, target, err)
			continue
		}
		// Absolute file: secrets point into the stand-in root.
		text := strings.ReplaceAll(string(data), "file:/", "file:"+filepath.ToSlash(root)+"/")
		env := map[string]string{}
		for k, v := range svc.Environment {
			if v != nil {
				env[k] = *v
			}
		}
		// What the container lacks, the test process must not supply.
		for _, m := range regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`).FindAllStringSubmatch(text, -1) {
			if _, ok := env[m[1]]; !ok {
				env[m[1]] = unsetVar
			}
		}
		var cfg *config.Config
		// Named by its place in the stand-in root, so that relative paths
		// resolve as they would in the container.
		withEnv(t, env, func() { cfg, err = config.Parse(filepath.Join(root, target), []byte(text)) })
		if err != nil {
			t.Errorf("%s: its configuration %s is refused in the container:\n%v", name, target, err)
			continue
		}
		out = append(out, roleContainer{name, svc, cfg, root})
	}
	return out
}

// Every role's configuration validates in its container, with the tokens
// and keys Compose gives it, and is consistent with the other services.
func TestComposeRoleConfigs(t *testing.T) {
	env := composeWebhookEnv()
	p := mustLoadCompose(t, env, "webhook")
	roles := roleContainers(t, p)
	if t.Failed() {
		return
	}
	nodes := natsNodes(t, p)
	clientPort := map[string]int{}
	for _, n := range nodes {
		clientPort[n.service] = n.opts.Port
		clientPort[n.svc.Hostname] = n.opts.Port
	}
	minio := p.Services["minio"]
	minioEnv := func(k string) string {
		if v := minio.Environment[k]; v != nil {
			return *v
		}
		return ""
	}

	seen := map[string]bool{}
	for _, r := range roles {
		cfg, cmd := r.cfg, r.svc.Command
		role := cmd[0]
		if role == "sink" {
			role += " " + cmd[1]
		}
		seen[role] = true
		// The shared bus: every URL a NATS service on its client port.
		if !cfg.NATS.URL.IsSet() {
			t.Errorf("%s: nats.url is empty: a role alone would start its own embedded server", r.service)
		}
		for _, u := range strings.Split(cfg.NATS.URL.Value(), ",") {
			host, port, err := net.SplitHostPort(strings.TrimPrefix(strings.TrimSpace(u), "nats://"))
			if err != nil || fmt.Sprint(clientPort[host]) != port {
				t.Errorf("%s: nats.url %s is not a NATS service's client port (%v)", r.service, u, clientPort)
			}
		}
		switch {
		case cmd[0] == "sink" && cmd[1] == "webhook":
			if cfg.Webhook.URL != env["SYND_WEBHOOK_URL"] || cfg.Webhook.Secret.Value() != env["SYND_WEBHOOK_SECRET"] {
				t.Errorf("%s: webhook %q (secret set %v): want the URL and secret of SYND_WEBHOOK_URL and SYND_WEBHOOK_SECRET", r.service, cfg.Webhook.URL, cfg.Webhook.Secret.IsSet())
			}
		default:
			// Separate roles share the stores, in MinIO, with its keys.
			for what, st := range map[string]config.S3{"archive": cfg.Archive.S3, "site": cfg.Site.S3} {
				backend := map[string]string{"archive": cfg.Archive.Backend, "site": cfg.Site.Backend}[what]
				host, _, _ := net.SplitHostPort(st.Endpoint)
				if backend != "s3" || host != "minio" {
					t.Errorf("%s: %s on %s %q: separate roles need the shared MinIO", r.service, what, backend, st.Endpoint)
				}
				if st.AccessKey.Value() != minioEnv("MINIO_ROOT_USER") || st.SecretKey.Value() != minioEnv("MINIO_ROOT_PASSWORD") {
					t.Errorf("%s: %s keys are not MinIO's", r.service, what)
				}
			}
			// The API has its tokens, from the documented secrets.
			var got []string
			for _, tok := range cfg.HTTP.Tokens {
				got = append(got, tok.Token.Value())
			}
			for _, v := range []string{"SYND_OPERATOR_TOKEN", "SYND_AUDITOR_TOKEN"} {
				if !slices.Contains(got, env[v]) {
					t.Errorf("%s: no http.tokens entry has the value of $%s", r.service, v)
				}
			}
		}
		if dir := r.inContainer(cfg.DataDir); cmd[0] == "crawl" && !onVolume(p, r.svc, dir) {
			t.Errorf("%s: data_dir %q is not on a volume: the crawler's instance id is lost with the container", r.service, dir)
		}
	}
	for _, want := range []string{"crawl", "sink archive", "sink site", "serve", "sink webhook"} {
		if !seen[want] {
			t.Errorf("no service runs %q", want)
		}
	}
}

// Everything the compose file names exists: build contexts, Dockerfiles,
// config and secret files, declared volumes; and every image is pinned.
func TestComposeNamesWhatExists(t *testing.T) {
	p := mustLoadCompose(t, composeWebhookEnv(), "webhook")
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		svc := p.Services[name]
		if b := svc.Build; b != nil {
			if st, err := os.Stat(b.Context); err != nil || !st.IsDir() {
				t.Errorf("%s: build context %s: %v", name, b.Context, err)
			}
			df := b.Dockerfile
			if df == "" {
				df = "Dockerfile"
			}
			if !filepath.IsAbs(df) {
				df = filepath.Join(b.Context, df)
			}
			if _, err := os.Stat(df); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
		if err := pinnedImage(svc.Image); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		for _, v := range svc.Volumes {
			switch v.Type {
			case types.VolumeTypeVolume:
				if _, ok := p.Volumes[v.Source]; v.Source != "" && !ok {
					t.Errorf("%s: volume %q is not declared", name, v.Source)
				}
			case types.VolumeTypeBind:
				if _, err := os.Stat(v.Source); err != nil {
					t.Errorf("%s: bind mount: %v", name, err)
				}
			}
		}
		for _, c := range svc.Configs {
			if _, ok := p.Configs[c.Source]; !ok {
				t.Errorf("%s: config %q is not declared", name, c.Source)
			}
		}
		for _, s := range svc.Secrets {
			if _, ok := p.Secrets[s.Source]; !ok {
				t.Errorf("%s: secret %q is not declared", name, s.Source)
			}
		}
	}
	for name, c := range p.Configs {
		if c.File != "" {
			if _, err := os.Stat(c.File); err != nil {
				t.Errorf("config %s: %v", name, err)
			}
		}
	}
	for name, s := range p.Secrets {
		if s.File != "" {
			if _, err := os.Stat(s.File); err != nil {
				t.Errorf("secret %s: %v", name, err)
			}
		}
	}

	// NATS is the line of the server embedded in syndicator (go.mod), and
	// MinIO a release, not a moving tag.
	for name, svc := range p.Services {
		tag := imageTag(svc.Image)
		switch imageName(svc.Image) {
		case "nats":
			if line := majorMinor(server.VERSION); majorMinor(tag) != line {
				t.Errorf("%s: image %s, but the embedded nats-server is %s: use nats:%s.x", name, svc.Image, server.VERSION, line)
			}
		case "minio/minio", "quay.io/minio/minio":
			if !regexp.MustCompile(`^RELEASE\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ$`).MatchString(tag) {
				t.Errorf("%s: image %s: pin a MinIO release (RELEASE.YYYY-MM-DDThh-mm-ssZ)", name, svc.Image)
			}
		}
	}
}

// The image builds with go.mod's Go and from pinned bases; the build
// context leaves out local state and secrets, and keeps every package.
func TestComposeDockerBuild(t *testing.T) {
	gomod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	goLine := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(gomod)
	if goLine == nil {
		t.Fatal("go.mod has no go line")
	}
	df, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	var copied []string
	copiesAll := false
	stages := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(string(df)))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		switch strings.ToUpper(f[0]) {
		case "FROM":
			img := f[1]
			if len(f) >= 4 && strings.EqualFold(f[2], "AS") {
				stages[f[3]] = true
			}
			if stages[img] {
				continue
			}
			if err := pinnedImage(img); err != nil {
				t.Errorf("Dockerfile: FROM %v", err)
			}
			if imageName(img) == "golang" && !strings.HasPrefix(imageTag(img), string(goLine[1])) {
				t.Errorf("Dockerfile: FROM %s, but go.mod says go %s", img, goLine[1])
			}
		case "COPY", "ADD":
			args := slices.DeleteFunc(slices.Clone(f[1:]), func(a string) bool { return strings.HasPrefix(a, "--") })
			if slices.ContainsFunc(f, func(a string) bool { return strings.HasPrefix(a, "--from=") }) {
				continue
			}
			for _, src := range args[:len(args)-1] {
				src = strings.Trim(filepath.Clean(src), "/")
				if src == "." {
					copiesAll = true
				}
				copied = append(copied, src)
			}
		}
	}

	// Every directory holding a package the binaries may need.
	needed := []string{"go.mod", "go.sum"}
	root := "../.."
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") || e.Name() == "data" {
			continue
		}
		if _, err := os.Stat(filepath.Join(root, e.Name(), "go.mod")); err == nil {
			continue // a module of its own (bench/): not part of the binaries
		}
		hasGo := false
		filepath.WalkDir(filepath.Join(root, e.Name()), func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
				hasGo = true
				return fs.SkipAll
			}
			return nil
		})
		if hasGo {
			needed = append(needed, e.Name())
		}
	}
	ignore := dockerignore(t)
	for _, n := range needed {
		if !copiesAll && !slices.Contains(copied, n) {
			t.Errorf("Dockerfile does not copy %s", n)
		}
		if pat := ignored(ignore, n); pat != "" {
			t.Errorf(".dockerignore %q leaves out %s, which the build needs", pat, n)
		}
	}
	// Local state, VCS, build output and secrets stay out of the context.
	for _, out := range []string{"data", ".git", "bin", "syndicator.test", ".env"} {
		if ignored(ignore, out) == "" {
			t.Errorf(".dockerignore does not leave out %s", out)
		}
	}
}

// dockerignore returns the patterns of ../../.dockerignore.
func dockerignore(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile("../../.dockerignore")
	if err != nil {
		t.Fatalf("no .dockerignore: the build context would carry data/ (hundreds of MB after the demo), .git and secrets: %v", err)
	}
	var pats []string
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		pats = append(pats, line)
	}
	return pats
}

// ignored returns the .dockerignore pattern leaving out the top-level
// name, or "" (a simplification of Docker's matcher, enough for names at
// the root: a later !pattern re-includes).
func ignored(pats []string, name string) string {
	hit := ""
	for _, p := range pats {
		neg := strings.HasPrefix(p, "!")
		q := strings.Trim(filepath.Clean(strings.TrimPrefix(p, "!")), "/")
		q = strings.TrimPrefix(q, "**/")
		if ok, _ := filepath.Match(q, name); ok {
			if neg {
				hit = ""
			} else {
				hit = p
			}
		}
	}
	return hit
}

// mountFiles writes the configs and secrets svc mounts under root, at
// their targets, as Compose would in its container.
func mountFiles(t *testing.T, p *types.Project, svc types.ServiceConfig, root string) {
	t.Helper()
	write := func(kind, source, target, content, file string) {
		if file != "" {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Errorf("%s: %s %s: %v", svc.Name, kind, source, err)
				return
			}
			content = string(b)
		}
		if target == "" {
			target = "/" + source
			if kind == "secret" {
				target = "/run/secrets/" + source
			}
		}
		path := filepath.Join(root, target)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range svc.Configs {
		obj := p.Configs[c.Source]
		write("config", c.Source, c.Target, obj.Content, obj.File)
	}
	for _, s := range svc.Secrets {
		obj := p.Secrets[s.Source]
		write("secret", s.Source, s.Target, obj.Content, obj.File)
		if s.Mode != nil && *s.Mode&0o004 == 0 && svc.User == "" && svc.Build != nil && s.UID == "" {
			// The image runs as nonroot; a secret Compose writes as root
			// must be readable by others.
			t.Errorf("%s: secret %s has mode %o and belongs to root: the nonroot process cannot read it", svc.Name, s.Source, *s.Mode)
		}
	}
}

// unsetVar, as a value for withEnv, unsets the variable.
const unsetVar = "\x00unset"

// withEnv runs f with env's values set for its names (unsetVar unsets
// one); t restores the environment when it ends.
func withEnv(t *testing.T, env map[string]string, f func()) {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
		if v == unsetVar {
			os.Unsetenv(k)
		}
	}
	f()
}

// onVolume reports whether dir lies on a volume svc mounts.
func onVolume(p *types.Project, svc types.ServiceConfig, dir string) bool {
	for _, v := range svc.Volumes {
		if v.Type != types.VolumeTypeVolume {
			continue
		}
		if _, ok := p.Volumes[v.Source]; ok && within(dir, v.Target) {
			return true
		}
	}
	return false
}

// pinnedImage refuses an image reference without a tag or digest, or
// tagged latest.
func pinnedImage(ref string) error {
	if ref == "" {
		return fmt.Errorf("no image")
	}
	if strings.Contains(ref, "@sha256:") {
		return nil
	}
	switch tag := imageTag(ref); tag {
	case "":
		return fmt.Errorf("image %s has no tag: it means latest, whatever that is on the day", ref)
	case "latest":
		return fmt.Errorf("image %s: pin a version, not latest", ref)
	}
	return nil
}

// imageName is ref without its tag or digest.
func imageName(ref string) string {
	ref, _, _ = strings.Cut(ref, "@")
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		return ref[:i]
	}
	return ref
}

// imageTag is ref's tag, "" when it has none.
func imageTag(ref string) string {
	ref, _, _ = strings.Cut(ref, "@")
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		return ref[i+1:]
	}
	return ""
}

// majorMinor is "2.15" of "2.15.2" or "2.15.2-alpine".
func majorMinor(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + strings.TrimRightFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' })
}
