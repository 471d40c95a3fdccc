package ledger

import (
	"strings"
	"testing"

	"github.com/gyeco/syndicator/syndicator"
)

// TestFactCarriesTheItemMarks: the baseline and backfilled marks of an
// item reach the ledger, where audits read them; an unmarked item's fact
// says nothing of either, so entries recorded before the baseline field
// existed hash as they did.
func TestFactCarriesTheItemMarks(t *testing.T) {
	ev := &syndicator.Event{Kind: syndicator.KindDiscovered, ID: "x", Revision: 1, Source: "s"}
	f := FactOf(ev, &syndicator.Item{ID: "x", Baseline: true})
	if !f.Baseline || f.Backfilled {
		t.Errorf("fact of a baseline item: baseline %v, backfilled %v", f.Baseline, f.Backfilled)
	}
	if f := FactOf(ev, &syndicator.Item{ID: "x", Backfilled: true}); f.Baseline || !f.Backfilled {
		t.Errorf("fact of a backfilled item: baseline %v, backfilled %v", f.Baseline, f.Backfilled)
	}
	e := &Entry{Seq: 1, Fact: FactOf(ev, &syndicator.Item{ID: "x"})}
	b, err := Canonical(e)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "baseline") || strings.Contains(string(b), "backfilled") {
		t.Errorf("an unmarked fact names a mark: %s", b)
	}
	e.Fact.Baseline = true
	if b, _ := Canonical(e); !strings.Contains(string(b), `"baseline":true`) {
		t.Errorf("a baseline fact: %s", b)
	}
}
