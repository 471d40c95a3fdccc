package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestConfigCheck(t *testing.T) {
	tests := []struct {
		file     string
		wantCode int
		wantOut  []string
	}{
		{"../../config/testdata/unknown-key.bad.yml", 1, []string{"unknown-key.bad.yml:5", "crawler.max_bodybytes"}},
		{"../../config/testdata/malformed-url.bad.yml", 1, []string{"malformed-url.bad.yml:4", "sources[0].base_url"}},
		{"../../config/testdata/duplicate-source.bad.yml", 1, []string{"duplicate-source.bad.yml:6", "sources[2].id"}},
		{"../../examples/govsim.yaml", 0, []string{"配置正确", "6 个来源"}},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		code := run([]string{"config", "check", "--config", tt.file}, &out, &errOut)
		got := out.String() + errOut.String()
		if code != tt.wantCode {
			t.Errorf("%s: exit %d, want %d\n%s", tt.file, code, tt.wantCode, got)
		}
		for _, w := range tt.wantOut {
			if !strings.Contains(got, w) {
				t.Errorf("%s: output lacks %q:\n%s", tt.file, w, got)
			}
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"bogus"}, {"sink"}, {"config"}, {"run", "extra"}} {
		var out, errOut bytes.Buffer
		if code := run(args, &out, &errOut); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}
