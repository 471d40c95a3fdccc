package main

import (
	"errors"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestConfigImportsNoCrawler: configuration is data. Package config, its
// tests included, depends on no crawler or sink package; the crawler
// checks its own rules for config (config.WithRuleValidator).
func TestConfigImportsNoCrawler(t *testing.T) {
	const module = "github.com/gyeco/syndicator/"
	cmd := exec.Command("go", "list", "-deps", "-test", "./config")
	cmd.Dir = "../.." // the module root: tests run in their package's directory
	out, err := cmd.Output()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("go list -deps -test ./config: %v\n%s", err, exit.Stderr)
		}
		t.Fatalf("go list -deps -test ./config: %v", err)
	}
	// A line is a package path, followed for a package built for the
	// test binary by "[… .test]"; the path is what counts.
	var deps []string
	for line := range strings.Lines(string(out)) {
		if f := strings.Fields(line); len(f) > 0 {
			deps = append(deps, f[0])
		}
	}
	if !slices.Contains(deps, module+"config") {
		t.Fatalf("go list -deps -test ./config does not list config itself:\n%s", out)
	}
	for _, dep := range deps {
		for _, banned := range []string{module + "crawler", module + "sinks"} {
			if dep == banned || strings.HasPrefix(dep, banned+"/") {
				t.Errorf("config depends on %s", dep)
			}
		}
	}
}
