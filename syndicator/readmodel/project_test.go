package readmodel

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/rs/zerolog"
)

// running is a projector run by a test until stop.
func running(t *testing.T, st *Store, bus *natsbus.Bus) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- NewProjector(st, bus, zerolog.New(zerolog.NewTestWriter(t))).Run(ctx) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("projector: %v", err)
		}
	}
	t.Cleanup(stop)
	return stop
}

// caughtUp waits until st has applied every message of SYND_EVENTS.
func caughtUp(t *testing.T, st *Store, bus *natsbus.Bus) {
	t.Helper()
	ctx := context.Background()
	last, err := bus.LastSeq(ctx, natsbus.StreamEvents)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		pos, err := st.Positions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if pos[natsbus.StreamEvents] >= last {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("read model at %d of %d events after 30s", pos[natsbus.StreamEvents], last)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// dump is what the read model says, as text, for comparing two of them.
func dump(t *testing.T, st *Store) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		"SELECT id, state, class, revision, title, doc_key, validity, location, extracted_by, first_seq, last_seq FROM items ORDER BY id",
		"SELECT item_id, revision, length(body_text), extracted_by, seq FROM revisions ORDER BY item_id, revision",
		"SELECT seq, item_id, kind, detail FROM steps ORDER BY seq",
		"SELECT rowid FROM items_fts WHERE items_fts MATCH '林长制'",
	} {
		rows, err := st.r.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(&b, vals...)
		}
		rows.Close()
	}
	return b.String()
}

func TestProjectorFollowsResumesAndRebuilds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// Items over 512 bytes travel by claim check, as large ones do.
	bus, err := natsbus.Connect(ctx, natstest.Embedded(t), "readmodel-test", natsbus.Options{InlineLimit: 512}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bus.Close)
	publish := func(msgs []Msg) {
		for _, m := range msgs {
			var ev syndicator.Event
			if err := json.Unmarshal(m.Data, &ev); err != nil {
				t.Fatal(err)
			}
			if _, err := bus.Publish(ctx, &ev); err != nil {
				t.Fatal(err)
			}
		}
	}
	msgs := history(t)
	publish(msgs[:4])

	dir := t.TempDir()
	st, err := Open(ctx, filepath.Join(dir, "index.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	stop := running(t, st, bus)
	caughtUp(t, st, bus)
	publish(msgs[4:7]) // while it follows
	caughtUp(t, st, bus)
	stop()

	publish(msgs[7:]) // while it is stopped
	if err := bus.PublishHealth(ctx, &syndicator.HealthEvent{Source: "guiyang-szfwj", State: "failing", Reason: "连续 3 次抓取失败", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	stop = running(t, st, bus)
	caughtUp(t, st, bus)
	stop()

	claimed := 0
	if err := bus.ReadAll(ctx, natsbus.StreamEvents, "synd.item.>", func(_ string, data []byte) error {
		if strings.Contains(string(data), `"item_ref"`) {
			claimed++
		}
		return nil
	}); err != nil || claimed == 0 {
		t.Fatalf("no event travelled by claim check (%v): the test reads none", err)
	}
	p, err := st.Search(ctx, Query{Text: "林长制"})
	if err != nil || p.Total != 1 || p.Items[0].ID != idA {
		t.Fatalf("the claim-checked revision's text is not searchable: %+v, %v", p, err)
	}
	// C's mark survives its trip by claim check.
	if counts, err := st.FallbackCounts(ctx); err != nil || counts["guiyang-szfwj"] != 1 || len(counts) != 1 {
		t.Errorf("items read by the fallback: %v, %v; want C's source only", counts, err)
	}
	var steps int
	st.r.QueryRow("SELECT count(*) FROM steps").Scan(&steps)
	if steps != len(msgs) {
		t.Errorf("%d steps projected from %d events: lost or doubled across the restart", steps, len(msgs))
	}
	var health string
	st.r.QueryRow("SELECT state FROM health WHERE source = 'guiyang-szfwj'").Scan(&health)
	if health != "failing" {
		t.Errorf("health %q", health)
	}

	// Rebuilt from nothing, the read model says the same.
	rebuilt, err := Open(ctx, filepath.Join(t.TempDir(), "index.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer rebuilt.Close()
	stop = running(t, rebuilt, bus)
	caughtUp(t, rebuilt, bus)
	stop()
	if a, b := dump(t, st), dump(t, rebuilt); a != b || !strings.Contains(a, idB) {
		t.Errorf("rebuilt read model differs:\n%s\nfollowed:\n%s", b, a)
	}
}

// A file of another schema version is replaced, not misread.
func TestOpenReplacesAnotherVersion(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "index.db")
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	apply(t, st, history(t), 100)
	if _, err := st.w.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	st, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p, err := st.Search(ctx, Query{})
	if err != nil || p.Total != 0 {
		t.Errorf("a file of version 99 was kept: %d items, %v", p.Total, err)
	}
	pos, _ := st.Positions(ctx)
	if len(pos) != 0 {
		t.Errorf("positions survived: %v", pos)
	}
}
