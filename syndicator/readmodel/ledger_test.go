package readmodel

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/audit"
	"github.com/gyeco/syndicator/syndicator/ledger"
	"github.com/gyeco/syndicator/syndicator/natsbus"
)

// openTemp opens a read model in a fresh directory.
func openTemp(t testing.TB) *Store {
	t.Helper()
	st, err := Open(context.Background(), filepath.Join(t.TempDir(), "index.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// ledgerFile reads the audit package's period ledger: 39 entries of
// documents seen on several sites, reviewed, republished, repealed.
func ledgerFile(t *testing.T) ([]ledger.Entry, []Msg) {
	t.Helper()
	f, err := os.Open("../audit/testdata/period.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var es []ledger.Entry
	var msgs []Msg
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e ledger.Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		es = append(es, e)
		msgs = append(msgs, Msg{Stream: natsbus.StreamAudit, Seq: e.Seq, Subject: syndicator.SubjectAuditEntry, Data: append([]byte(nil), sc.Bytes()...)})
	}
	if len(es) < 30 {
		t.Fatalf("period ledger has %d entries", len(es))
	}
	return es, msgs
}

// apply applies msgs in batches of n.
func apply(t testing.TB, st *Store, msgs []Msg, n int) {
	t.Helper()
	for i := 0; i < len(msgs); i += n {
		skipped, err := st.Apply(context.Background(), msgs[i:min(i+n, len(msgs))])
		if err != nil || skipped != nil {
			t.Fatalf("apply: %v (skipped: %v)", err, skipped)
		}
	}
}

func beijing(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.ParseInLocation("2006-01-02 15:04", s, syndicator.Shanghai)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// The report and the timelines read from the read model are those of
// the whole ledger, for every period.
func TestReportsAndTimelinesMatchTheWholeLedger(t *testing.T) {
	es, msgs := ledgerFile(t)
	st := openTemp(t)
	apply(t, st, msgs, 7)
	// Applied again (a batch read twice after a crash): nothing changes.
	apply(t, st, msgs[:10], 10)
	ctx := context.Background()

	cal, err := audit.NewCalendar([]string{"2026-10-01", "2026-10-02", "2026-10-03"}, []string{"2026-09-27"})
	if err != nil {
		t.Fatal(err)
	}
	p := audit.DefaultPolicy()
	p.Columns = []string{"zcwj", "sthj"}
	now := beijing(t, "2026-09-30 08:00")
	periods := [][2]string{
		{"2026-06-01 00:00", "2026-10-01 00:00"},
		{"2026-09-01 00:00", "2026-09-02 00:00"},
		{"2026-09-02 00:00", "2026-09-10 00:00"},
		{"2026-09-10 00:00", "2026-10-01 00:00"},
		{"2026-09-01 10:00", "2026-09-01 10:01"},
		{"2025-01-01 00:00", "2025-02-01 00:00"},
	}
	pub, err := st.Publications(ctx, "site")
	if err != nil {
		t.Fatal(err)
	}
	nonEmpty := 0
	for _, pd := range periods {
		from, to := beijing(t, pd[0]), beijing(t, pd[1])
		want, err := audit.Build(es, p, cal, from, to, now)
		if err != nil {
			t.Fatal(err)
		}
		part, err := st.PeriodEntries(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		got, err := audit.BuildFrom(part, pub, p, cal, from, to, now)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			g, _ := json.MarshalIndent(got, "", " ")
			w, _ := json.MarshalIndent(want, "", " ")
			t.Errorf("period %s..%s: report from the read model differs\n got %s\nwant %s", pd[0], pd[1], g, w)
		}
		if want.Total > 0 {
			nonEmpty++
			if len(part) >= len(es) && want.Total < 5 {
				t.Errorf("period %s..%s: read %d entries of %d for %d documents: not selective", pd[0], pd[1], len(part), len(es), want.Total)
			}
		}
	}
	if nonEmpty < 3 {
		t.Errorf("only %d periods hold documents; the test compares too little", nonEmpty)
	}

	whole := map[string]audit.Timeline{}
	for _, tl := range audit.Timelines(es) {
		whole[tl.DocKey] = tl
	}
	for _, e := range es {
		key, part, err := st.DocumentEntries(ctx, e.Fact.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got *audit.Timeline
		for _, tl := range audit.Timelines(part) {
			if tl.DocKey == key {
				got = &tl
			}
		}
		if want, ok := whole[key]; !ok || got == nil || !reflect.DeepEqual(*got, want) {
			t.Errorf("timeline of %s (document %s) differs from the whole ledger's:\n got %+v\nwant %+v", e.Fact.ID, key, got, whole[key])
		}
	}
	if _, _, err := st.DocumentEntries(ctx, "nope"); err == nil {
		t.Error("an item the ledger does not know has a timeline")
	}
	if pos, err := st.Positions(ctx); err != nil || pos[natsbus.StreamAudit] != msgs[len(msgs)-1].Seq {
		t.Errorf("ledger position %v, %v; want %d", pos, err, msgs[len(msgs)-1].Seq)
	}
}
