package main

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestCoreImportsNothingAbove keeps the domain core (syndicator/...) below
// the crawler, the sinks, the configuration and the commands: the core,
// its tests included, must build and test without them, so that the roles
// depend on the core and never the other way round (DESIGN §2).
func TestCoreImportsNothingAbove(t *testing.T) {
	root, module := moduleRoot(t)
	cmd := exec.Command("go", "list", "-deps", "-test",
		"-f", "{{.ImportPath}}{{range .Deps}} {{.}}{{end}}", "./syndicator/...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	core := module + "/syndicator"
	above := []string{module + "/crawler", module + "/sinks", module + "/config", module + "/cmd"}
	isAbove := func(p string) bool {
		return slices.ContainsFunc(above, func(a string) bool { return p == a || strings.HasPrefix(p, a+"/") })
	}
	checked := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		// A test variant is listed as "path [path.test]"; its Deps are
		// the package's with its tests.
		pkg := fields[0]
		if pkg != core && !strings.HasPrefix(pkg, core+"/") && !strings.HasPrefix(pkg, core+"_test") && !strings.HasPrefix(pkg, core+".test") {
			continue
		}
		checked++
		for _, dep := range fields[1:] {
			if isAbove(dep) {
				t.Errorf("%s depends on %s: the core must not import the crawler, sinks, config or commands", pkg, dep)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if checked == 0 {
		t.Fatalf("go list named no package under %s:\n%s", core, out)
	}
}

// moduleRoot finds the directory holding go.mod above the working
// directory (cmd/syndicator when tested) and the module path it declares.
func moduleRoot(t *testing.T) (dir, module string) {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil {
			for _, line := range strings.Split(string(data), "\n") {
				if m, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
					return dir, strings.Trim(strings.TrimSpace(m), `"`)
				}
			}
			t.Fatalf("%s/go.mod declares no module", dir)
		}
		if !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}
