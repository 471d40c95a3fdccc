package natsbus

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// probeStore checks that dir (created if missing) and its jetstream
// directory, when there is one, accept a new file: a read-only file
// system, a missing permission or a full disk fails here with the
// system's reason, wrapping ErrStoreNotWritable.
func probeStore(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("store %s: %w: %w", dir, ErrStoreNotWritable, err)
	}
	for _, d := range []string{dir, filepath.Join(dir, "jetstream")} {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			continue
		}
		if err := probeWrite(d); err != nil {
			return fmt.Errorf("store %s: %w: %w", d, ErrStoreNotWritable, err)
		}
	}
	return nil
}

// probeWrite writes, syncs and removes a one-byte file in dir.
func probeWrite(dir string) error {
	f, err := os.CreateTemp(dir, ".syndicator-probe-*")
	if err != nil {
		return err
	}
	_, werr := f.Write([]byte{'\n'})
	if werr == nil {
		werr = f.Sync()
	}
	cerr := f.Close()
	rerr := os.Remove(f.Name())
	return errors.Join(werr, cerr, rerr)
}

// storeUsable reports why JetStream should not be started on dir yet: too
// little free space, or a probe file that cannot be written.
func storeUsable(dir string, minFree int64) error {
	if free, ok := freeBytes(dir); ok && free < minFree {
		return fmt.Errorf("store %s: %d bytes free, waiting for at least %d", dir, free, minFree)
	}
	return probeStore(dir)
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
