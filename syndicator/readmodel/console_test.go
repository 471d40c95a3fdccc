package readmodel

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/audit"
	"github.com/gyeco/syndicator/syndicator/ledger"
	"github.com/gyeco/syndicator/syndicator/natsbus"
)

// ledgerMsg is a ledger entry as SYND_AUDIT stores it.
func ledgerMsg(t testing.TB, e ledger.Entry) Msg {
	t.Helper()
	data, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	return Msg{Stream: natsbus.StreamAudit, Seq: e.Seq, Subject: syndicator.SubjectAuditEntry, Data: data}
}

// operatorEntry is the ledger entry of an operator action.
func operatorEntry(seq uint64, at time.Time, id, source string, a syndicator.Action) ledger.Entry {
	return ledger.Entry{Seq: seq, At: at.Add(time.Second), Subject: syndicator.SubjectItem(syndicator.KindOperator, source),
		Fact: ledger.Fact{Kind: syndicator.KindOperator, ID: id, Source: source, EventAt: at, Action: a.Name, Actor: a.Actor,
			Role: a.Role, Consumer: a.Consumer, DeadSeq: a.DeadSeq, Reason: a.Reason, ActionOutcome: a.Outcome, Failed: a.Failed}}
}

// deadMsg is a dead-letter record of consumer for the event ev.
func deadMsg(t testing.TB, seq uint64, consumer string, ev syndicator.Event, at time.Time) Msg {
	t.Helper()
	data, _ := json.Marshal(ev)
	d, err := json.Marshal(natsbus.DeadLetter{V: 1, Consumer: consumer, Subject: ev.Subject(), StreamSeq: seq * 10,
		Deliveries: 20, Error: "write page: disk full", At: at, Data: data})
	if err != nil {
		t.Fatal(err)
	}
	return Msg{Stream: natsbus.StreamDead, Seq: seq, Subject: syndicator.SubjectDeadLetter(consumer), Data: d}
}

func deadSeqs(ds []Dead) []uint64 {
	var out []uint64
	for _, d := range ds {
		out = append(out, d.Seq)
	}
	return out
}

func TestOperatorActionsResolveDeadLetters(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	apply(t, st, history(t), 50)
	at := time.Date(2026, 9, 4, 9, 0, 0, 0, time.UTC)
	evA := syndicator.Event{Kind: syndicator.KindDecided, ID: idA, Revision: 1, Source: "govcn-zuixin"}
	evB := syndicator.Event{Kind: syndicator.KindDiscovered, ID: idB, Revision: 1, Source: "guizhou-szfwj"}
	apply(t, st, []Msg{
		deadMsg(t, 1, "site", evA, at), deadMsg(t, 2, "webhook", evA, at.Add(time.Minute)),
		deadMsg(t, 3, "site", evB, at.Add(2*time.Minute)), deadMsg(t, 4, "archive", evB, at.Add(3*time.Minute)),
	}, 10)
	if n, err := st.CountOpenDead(ctx); err != nil || n != 4 {
		t.Fatalf("open dead letters before any action: %d, %v; want 4", n, err)
	}

	op := func(name syndicator.ActionName, consumer string, seq uint64) syndicator.Action {
		return syndicator.Action{Name: name, Actor: "值班员", Role: "operator", Consumer: consumer, DeadSeq: seq}
	}
	discard := op(syndicator.ActionDiscard, "site", 3)
	discard.Reason = "原文已撤下，无需重发"
	failed := op(syndicator.ActionRetry, "webhook", 2)
	failed.Failed, failed.Outcome = true, "重投失败"
	msgs := []Msg{
		ledgerMsg(t, operatorEntry(101, at.Add(time.Hour), idA, "govcn-zuixin", op(syndicator.ActionRetry, "site", 1))),
		ledgerMsg(t, operatorEntry(102, at.Add(2*time.Hour), idB, "guizhou-szfwj", discard)),
		ledgerMsg(t, operatorEntry(103, at.Add(3*time.Hour), idA, "govcn-zuixin", failed)),
		// The same sequence of another consumer's records resolves nothing.
		ledgerMsg(t, operatorEntry(104, at.Add(4*time.Hour), idB, "guizhou-szfwj", op(syndicator.ActionRetry, "site", 4))),
		ledgerMsg(t, operatorEntry(105, at.Add(5*time.Hour), "", syndicator.SystemSource,
			syndicator.Action{Name: syndicator.ActionReload, Actor: "值班员", Role: "operator", Outcome: "新增来源 1 个"})),
	}
	apply(t, st, msgs, 2)
	apply(t, st, msgs, 10) // applied again: no second row

	acts, err := st.Actions(ctx, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	var seqs []uint64
	for _, a := range acts {
		seqs = append(seqs, a.Seq)
	}
	if !reflect.DeepEqual(seqs, []uint64{105, 104, 103, 102, 101}) {
		t.Fatalf("actions %v, want the operator entries newest first", seqs)
	}
	want := Action{Seq: 102, At: at.Add(2 * time.Hour), Name: syndicator.ActionDiscard, Actor: "值班员", Role: "operator",
		Source: "guizhou-szfwj", ItemID: idB, Consumer: "site", DeadSeq: 3, Reason: "原文已撤下，无需重发"}
	if acts[3] != want {
		t.Errorf("discard action\n got %+v\nwant %+v", acts[3], want)
	}
	if a := acts[2]; !a.Failed || a.Outcome != "重投失败" || a.Consumer != "webhook" {
		t.Errorf("failed retry %+v", a)
	}
	if a := acts[0]; a.Name != syndicator.ActionReload || a.ItemID != "" || a.Source != syndicator.SystemSource || a.Outcome != "新增来源 1 个" {
		t.Errorf("reload %+v", a)
	}
	if ofA, err := st.Actions(ctx, idA, 100); err != nil || len(ofA) != 2 || ofA[0].Seq != 103 || ofA[1].Seq != 101 {
		t.Errorf("actions of A: %+v, %v", ofA, err)
	}
	if one, err := st.Actions(ctx, "", 1); err != nil || len(one) != 1 || one[0].Seq != 105 {
		t.Errorf("actions limit 1: %+v, %v", one, err)
	}

	open, err := st.DeadLetters(ctx, true, 100)
	if err != nil {
		t.Fatal(err)
	}
	if got := deadSeqs(open); !reflect.DeepEqual(got, []uint64{4, 2}) {
		t.Errorf("open dead letters %v, want [4 2] (a failed retry and another consumer's action resolve nothing)", got)
	}
	all, err := st.DeadLetters(ctx, false, 100)
	if err != nil {
		t.Fatal(err)
	}
	if got := deadSeqs(all); !reflect.DeepEqual(got, []uint64{4, 3, 2, 1}) {
		t.Fatalf("all dead letters %v, want [4 3 2 1]", got)
	}
	byseq := map[uint64]Dead{}
	for _, d := range all {
		byseq[d.Seq] = d
	}
	if r := byseq[1].Resolution; r == nil || r.Name != syndicator.ActionRetry || r.Actor != "值班员" || r.Seq != 101 {
		t.Errorf("resolution of dead letter 1: %+v", r)
	}
	if r := byseq[3].Resolution; r == nil || r.Name != syndicator.ActionDiscard || r.Reason != discard.Reason || r.Seq != 102 {
		t.Errorf("resolution of dead letter 3: %+v", r)
	}
	if r := byseq[2].Resolution; r != nil {
		t.Errorf("dead letter 2 resolved by a failed action: %+v", r)
	}
	if d := byseq[1]; d.ItemID != idA || d.Source != "govcn-zuixin" || d.Kind != syndicator.KindDecided ||
		d.Title != "国务院关于加强生态环境保护的意见" || d.StreamSeq != 10 || d.Deliveries != 20 || !d.At.Equal(at) {
		t.Errorf("dead letter 1: %+v", d)
	}
	if n, err := st.CountOpenDead(ctx); err != nil || n != 2 {
		t.Errorf("CountOpenDead = %d, %v; want 2", n, err)
	}
	if few, err := st.DeadLetters(ctx, false, 2); err != nil || !reflect.DeepEqual(deadSeqs(few), []uint64{4, 3}) {
		t.Errorf("dead letters limit 2: %v, %v", deadSeqs(few), err)
	}

	for _, c := range []struct {
		seq      uint64
		consumer string
		want     uint64
	}{{1, "site", 101}, {3, "site", 102}, {1, "webhook", 0}, {4, "archive", 0}, {99, "site", 0}} {
		if got, err := st.LastDeadAction(ctx, c.seq, c.consumer); err != nil || got != c.want {
			t.Errorf("LastDeadAction(%d, %s) = %d, %v; want %d", c.seq, c.consumer, got, err, c.want)
		}
	}
	// Retried again later: the latest action is the resolution.
	apply(t, st, []Msg{ledgerMsg(t, operatorEntry(110, at.Add(6*time.Hour), idA, "govcn-zuixin", op(syndicator.ActionRetry, "site", 1)))}, 1)
	if got, _ := st.LastDeadAction(ctx, 1, "site"); got != 110 {
		t.Errorf("LastDeadAction after a second retry = %d, want 110", got)
	}
	all, _ = st.DeadLetters(ctx, false, 100)
	if r := all[3].Resolution; all[3].Seq != 1 || r == nil || r.Seq != 110 {
		t.Errorf("resolution after a second retry: %+v", r)
	}
}

// Operator events on SYND_EVENTS are projected from their ledger entries
// only; and an operator entry is no sighting of the item it names.
func TestOperatorEventsAndEntriesAreNoSteps(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	msgs := history(t)
	apply(t, st, msgs, 50)
	before, err := st.Item(ctx, idA)
	if err != nil {
		t.Fatal(err)
	}
	stepsBefore, _ := st.Steps(ctx, idA)
	at := time.Date(2026, 9, 4, 9, 0, 0, 0, time.UTC)
	act := syndicator.Action{Name: syndicator.ActionRetry, Actor: "值班员", Role: "operator", Consumer: "site", DeadSeq: 1}
	e := &events{t: t, seq: msgs[len(msgs)-1].Seq}
	e.add(*syndicator.NewActionEvent(act, "", "govcn-zuixin", at))
	e.add(*syndicator.NewActionEvent(act, idA, "govcn-zuixin", at))
	pause := syndicator.Action{Name: syndicator.ActionPause, Actor: "值班员", Role: "operator", Reason: "网站改版"}
	e.add(*syndicator.NewActionEvent(pause, "", "guiyang-gfxwj", at))
	if e.msgs[0].Subject != "synd.item.operator.govcn-zuixin" {
		t.Fatalf("operator event subject %q", e.msgs[0].Subject)
	}
	skipped, err := st.Apply(ctx, e.msgs)
	if err != nil || skipped != nil {
		t.Fatalf("apply operator events: %v (skipped: %v)", err, skipped)
	}
	after, _ := st.Item(ctx, idA)
	if after.LastSeq != before.LastSeq || after.State != before.State {
		t.Errorf("item A after an operator event: last seq %d state %s, was %d %s", after.LastSeq, after.State, before.LastSeq, before.State)
	}
	if steps, _ := st.Steps(ctx, idA); !reflect.DeepEqual(steps, stepsBefore) {
		t.Errorf("steps of A changed by an operator event:\n%+v\nwas\n%+v", steps, stepsBefore)
	}
	if p, _ := st.Search(ctx, Query{}); p.Total != 3 {
		t.Errorf("%d items after operator events, want 3", p.Total)
	}
	if pos, _ := st.Positions(ctx); pos[natsbus.StreamEvents] != e.seq {
		t.Errorf("events position %d, want %d (operator events passed)", pos[natsbus.StreamEvents], e.seq)
	}

	// An operator entry naming an item the ledger has not seen: an action,
	// no sighting, no document.
	const idZ = "dddddddddddddddddddddddddddddddd"
	apply(t, st, []Msg{ledgerMsg(t, operatorEntry(1, at, idZ, "govcn-zuixin", act))}, 1)
	if acts, err := st.Actions(ctx, idZ, 10); err != nil || len(acts) != 1 {
		t.Errorf("actions of Z: %+v, %v", acts, err)
	}
	var n int
	if err := st.r.QueryRow("SELECT count(*) FROM sightings WHERE item_id = ?", idZ).Scan(&n); err != nil || n != 0 {
		t.Errorf("sightings of Z: %d, %v; want none", n, err)
	}
	if _, _, err := st.DocumentEntries(ctx, idZ); !errors.Is(err, ErrNotFound) {
		t.Errorf("DocumentEntries of an item named by an action only: %v, want ErrNotFound", err)
	}
	if steps, err := st.Steps(ctx, idZ); err != nil || len(steps) != 0 {
		t.Errorf("steps of Z: %+v, %v", steps, err)
	}
}

func TestTimelinesIgnoreOperatorEntries(t *testing.T) {
	es, _ := ledgerFile(t)
	want := audit.Timelines(es)
	last := es[len(es)-1]
	at := last.When().Add(time.Hour)
	act := syndicator.Action{Name: syndicator.ActionRetry, Actor: "值班员", Role: "operator", Consumer: "site", DeadSeq: 7}
	with := append(es[:len(es):len(es)],
		operatorEntry(last.Seq+1, at, es[0].Fact.ID, es[0].Fact.Source, act),
		operatorEntry(last.Seq+2, at, "dddddddddddddddddddddddddddddddd", "govcn-zuixin", act))
	// Placed first, an action would otherwise be the item's first sighting.
	first := operatorEntry(0, es[0].When().Add(-time.Hour), es[0].Fact.ID, es[0].Fact.Source, act)
	with = append([]ledger.Entry{first}, with...)
	if got := audit.Timelines(with); !reflect.DeepEqual(got, want) {
		t.Errorf("operator entries changed the timelines: %d timelines, want %d", len(got), len(want))
		for i := range min(len(got), len(want)) {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("timeline %d\n got %+v\nwant %+v", i, got[i], want[i])
				break
			}
		}
	}
}

func TestConsoleOverviewQueries(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	msgs := history(t) // A published (sthj), B review, C a duplicate
	apply(t, st, msgs, 50)
	at := time.Date(2026, 9, 1, 10, 0, 0, 0, syndicator.Shanghai)
	e := &events{t: t, seq: msgs[len(msgs)-1].Seq}
	found := func(id, source string, published time.Time, mark func(*syndicator.Item)) {
		it := itemOf(id, source, "标题"+id[:1], "", "正文", published, 1)
		if mark != nil {
			mark(it)
		}
		e.add(syndicator.Event{Kind: syndicator.KindDiscovered, ID: id, Revision: 1, Source: source, At: it.DiscoveredAt, Item: it})
	}
	decided := func(id, source string, class syndicator.Class, publish bool, column string) {
		e.add(syndicator.Event{Kind: syndicator.KindDecided, ID: id, Revision: 1, Source: source, At: at.Add(72 * time.Hour),
			Decision: &syndicator.Decision{Step: syndicator.StepRules, Class: class, Publish: publish, Column: column}})
	}
	published := func(id, source, sink string, when time.Time) {
		e.add(syndicator.Event{Kind: syndicator.KindPublished, ID: id, Revision: 1, Source: source, Sink: sink, At: when})
	}
	id := func(c byte) string {
		b := make([]byte, 32)
		for i := range b {
			b[i] = c
		}
		return string(b)
	}
	d, g, h, base, back, i, j, k := id('d'), id('e'), id('f'), id('1'), id('2'), id('3'), id('4'), id('5')
	found(d, "guiyang-gfxwj", at.Add(48*time.Hour), nil) // new, not decided
	found(g, "guiyang-gfxwj", at.Add(40*time.Hour), nil)
	decided(g, "guiyang-gfxwj", syndicator.ClassTimely, true, "zcwj") // queued
	found(h, "guiyang-gfxwj", at.Add(30*time.Hour), nil)
	decided(h, "guiyang-gfxwj", syndicator.ClassSync, false, "") // held
	found(base, "guiyang-gfxwj", at.Add(20*time.Hour), func(it *syndicator.Item) { it.Baseline = true })
	found(back, "guiyang-gfxwj", at.Add(21*time.Hour), func(it *syndicator.Item) { it.Backfilled = true })
	found(i, "govcn-zuixin", at.Add(50*time.Hour), nil)
	decided(i, "govcn-zuixin", syndicator.ClassTimely, true, "sthj")
	published(i, "govcn-zuixin", "site", at.Add(80*time.Hour))
	published(i, "govcn-zuixin", "site", at.Add(90*time.Hour)) // a re-render
	found(j, "govcn-zuixin", at.Add(51*time.Hour), nil)
	decided(j, "govcn-zuixin", syndicator.ClassTimely, true, "zcwj")
	published(j, "govcn-zuixin", "site", at.Add(81*time.Hour))
	found(k, "govcn-zuixin", at.Add(52*time.Hour), nil)
	decided(k, "govcn-zuixin", syndicator.ClassTimely, true, "other")
	published(k, "govcn-zuixin", "webhook", at.Add(82*time.Hour)) // not on the site
	for n, s := range []struct{ state, reason string }{{"ok", ""}, {"degraded", "列表页未找到条目"}, {"failing", "HTTP 503"}, {"ok", ""}} {
		data, _ := json.Marshal(syndicator.HealthEvent{V: 1, Source: "guiyang-gfxwj", State: s.state, Reason: s.reason, At: at.Add(time.Duration(n) * time.Hour)})
		e.seq++
		e.msgs = append(e.msgs, Msg{Stream: natsbus.StreamEvents, Seq: e.seq, Subject: syndicator.SubjectHealth("guiyang-gfxwj"), Data: data})
	}
	apply(t, st, e.msgs, 7)

	open, err := st.Open(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range open {
		got = append(got, r.ID[:1]+":"+string(r.State))
	}
	// Oldest first by date: B (at+24h), H (+30h), G (+40h), D (+48h), and K
	// (+52h), live on the webhook only: the site has not published it.
	if want := []string{"b:review", "f:held", "e:queued", "d:new", "5:queued"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Open = %v, want %v (no baseline, backfilled, published or duplicate items)", got, want)
	}
	if two, _ := st.Open(ctx, 2); len(two) != 2 {
		t.Errorf("Open limit 2: %d rows", len(two))
	}

	counts, err := st.ClassCountsSince(ctx, at.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// Found since: B review; D undecided; G, I, J, K timely; H sync (the
	// baseline and backfilled items were found before).
	want := map[syndicator.Class]int{syndicator.ClassReview: 1, "": 1, syndicator.ClassTimely: 4, syndicator.ClassSync: 1}
	if !reflect.DeepEqual(counts, want) {
		t.Errorf("ClassCountsSince(+24h) = %v, want %v", counts, want)
	}
	if counts, _ := st.ClassCountsSince(ctx, at); counts[syndicator.ClassSync] != 3 || counts[""] != 3 {
		t.Errorf("ClassCountsSince(start) = %v, want sync 3 (A, C, H), undecided 3 (D, baseline, backfilled)", counts)
	}
	if counts, err := st.ClassCountsSince(ctx, at.Add(1000*time.Hour)); err != nil || len(counts) != 0 {
		t.Errorf("ClassCountsSince(future) = %v, %v", counts, err)
	}

	cols, err := st.ColumnLatest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) != 2 || !cols["sthj"].Equal(at.Add(80*time.Hour)) || !cols["zcwj"].Equal(at.Add(81*time.Hour)) {
		t.Errorf("ColumnLatest = %v; want sthj +80h (I's first publication), zcwj +81h, no webhook-only column", cols)
	}

	last, err := st.LastNew(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantLast := map[string]time.Time{
		"govcn-zuixin":  at.Add(52*time.Hour + 10*time.Minute),
		"guizhou-szfwj": at.Add(24*time.Hour + 10*time.Minute),
		"guiyang-szfwj": at.Add(10 * time.Minute),
		"guiyang-gfxwj": at.Add(48*time.Hour + 10*time.Minute),
	}
	for src, w := range wantLast {
		if !last[src].Equal(w) {
			t.Errorf("LastNew[%s] = %s, want %s", src, last[src], w)
		}
	}
	if len(last) != len(wantLast) {
		t.Errorf("LastNew has %d sources, want %d", len(last), len(wantLast))
	}

	hist, err := st.HealthHistory(ctx, "guiyang-gfxwj", 3)
	if err != nil {
		t.Fatal(err)
	}
	var states []string
	for _, h := range hist {
		states = append(states, h.State+"/"+h.Reason)
	}
	if want := []string{"ok/", "failing/HTTP 503", "degraded/列表页未找到条目"}; !reflect.DeepEqual(states, want) ||
		!hist[0].At.Equal(at.Add(3*time.Hour)) || hist[0].Seq <= hist[1].Seq {
		t.Errorf("HealthHistory = %+v, want %v newest first", hist, want)
	}
	if none, err := st.HealthHistory(ctx, "nope", 10); err != nil || len(none) != 0 {
		t.Errorf("HealthHistory of an unknown source: %+v, %v", none, err)
	}

	steps, err := st.Steps(ctx, idA)
	if err != nil {
		t.Fatal(err)
	}
	var sum []string
	for n, s := range steps {
		sum = append(sum, string(s.Kind)+"/"+s.Sink+"/"+s.Detail)
		if n > 0 && s.Seq <= steps[n-1].Seq {
			t.Errorf("steps out of order: %+v", steps)
		}
	}
	wantSteps := []string{"discovered//", `archived/archive/["k/original.html"]`, "decided//sync", "published/site//sthj/a.html", "revised//", "validity//repealed"}
	if !reflect.DeepEqual(sum, wantSteps) || steps[4].Revision != 2 || !steps[0].At.Equal(at.Add(10*time.Minute)) {
		t.Errorf("Steps(A) = %v (%+v), want %v", sum, steps, wantSteps)
	}
}
