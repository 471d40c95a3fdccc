package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigCheckWarnsWithoutBaseURL: with site.base_url empty the
// sitemap's <loc>s are relative, which sitemaps forbid, and `config check`
// said only 配置正确. It still passes (exit 0) but warns, naming the key
// and what to set; a configuration with base_url gets no warning.
func TestConfigCheckWarnsWithoutBaseURL(t *testing.T) {
	dir := t.TempDir()
	const sources = "sources:\n  - {id: g, preset: govcn-zuixin}\n"
	tests := []struct {
		name, yml string
		warn      bool
	}{
		{"no site section", sources, true},
		{"empty base_url", "site:\n  name: 甲\n  base_url: \"\"\n" + sources, true},
		{"base_url set", "site:\n  base_url: https://www.example.gov.cn/\n" + sources, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+".yaml")
			if err := os.WriteFile(path, []byte(tt.yml), 0o644); err != nil {
				t.Fatal(err)
			}
			var out, errOut bytes.Buffer
			if code := run([]string{"config", "check", "--config", path}, &out, &errOut); code != 0 {
				t.Fatalf("exit %d, want 0\n%s%s", code, out.String(), errOut.String())
			}
			if !strings.Contains(out.String(), "配置正确") {
				t.Errorf("stdout %q lacks 配置正确", out.String())
			}
			got := out.String() + errOut.String()
			warned := strings.Contains(got, "警告")
			if warned != tt.warn {
				t.Fatalf("warned %v, want %v:\n%s", warned, tt.warn, got)
			}
			if tt.warn && !configCheckSaysAll(got, "site.base_url", "sitemap", "<loc>", "相对", "base_url: https://") {
				t.Errorf("warning does not say what is wrong and what to set:\n%s", got)
			}
		})
	}
}

func configCheckSaysAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// TestConfigCheckReportsRuleProblems: config imports no crawler, so the
// program hands it the extractor's rule check; `config check` still names
// file:line, the key and what is wrong with a selector.
func TestConfigCheckReportsRuleProblems(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rules.yaml")
	yml := "sources:\n  - id: g\n    preset: guizhou-szfwj\n    list:\n      item: \"ul[\"\n"
	if err := os.WriteFile(path, []byte(yml), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"config", "check", "--config", path}, &out, &errOut); code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", code, out.String(), errOut.String())
	}
	if want := path + `:4: sources[0].list: extract: list rule: item: selector "ul["`; !strings.Contains(errOut.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, errOut.String())
	}
}
