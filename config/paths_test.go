package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeConfig writes a configuration file named name in dir.
func writeConfig(t *testing.T, dir, name, yaml string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestPathsAreRelativeToTheConfigFile loads files from a directory other
// than the one they are in: every relative path, defaults included, lies
// beside the file; absolute paths are kept.
func TestPathsAreRelativeToTheConfigFile(t *testing.T) {
	a, elsewhere, abs := t.TempDir(), t.TempDir(), t.TempDir()
	t.Chdir(elsewhere)
	tests := []struct {
		name, yaml                 string
		data, store, archive, site string
	}{
		{"data_dir and the defaults under it", "data_dir: data\n",
			"data", "data/nats", "data/archive", "data/site"},
		{"no data_dir: data beside the file", "http: {listen: \"127.0.0.1:8080\"}\n",
			"data", "data/nats", "data/archive", "data/site"},
		{"each key on its own", "data_dir: ./state\nnats: {store_dir: js}\narchive: {dir: ../evidence}\nsite: {dir: www/root}\n",
			"state", "js", "../evidence", "www/root"},
		{"absolute paths kept", "data_dir: " + abs + "\nsite: {dir: " + filepath.Join(abs, "www") + "}\n",
			abs, filepath.Join(abs, "nats"), filepath.Join(abs, "archive"), filepath.Join(abs, "www")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(writeConfig(t, a, "conf/syndicator.yaml", tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			under := func(p string) string {
				if filepath.IsAbs(p) {
					return p
				}
				return filepath.Join(a, "conf", p)
			}
			for _, got := range []struct{ key, got, want string }{
				{"data_dir", c.DataDir, under(tt.data)},
				{"nats.store_dir", c.NATS.StoreDir, under(tt.store)},
				{"archive.dir", c.Archive.Dir, under(tt.archive)},
				{"site.dir", c.Site.Dir, under(tt.site)},
			} {
				if got.got != got.want {
					t.Errorf("%s = %q, want %q", got.key, got.got, got.want)
				}
			}
		})
	}
}

// TestRelativeConfigPathGivesAbsolutePaths: a file named relative to the
// current directory still yields absolute paths, so they stay right
// wherever the process goes.
func TestRelativeConfigPathGivesAbsolutePaths(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeConfig(t, dir, "deploy/syndicator.yaml", "data_dir: data\n")
	c, err := Load(filepath.Join("deploy", "syndicator.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "deploy", "data"); c.DataDir != want {
		t.Errorf("data_dir = %q, want %q", c.DataDir, want)
	}
	if c.File != filepath.Join("deploy", "syndicator.yaml") {
		t.Errorf("File = %q, want the path as given", c.File)
	}
}

// TestBuiltInPathsStayRelative: without a file, paths are relative to the
// current directory, as the README's first command expects (./data).
func TestBuiltInPathsStayRelative(t *testing.T) {
	c, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if c.DataDir != "data" || c.NATS.StoreDir != filepath.Join("data", "nats") ||
		c.Archive.Dir != filepath.Join("data", "archive") || c.Site.Dir != filepath.Join("data", "site") {
		t.Errorf("built-in paths: %q %q %q %q", c.DataDir, c.NATS.StoreDir, c.Archive.Dir, c.Site.Dir)
	}
}

// TestFileSecretsAreRelativeToTheConfigFile reads file: secrets beside the
// configuration while running elsewhere, through a YAML alias too, and
// names the resolved path when one is missing.
func TestFileSecretsAreRelativeToTheConfigFile(t *testing.T) {
	a, elsewhere := t.TempDir(), t.TempDir()
	t.Chdir(elsewhere)
	token := "0123456789abcdef-auditor"
	hook := "0123456789abcdef-webhook"
	writeConfig(t, a, "conf/secrets/auditor.token", token+"\n")
	writeConfig(t, a, "conf/webhook.secret", hook+"\n")
	absToken := writeConfig(t, t.TempDir(), "abs.token", "0123456789abcdef-absolute\n")
	// A file of the same name in the working directory must not be read.
	writeConfig(t, elsewhere, "webhook.secret", "wrong-wrong-wrong-wrong\n")

	path := writeConfig(t, a, "conf/syndicator.yaml", `webhook:
  url: https://cms.example.gov.cn/api
  secret: &hook file:webhook.secret
http:
  tokens:
    - {name: 审计, role: auditor, token: "file:secrets/auditor.token"}
    - {name: 运维, role: operator, token: *hook}
    - {name: 外部, role: auditor, token: file:`+absToken+`}
`)
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Webhook.Secret.Value(); got != hook {
		t.Errorf("webhook.secret = %q, want the file beside the config (%q)", got, hook)
	}
	want := []string{token, hook, "0123456789abcdef-absolute"}
	for i, tok := range c.HTTP.Tokens {
		if tok.Token.Value() != want[i] {
			t.Errorf("http.tokens[%d] = %q, want %q", i, tok.Token.Value(), want[i])
		}
	}

	_, err = Load(writeConfig(t, a, "conf/missing.yaml", "webhook: {url: https://cms.example.gov.cn/api, secret: file:nope.secret}\n"))
	if err == nil || !strings.Contains(err.Error(), filepath.Join(a, "conf", "nope.secret")) {
		t.Errorf("missing secret file: %v; want the path beside the config named", err)
	}
}
