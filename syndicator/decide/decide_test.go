package decide

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/gyeco/syndicator/syndicator/relevance"
	"github.com/rs/zerolog"
)

type env struct {
	bus *natsbus.Bus
	d   *Decider
	now time.Time
}

// newEnv runs a Decider on an embedded NATS server with stand-in rules:
// titles with 碳达峰 are sync, with 审核 review, the rest timely. Repeals
// are read by the lifecycle parser (repealDecision names 国发〔2016〕1号).
func newEnv(t *testing.T) *env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	bus, err := natsbus.Connect(ctx, natstest.Embedded(t), "decide-test", natsbus.Options{}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bus.Close)
	e := &env{bus: bus, now: t0}
	rules, err := relevance.Compile([]relevance.Rule{
		{Name: "生态", Class: syndicator.ClassSync, Column: "sthj", When: []relevance.Condition{{Field: "title", Any: []string{"碳达峰"}}}},
		{Name: "待定", Class: syndicator.ClassReview, When: []relevance.Condition{{Field: "title", Any: []string{"审核"}}}},
		{Name: "文号", Class: syndicator.ClassTimely},
	})
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{
		Rules:         rules,
		Levels:        []syndicator.Level{syndicator.LevelNational, syndicator.LevelProvincial, syndicator.LevelMunicipal},
		WaitForOrigin: time.Hour,
	}
	e.d = New(opts, bus, bus, zerolog.Nop())
	e.d.now = func() time.Time { return e.now }
	return e
}

var contains = strings.Contains

func item(source string, level syndicator.Level, title, number string) *syndicator.Item {
	url := "https://www.example.gov.cn/" + source + "/" + number + ".html"
	return &syndicator.Item{
		ID: syndicator.ItemID(url), Source: source, Level: level, URL: url, Title: title,
		DocNumber: number, DocKey: number, Issuer: "国务院", Revision: 1, Column: "zcwj",
		PublishedAt: t0, PublishedPrecision: syndicator.PrecisionSecond, Validity: syndicator.ValidityUnknown,
		BodyText: "正文",
	}
}

// repealDecision is a decision of the State Council repealing 国发〔2016〕1号
// (《旧文件》).
func repealDecision() *syndicator.Item {
	it := item("govcn", syndicator.LevelNational, "国务院关于废止部分文件的决定", "国发〔2026〕9号")
	it.BodyText = "国务院决定废止以下文件：\n1.《旧文件》（国发〔2016〕1号）"
	return it
}

func archived(it *syndicator.Item) *syndicator.Event {
	return &syndicator.Event{Kind: syndicator.KindArchived, ID: it.ID, Revision: it.Revision, Source: it.Source, At: t0, Item: it}
}

func (e *env) handle(t *testing.T, ev *syndicator.Event, attempt int) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return e.d.Handle(ctx, ev, attempt)
}

func (e *env) decided(t *testing.T) map[string][]syndicator.Decision {
	t.Helper()
	out := map[string][]syndicator.Decision{}
	for _, ev := range natstest.Events(t, e.bus, "synd.item.decided.>") {
		out[ev.ID] = append(out[ev.ID], *ev.Decision)
	}
	return out
}

func TestOneDocumentThreeSightings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	gov := item("govcn", syndicator.LevelNational, "国务院关于进一步优化营商环境的意见", "国发〔2026〕5号")
	gz := item("guizhou", syndicator.LevelProvincial, gov.Title, gov.DocNumber)
	gy := item("guiyang", syndicator.LevelMunicipal, gov.Title, gov.DocNumber)

	// The Guiyang copy is seen first: it waits for gov.cn.
	err := e.handle(t, archived(gy), 1)
	if d, ok := syndicator.RetryAfter(err); !ok || d <= 0 {
		t.Fatalf("copy first: err %v, want a Later", err)
	}
	e.now = e.now.Add(5 * time.Minute)
	for _, it := range []*syndicator.Item{gov, gz} {
		if err := e.handle(t, archived(it), 1); err != nil {
			t.Fatal(err)
		}
	}
	e.now = e.now.Add(5 * time.Minute)
	if err := e.handle(t, archived(gy), 2); err != nil {
		t.Fatal(err)
	}
	got := e.decided(t)
	if len(got) != 3 {
		t.Fatalf("decided items = %d, want 3", len(got))
	}
	if d := got[gov.ID]; len(d) != 1 || !d[0].Publish || d[0].Class != syndicator.ClassTimely {
		t.Errorf("gov.cn decision = %+v", d)
	}
	for _, id := range []string{gz.ID, gy.ID} {
		if d := got[id]; len(d) != 1 || d[0].Publish || d[0].DuplicateOf != gov.ID {
			t.Errorf("copy %s decision = %+v", id, d)
		}
	}
	doc, found, err := e.d.Document(context.Background(), gy.ID)
	if err != nil || !found {
		t.Fatalf("document: %v %v", found, err)
	}
	if len(doc.Sightings) != 3 || doc.Canonical != gov.ID {
		t.Fatalf("doc = %+v", doc)
	}
	// Sightings keep when each site was first seen.
	if !doc.Sightings[0].FirstSeen.Equal(t0) || !doc.Sightings[1].FirstSeen.Equal(t0.Add(5*time.Minute)) {
		t.Errorf("first seen = %v, %v", doc.Sightings[0].FirstSeen, doc.Sightings[1].FirstSeen)
	}
	// A redelivery publishes nothing new.
	if err := e.handle(t, archived(gov), 2); err != nil {
		t.Fatal(err)
	}
	if n := len(e.decided(t)[gov.ID]); n != 1 {
		t.Errorf("after redelivery %d decisions for gov.cn, want 1", n)
	}
}

func TestRepealMarksTheDocument(t *testing.T) {
	e := newEnv(t)
	old := item("govcn", syndicator.LevelNational, "国务院关于旧事项的通知", "国发〔2016〕1号")
	if err := e.handle(t, archived(old), 1); err != nil {
		t.Fatal(err)
	}
	dec := repealDecision()
	if err := e.handle(t, archived(dec), 1); err != nil {
		t.Fatal(err)
	}
	evs := natstest.Events(t, e.bus, "synd.item.validity.>")
	if len(evs) != 1 {
		t.Fatalf("validity events = %d, want 1", len(evs))
	}
	v := evs[0]
	if v.ID != old.ID || v.Validity.To != syndicator.ValidityRepealed || v.Validity.BasisID != dec.ID || v.Validity.BasisDocNumber != "国发〔2026〕9号" {
		t.Fatalf("validity event = %+v %+v", v, v.Validity)
	}
	// The decision redelivered: no second event.
	if err := e.handle(t, archived(dec), 2); err != nil {
		t.Fatal(err)
	}
	if n := len(natstest.Events(t, e.bus, "synd.item.validity.>")); n != 1 {
		t.Errorf("after redelivery %d validity events", n)
	}
}

func TestRepealBeforeTheDocumentIsSeen(t *testing.T) {
	e := newEnv(t)
	dec := repealDecision()
	if err := e.handle(t, archived(dec), 1); err != nil {
		t.Fatal(err)
	}
	old := item("govcn", syndicator.LevelNational, "国务院关于旧事项的通知", "国发〔2016〕1号")
	old.Validity = syndicator.ValidityEffective
	if err := e.handle(t, archived(old), 1); err != nil {
		t.Fatal(err)
	}
	for _, ev := range natstest.Events(t, e.bus, "synd.item.decided.>") {
		if ev.ID != old.ID {
			continue
		}
		if ev.Item.Validity != syndicator.ValidityRepealed {
			t.Fatalf("first publication validity = %s, want repealed", ev.Item.Validity)
		}
		for _, r := range ev.Item.Related {
			if r.Kind == syndicator.RelRepealedBy && r.ID == dec.ID {
				return
			}
		}
		t.Fatalf("no repealed_by link: %+v", ev.Item.Related)
	}
	t.Fatal("no decision for the repealed document")
}

func TestReviewApproveAndReject(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := item("govcn", syndicator.LevelNational, "待审核文件甲", "国办函〔2026〕1号")
	b := item("govcn", syndicator.LevelNational, "待审核文件乙", "国办函〔2026〕2号")
	for _, it := range []*syndicator.Item{a, b} {
		if err := e.handle(t, archived(it), 1); err != nil {
			t.Fatal(err)
		}
	}
	for id, ds := range e.decided(t) {
		if len(ds) != 1 || ds[0].Publish || ds[0].Class != syndicator.ClassReview {
			t.Fatalf("%s before review: %+v", id, ds)
		}
	}
	ctx := context.Background()
	e.now = e.now.Add(30 * time.Hour)
	ra, err := e.d.Review(ctx, a.ID, Input{Outcome: syndicator.OutcomeApproved, Column: "sthj", Comment: "与生态相关", Reviewer: "张三"})
	if err != nil {
		t.Fatal(err)
	}
	if ra.State != syndicator.OutcomeApproved || ra.Reviewer != "张三" || !ra.DecidedAt.Equal(e.now) || ra.DecidedColumn != "sthj" {
		t.Errorf("approved entry = %+v", ra)
	}
	if _, err := e.d.Review(ctx, b.ID, Input{Outcome: syndicator.OutcomeRejected, Comment: "无关", Reviewer: "李四"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.d.Review(ctx, b.ID, Input{Outcome: syndicator.OutcomeApproved, Reviewer: "王五"}); !errors.Is(err, ErrNotPending) {
		t.Errorf("second decision: %v, want ErrNotPending", err)
	}
	if _, err := e.d.Review(ctx, "nope", Input{Outcome: syndicator.OutcomeApproved}); !errors.Is(err, ErrNoEntry) {
		t.Errorf("unknown item: %v", err)
	}
	got := e.decided(t)
	da := got[a.ID]
	if len(da) != 2 || da[1].Step != syndicator.StepReview || !da[1].Publish || da[1].Reviewer != "张三" || da[1].Column != "sthj" {
		t.Fatalf("approved decisions = %+v", da)
	}
	db := got[b.ID]
	if len(db) != 2 || db[1].Publish || db[1].Outcome != syndicator.OutcomeRejected || db[1].Reviewer != "李四" || db[1].Comment != "无关" {
		t.Fatalf("rejected decisions = %+v", db)
	}
	for _, ev := range natstest.Events(t, e.bus, "synd.item.decided.>") {
		if ev.ID == a.ID && ev.Decision.Step == syndicator.StepReview && (ev.Item == nil || ev.Item.Column != "sthj") {
			t.Errorf("approved decision carries item %+v", ev.Item)
		}
	}
	// A new revision of the rejected item stays unpublished; of the approved one is published.
	b2, a2 := *b, *a
	b2.Revision, a2.Revision = 2, 2
	for _, it := range []*syndicator.Item{&a2, &b2} {
		if err := e.handle(t, archived(it), 1); err != nil {
			t.Fatal(err)
		}
	}
	got = e.decided(t)
	if d := got[a.ID][2]; !d.Publish {
		t.Errorf("approved r2: %+v", d)
	}
	if d := got[b.ID][2]; d.Publish {
		t.Errorf("rejected r2: %+v", d)
	}
}

func TestGonePageGoesToReviewThenWithdrawn(t *testing.T) {
	e := newEnv(t)
	it := item("govcn", syndicator.LevelNational, "国务院关于某事项的通知", "国发〔2026〕7号")
	if err := e.handle(t, archived(it), 1); err != nil {
		t.Fatal(err)
	}
	gone := &syndicator.Event{Kind: syndicator.KindValidity, ID: it.ID, Revision: 1, Source: it.Source, At: t0,
		Validity: &syndicator.ValidityChange{Gone: true, Status: 404, Polls: 3}}
	if err := e.handle(t, gone, 1); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := e.d.Review(ctx, it.ID+".gone", Input{Outcome: syndicator.OutcomeApproved, Reviewer: "x"}); !errors.Is(err, ErrBadOutcome) {
		t.Fatalf("approve a gone entry: %v", err)
	}
	if _, err := e.d.Review(ctx, it.ID+".gone", Input{Outcome: syndicator.OutcomeWithdraw, Comment: "原文已撤", Reviewer: "张三"}); err != nil {
		t.Fatal(err)
	}
	evs := natstest.Events(t, e.bus, "synd.item.withdrawn.>")
	if len(evs) != 1 || evs[0].ID != it.ID || !contains(evs[0].Reason, "张三") {
		t.Fatalf("withdrawn = %+v", evs)
	}
}
