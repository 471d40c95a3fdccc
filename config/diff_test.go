package config

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestCompare: a reload is told exactly which settings and sources
// changed; secrets compare by value, and writing a list as [] instead of
// leaving it out is no change.
func TestCompare(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	write := func(name, body string) *Config {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := Load(path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return c
	}
	if err := os.WriteFile(tokenFile, []byte("operator-token-0123456789\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SYND_DIFF_TOKEN", "operator-token-0123456789")
	old := write("old.yaml", `http:
  tokens: [{name: 甲, role: operator, token: "file:token"}]
crawler: {per_host_rps: 2}
sources:
  - {id: a, preset: govcn-zuixin}
  - {id: b, preset: govcn-bmwj}
  - {id: c, preset: govcn-jiedu, interval: 1m}
`)
	same := write("same.yaml", `http:
  tokens: [{name: 甲, role: operator, token: "${SYND_DIFF_TOKEN}"}]
crawler: {per_host_rps: 2, allow_private: []}
sources:
  - {id: a, preset: govcn-zuixin}
  - {id: b, preset: govcn-bmwj}
  - {id: c, preset: govcn-jiedu, interval: 1m}
`)
	if d := Compare(old, same); !d.Empty() {
		t.Errorf("same settings written differently: %+v, want no change", d)
	}

	if err := os.WriteFile(tokenFile, []byte("operator-token-rotated-0001\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	next := write("next.yaml", `http:
  tokens: [{name: 甲, role: operator, token: "file:token"}]
  listen: 127.0.0.1:9999
crawler: {per_host_rps: 3}
sources:
  - {id: d, preset: govcn-gwywj}
  - {id: c, preset: govcn-jiedu, interval: 2m}
  - {id: a, preset: govcn-zuixin}
`)
	d := Compare(old, next)
	if want := []string{"http.listen", "http.tokens", "crawler.per_host_rps"}; !slices.Equal(d.Keys, want) {
		t.Errorf("keys %q, want %q", d.Keys, want)
	}
	if !slices.Equal(d.Added, []string{"d"}) || !slices.Equal(d.Removed, []string{"b"}) || !slices.Equal(d.Changed, []string{"c"}) {
		t.Errorf("sources: added %q removed %q changed %q; want [d] [b] [c]", d.Added, d.Removed, d.Changed)
	}
}
