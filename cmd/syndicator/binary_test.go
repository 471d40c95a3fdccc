package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// builtCommand is the syndicator command built once per test process, for
// the tests that run it as a separate process. It is built without the race
// detector: a child running the whole pipeline under it costs about eight
// times the CPU (TestRestartAfterSIGKILL: 67 s against 8 s), and the same
// code runs under the race detector in-process (TestEndToEnd and the
// others that start an App).
type builtCommand struct {
	once sync.Once
	dir  string
	path string
	out  []byte
	err  error
}

// built is shared by this process's tests; TestMain removes it at the end.
var built builtCommand

// buildSyndicator returns the path of the built command, building it on
// first use.
func buildSyndicator(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		built.dir, built.err = os.MkdirTemp("", "syndicator-bin-")
		if built.err != nil {
			return
		}
		built.path = filepath.Join(built.dir, "syndicator")
		built.out, built.err = exec.Command("go", "build", "-o", built.path, ".").CombinedOutput()
	})
	if built.err != nil {
		t.Fatalf("go build: %v\n%s", built.err, built.out)
	}
	return built.path
}

func (b *builtCommand) remove() {
	if b.dir != "" {
		os.RemoveAll(b.dir)
	}
}
