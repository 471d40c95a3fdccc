package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	explainEnvToken  = "op-console-token-from-env-4f2a9c"
	explainFileToken = "au-console-token-from-file-7d1e3b"
)

// explainConfig is a file that sets some keys; the line numbers matter.
const explainConfig = `data_dir: /srv/synd
nats:
  ack_wait: 45s
http:
  listen: 0.0.0.0:9090
  tokens:
    - {name: 值班员, role: operator, token: "${SYND_TEST_EXPLAIN_TOKEN}"}
    - name: 审计员
      role: auditor
      token: file:auditor.token
crawler:
  per_host_rps: 0.5
sources:
  - {id: g, preset: govcn-zuixin, interval: 30s}
`

func settingsOf(t *testing.T) (file string, byKey map[string]Setting, all []Setting) {
	t.Helper()
	t.Setenv("SYND_TEST_EXPLAIN_TOKEN", explainEnvToken)
	dir := t.TempDir()
	file = filepath.Join(dir, "syndicator.yaml")
	if err := os.WriteFile(file, []byte(explainConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "auditor.token"), []byte(explainFileToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(file)
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTP.Tokens[0].Token.Value() != explainEnvToken || c.HTTP.Tokens[1].Token.Value() != explainFileToken {
		t.Fatalf("tokens not read: %q %q", c.HTTP.Tokens[0].Token.Value(), c.HTTP.Tokens[1].Token.Value())
	}
	all = c.Settings()
	byKey = map[string]Setting{}
	for _, s := range all {
		if _, dup := byKey[s.Key]; dup {
			t.Errorf("key %s listed twice", s.Key)
		}
		byKey[s.Key] = s
	}
	return file, byKey, all
}

func TestSettingsOfAFile(t *testing.T) {
	file, byKey, _ := settingsOf(t)
	at := func(line int) string { return fmt.Sprintf("%s:%d", file, line) }
	tests := []struct {
		key, value, origin string
	}{
		{"data_dir", "/srv/synd", at(1)},
		{"nats.ack_wait", "45s", at(3)},
		{"http.listen", "0.0.0.0:9090", at(5)},
		{"http.tokens[0].name", "值班员", at(7)},
		{"http.tokens[0].role", "operator", at(7)},
		{"http.tokens[1].name", "审计员", at(8)},
		{"http.tokens[1].role", "auditor", at(9)},
		{"crawler.per_host_rps", "0.5", at(12)},
		{"sources[0].id", "g", at(14)},
		{"sources[0].preset", "govcn-zuixin", at(14)},
		{"sources[0].interval", "30s", at(14)},
		// Defaults, in sections the file does not mention.
		{"webhook.timeout", "30s", "默认值"},
		{"webhook.secret", "（未设置）", "默认值"},
		{"identity.wait_for_origin", "2h0m0s", "默认值"},
		{"site.page_size", "20", "默认值"},
		{"archive.anchor_every", "1h0m0s", "默认值"},
		// Keys the file does not set in a section it has: the section's
		// line, marked as a default (or a preset's, for sources).
		{"crawler.timeout", "1m0s", "默认值或预设（所在项写于 " + at(11) + "）"},
		{"http.max_conns_per_client", "64", "默认值或预设（所在项写于 " + at(4) + "）"},
		{"nats.url", "（未设置）", "默认值或预设（所在项写于 " + at(2) + "）"},
		{"nats.store_dir", filepath.Join("/srv/synd", "nats"), "默认值或预设（所在项写于 " + at(2) + "）"},
		{"sources[0].jitter", "3s", "默认值或预设（所在项写于 " + at(14) + "）"},
		{"sources[0].name", "g", "默认值或预设（所在项写于 " + at(14) + "）"},
	}
	for _, tt := range tests {
		s, ok := byKey[tt.key]
		if !ok {
			t.Errorf("%s not listed", tt.key)
			continue
		}
		if s.Value != tt.value || s.Origin != tt.origin {
			t.Errorf("%s = %q from %q, want %q from %q", tt.key, s.Value, s.Origin, tt.value, tt.origin)
		}
	}
}

func TestSettingsRedactSecrets(t *testing.T) {
	file, byKey, all := settingsOf(t)
	env, fromFile := byKey["http.tokens[0].token"], byKey["http.tokens[1].token"]
	if env.Value != "***" || env.Origin != fmt.Sprintf("%s:7；取自环境变量 SYND_TEST_EXPLAIN_TOKEN", file) {
		t.Errorf("env token: %+v", env)
	}
	secretFile := filepath.Join(filepath.Dir(file), "auditor.token")
	if fromFile.Value != "***" || fromFile.Origin != fmt.Sprintf("%s:10；取自密钥文件 %s", file, secretFile) {
		t.Errorf("file token: %+v, want its line and the file %s", fromFile, secretFile)
	}
	var b strings.Builder
	for _, s := range all {
		fmt.Fprintf(&b, "%s\t%s\t%s\n", s.Key, s.Value, s.Origin)
	}
	out := b.String()
	for _, secret := range []string{explainEnvToken, explainFileToken, explainEnvToken[:16], explainFileToken[:16]} {
		if strings.Contains(out, secret) {
			t.Errorf("the output shows secret %q:\n%s", secret, out)
		}
	}
}

func TestSettingsValuesAreCut(t *testing.T) {
	long := strings.Repeat("长", maxSettingValue+50)
	c, err := Parse("long.yml", []byte("site:\n  name: "+long+"\nsources:\n  - {id: g, preset: govcn-zuixin}\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range c.Settings() {
		if s.Key == "site.name" {
			if want := strings.Repeat("长", maxSettingValue) + "……"; s.Value != want {
				t.Errorf("site.name shown with %d runes, want %d and ……", len([]rune(s.Value)), maxSettingValue)
			}
			return
		}
	}
	t.Error("site.name not listed")
}

func TestSettingsOfTheDefaults(t *testing.T) {
	c, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	all := c.Settings()
	if len(all) < 50 {
		t.Fatalf("%d settings, want every leaf of the configuration", len(all))
	}
	byKey := map[string]Setting{}
	for _, s := range all {
		if s.Origin != "默认值" {
			t.Errorf("%s: origin %q, want 默认值", s.Key, s.Origin)
		}
		if s.Key == "" || strings.HasPrefix(s.Key, ".") || strings.Contains(s.Key, "..") {
			t.Errorf("malformed key %q", s.Key)
		}
		byKey[s.Key] = s
	}
	for key, want := range map[string]string{
		"sources[0].id":       "govcn-zuixin",
		"sources[2].id":       "guiyang-gfxwj",
		"sources[0].interval": "15m0s",
		"nats.ack_wait":       "30s",
		"nats.replicas":       "1",
		"http.listen":         "127.0.0.1:8080",
		"archive.backend":     "fs",
		"nats.url":            "（未设置）",
	} {
		if got, ok := byKey[key]; !ok || got.Value != want {
			t.Errorf("%s = %q (listed %v), want %q", key, got.Value, ok, want)
		}
	}
	if _, ok := byKey["file"]; ok {
		t.Error("the File field (yaml:\"-\") is listed")
	}
}
