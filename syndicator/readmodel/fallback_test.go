package readmodel

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
)

// TestFallbackItemsAreRecordedAndCounted: an item the generic readers read
// (extracted_by "fallback") is recorded as such, found by the filter and
// counted for its source; one its source's rules read is not. An item
// counts by its latest revision, and each revision keeps how it was read.
func TestFallbackItemsAreRecordedAndCounted(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	at := time.Date(2026, 9, 1, 10, 0, 0, 0, syndicator.Shanghai)
	id := func(c byte) string { return strings.Repeat(string(c), 32) }
	fb1, plain, fixed, broke, fb2 := id('1'), id('2'), id('3'), id('4'), id('5')
	e := &events{t: t}
	found := func(id, source string, rev int, fallback bool) {
		it := itemOf(id, source, "标题"+id[:1], "", "正文第"+string(rune('0'+rev))+"版", at.Add(time.Duration(id[0]-'0')*time.Hour), rev)
		if fallback {
			it.ExtractedBy = syndicator.ExtractedByFallback
		}
		kind := syndicator.KindDiscovered
		if rev > 1 {
			kind = syndicator.KindRevised
		}
		e.add(syndicator.Event{Kind: kind, ID: id, Revision: rev, Source: source, At: it.DiscoveredAt.Add(time.Duration(rev) * time.Minute), Item: it})
	}
	found(fb1, "guiyang-gfxwj", 1, true)
	found(plain, "guiyang-gfxwj", 1, false)
	found(fixed, "govcn-zuixin", 1, true) // read by the fallback, then the rules read its revision
	found(fixed, "govcn-zuixin", 2, false)
	found(broke, "govcn-zuixin", 1, false) // the other way: the site changed before its revision
	found(broke, "govcn-zuixin", 2, true)
	found(fb2, "guiyang-gfxwj", 1, true)
	e.add(syndicator.Event{Kind: syndicator.KindDecided, ID: fb2, Revision: 1, Source: "guiyang-gfxwj", At: at.Add(6 * time.Hour),
		Decision: &syndicator.Decision{Step: syndicator.StepRules, Class: syndicator.ClassTimely, Publish: true}}) // no item: keeps its mark
	apply(t, st, e.msgs, 3)

	for _, c := range []struct {
		id   string
		want string
	}{{fb1, "fallback"}, {plain, ""}, {fixed, ""}, {broke, "fallback"}, {fb2, "fallback"}} {
		r, err := st.Item(ctx, c.id)
		if err != nil {
			t.Fatal(err)
		}
		if r.ExtractedBy != c.want || r.Fallback() != (c.want == "fallback") {
			t.Errorf("item %s: extracted_by %q (fallback %v), want %q", c.id[:1], r.ExtractedBy, r.Fallback(), c.want)
		}
	}

	counts, err := st.FallbackCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{"guiyang-gfxwj": 2, "govcn-zuixin": 1}; !maps.Equal(counts, want) {
		t.Errorf("FallbackCounts = %v, want %v", counts, want)
	}

	ids := func(q Query) string {
		t.Helper()
		p, err := st.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range p.Items {
			out = append(out, r.ID[:1])
		}
		if p.Total != len(out) {
			t.Errorf("%+v: total %d, page holds %d", q, p.Total, len(out))
		}
		return strings.Join(out, ",")
	}
	for _, c := range []struct {
		q    Query
		want string
	}{
		{Query{}, "5,4,3,2,1"},
		{Query{ExtractedBy: syndicator.ExtractedByFallback}, "5,4,1"},
		{Query{ExtractedBy: syndicator.ExtractedByFallback, Source: "govcn-zuixin"}, "4"},
		{Query{ExtractedBy: syndicator.ExtractedByFallback, Text: "标题1"}, "1"},
		{Query{ExtractedBy: syndicator.ExtractedByFallback, Text: "第2版"}, "4"}, // full text and the filter together
	} {
		if got := ids(c.q); got != c.want {
			t.Errorf("search %+v: %q, want %q", c.q, got, c.want)
		}
	}

	for _, c := range []struct {
		id   string
		want []bool
	}{{fixed, []bool{true, false}}, {broke, []bool{false, true}}, {plain, []bool{false}}} {
		revs, err := st.Revisions(ctx, c.id)
		if err != nil {
			t.Fatal(err)
		}
		var got []bool
		for _, r := range revs {
			got = append(got, r.Fallback())
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("revisions of %s read by the fallback: %v, want %v", c.id[:1], got, c.want)
		}
	}

	// The count reads the fallback items through their index, not the
	// whole items table (a scrape and every sources page ask for it).
	rows, err := st.r.QueryContext(ctx, "EXPLAIN QUERY PLAN SELECT source, count(*) FROM items WHERE extracted_by = ? GROUP BY source", syndicator.ExtractedByFallback)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if p := strings.Join(plan, "; "); !strings.Contains(p, "items_extracted") {
		t.Errorf("FallbackCounts' query plan %q does not use the items_extracted index", p)
	}
}
