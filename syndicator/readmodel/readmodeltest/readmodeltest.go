// Package readmodeltest builds serve's read model from an audit ledger,
// for the tests of what reads it: the API's reports, timelines and item
// search, the console's audit pages.
package readmodeltest

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/readmodel"
)

// Ledger is a read model, in a directory of the test's, holding the
// ledger entries in lines (JSON, one entry each, at the stream sequences
// SYND_AUDIT would give them), with stream ends that say it is current.
// It is closed when the test ends.
func Ledger(t testing.TB, lines [][]byte) (*readmodel.Store, Ends) {
	t.Helper()
	st, err := readmodel.Open(context.Background(), filepath.Join(t.TempDir(), "readmodel.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var msgs []readmodel.Msg
	for i, line := range lines {
		msgs = append(msgs, readmodel.Msg{Stream: natsbus.StreamAudit, Seq: uint64(i + 1), Subject: syndicator.SubjectAuditEntry, Data: line})
	}
	if len(msgs) > 0 {
		if skipped, err := st.Apply(context.Background(), msgs); err != nil || skipped != nil {
			t.Fatalf("read model: %v (%v)", err, skipped)
		}
	}
	return st, Ends{natsbus.StreamAudit: uint64(len(lines))}
}

// Lines reads a ledger export (JSON lines, such as the audit package's
// testdata/period.jsonl) into its lines, blank ones left out.
func Lines(t testing.TB, path string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var lines [][]byte
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) > 0 {
			lines = append(lines, append([]byte(nil), sc.Bytes()...))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// Ends are streams that end at the sequences the map gives, by stream
// name; a stream not in it is empty. They hold no ledger head.
type Ends map[string]uint64

// LastSeq is where stream ends.
func (e Ends) LastSeq(_ context.Context, stream string) (uint64, error) { return e[stream], nil }

// LastSeqOf is where stream ends, whatever the subject.
func (e Ends) LastSeqOf(_ context.Context, stream, _ string) (uint64, error) {
	return e[stream], nil
}

// LastEntry is no ledger head.
func (e Ends) LastEntry(context.Context) ([]byte, uint64, error) { return nil, 0, nil }
