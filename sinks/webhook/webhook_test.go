package webhook_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gyeco/syndicator/sinks/webhook"
	"github.com/gyeco/syndicator/sinks/webhook/cmstest"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/rs/zerolog"
)

const (
	secret   = "wh-secret-0123456789abcdef"
	sourceID = "guizhou-szfwj"
)

type env struct {
	bus  *natsbus.Bus
	cms  *cmstest.CMS
	sink *webhook.Sink
	logs *syncBuffer
}

// syncBuffer collects the sink's log lines from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func connect(t *testing.T) *natsbus.Bus {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	bus, err := natsbus.Connect(ctx, natstest.Embedded(t), "webhook-test", natsbus.Options{}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bus.Close)
	return bus
}

// newEnv connects a sink to a test CMS, with requests timing out after
// timeout.
func newEnv(t *testing.T, timeout time.Duration) *env {
	t.Helper()
	bus := connect(t)
	cms := cmstest.New([]byte(secret))
	t.Cleanup(cms.Close)
	logs := &syncBuffer{}
	sink := webhook.New(webhook.Options{URL: cms.URL, Secret: []byte(secret), Timeout: timeout}, bus, bus, zerolog.New(logs))
	return &env{bus: bus, cms: cms, sink: sink, logs: logs}
}

// item is revision rev of the n-th test page.
func item(n string, rev int) *syndicator.Item {
	url := "https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/202609/t20260901_" + n + ".html"
	it := &syndicator.Item{
		ID: syndicator.ItemID(url), Source: sourceID, Level: syndicator.LevelProvincial, URL: url,
		Title: "省人民政府关于印发生态环境保护方案的通知", DocNumber: "黔府发〔2026〕3号", Issuer: "贵州省人民政府",
		PublishedAt: time.Date(2026, 9, 1, 10, 30, 0, 0, syndicator.Shanghai), PublishedPrecision: syndicator.PrecisionMinute,
		Validity: syndicator.ValidityEffective, BodyHTML: "<p>各市（州）人民政府：第" + strings.Repeat("修订", rev) + "</p>",
		BodyText: "各市（州）人民政府：", Revision: rev, Column: "zcwj",
		FetchedAt: time.Date(2026, 9, 1, 3, rev, 0, 0, time.UTC), DiscoveredAt: time.Date(2026, 9, 1, 3, 0, 0, 0, time.UTC),
		Attachments: []syndicator.Attachment{},
	}
	it.ContentSHA256 = syndicator.ContentSHA256(it)
	return it
}

// decided is the decider's decision to publish revision rev of item n.
func decided(n string, rev int) *syndicator.Event {
	it := item(n, rev)
	return &syndicator.Event{
		V: 1, Kind: syndicator.KindDecided, ID: it.ID, Revision: rev, Source: sourceID,
		At:   time.Date(2026, 9, 1, 3, 5, rev, 0, time.UTC),
		Item: it,
		Decision: &syndicator.Decision{
			Step: syndicator.StepRules, Class: syndicator.ClassSync, Rule: "生态环境", Column: "sthj", Publish: true,
		},
	}
}

func validity(id string, rev int, to syndicator.Validity, basisID string) *syndicator.Event {
	return &syndicator.Event{
		V: 1, Kind: syndicator.KindValidity, ID: id, Revision: rev, Source: sourceID,
		At: time.Date(2026, 10, 1, 2, 0, 0, 0, time.UTC),
		Validity: &syndicator.ValidityChange{
			From: syndicator.ValidityEffective, To: to, Basis: "省人民政府关于废止部分文件的决定",
			BasisDocNumber: "黔府发〔2026〕9号", BasisID: basisID, BasisURL: "https://www.guizhou.gov.cn/decision.html",
		},
	}
}

func withdrawn(id string, rev int) *syndicator.Event {
	return &syndicator.Event{
		V: 1, Kind: syndicator.KindWithdrawn, ID: id, Revision: rev, Source: sourceID,
		At: time.Date(2026, 10, 2, 2, 0, 0, 0, time.UTC), Reason: "误发布，撤回",
	}
}

func (e *env) handle(t *testing.T, ev *syndicator.Event, attempt int) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return e.sink.Handle(ctx, ev, attempt)
}

func (e *env) mustHandle(t *testing.T, ev *syndicator.Event) {
	t.Helper()
	if err := e.handle(t, ev, 1); err != nil {
		t.Fatalf("Handle %s r%d: %v", ev.Kind, ev.Revision, err)
	}
}

// published returns the published events of id.
func (e *env) published(t *testing.T, id string) []syndicator.Event {
	t.Helper()
	var out []syndicator.Event
	for _, ev := range natstest.Events(t, e.bus, "synd.item.published.webhook.>") {
		if ev.ID == id {
			out = append(out, ev)
		}
	}
	return out
}

func (e *env) record(t *testing.T, id string) (webhook.Record, bool) {
	t.Helper()
	var rec webhook.Record
	found, err := e.bus.GetState(context.Background(), syndicator.BucketWebhook, id, &rec)
	if err != nil {
		t.Fatal(err)
	}
	return rec, found
}

func TestBucketIsTheProvisionedOne(t *testing.T) {
	if webhook.Bucket != syndicator.BucketWebhook {
		t.Errorf("webhook.Bucket = %q, natsbus provisions %q", webhook.Bucket, syndicator.BucketWebhook)
	}
}

func TestLifecycle(t *testing.T) {
	e := newEnv(t, 5*time.Second)
	r1 := decided("1", 1)
	id := r1.ID

	e.mustHandle(t, r1)
	doc, ok := e.cms.Doc(id)
	if !ok {
		t.Fatal("the CMS has no article after the create")
	}
	want := *r1.Item
	want.Column = "sthj" // the decider's column wins
	if diff := cmp.Diff(&want, doc.Item); diff != "" {
		t.Errorf("item the CMS got (-want +got):\n%s", diff)
	}
	if doc.Column != "sthj" || doc.Revision != 1 {
		t.Errorf("column %q revision %d, want sthj 1", doc.Column, doc.Revision)
	}
	if got := doc.Applied[0].Key; got != id+".r1.create" {
		t.Errorf("Idempotency-Key %q, want %s.r1.create", got, id)
	}
	rec, found := e.record(t, id)
	wantRec := webhook.Record{Revision: 1, Created: true, CMSID: doc.CMSID, URL: e.cms.URL + "/articles/" + doc.CMSID,
		Validity: syndicator.ValidityEffective, Digest: doc.Applied[0].SHA256, At: r1.At}
	if diff := cmp.Diff(wantRec, rec); !found || diff != "" {
		t.Errorf("record (found %v) (-want +got):\n%s", found, diff)
	}
	pub := e.published(t, id)
	if len(pub) != 1 || pub[0].Location != wantRec.URL || pub[0].Sink != webhook.Name || pub[0].Revision != 1 {
		t.Fatalf("published events %+v, want one for r1 at %s", pub, wantRec.URL)
	}

	// A redelivery and a review decision for the same revision: no request.
	before := e.cms.Requests()
	e.mustHandle(t, r1)
	review := decided("1", 1)
	review.Decision.Step, review.Decision.Outcome = syndicator.StepReview, syndicator.OutcomeApproved
	e.mustHandle(t, review)
	if got := e.cms.Requests(); got != before {
		t.Errorf("%d requests for a revision already accepted, want none", got-before)
	}
	if got := len(e.published(t, id)); got != 1 {
		t.Errorf("%d published events after redelivery, want 1 (deduplicated)", got)
	}

	// A later revision is an update; the older one coming late is ignored.
	e.mustHandle(t, decided("1", 2))
	e.mustHandle(t, r1)
	if c, u, rev := e.cms.Creates(id), e.cms.Updates(id), e.cms.Revision(id); c != 1 || u != 1 || rev != 2 {
		t.Errorf("creates %d updates %d revision %d, want 1 1 2", c, u, rev)
	}

	// A decision not to publish leaves the article alone.
	no := decided("1", 3)
	no.Decision.Publish = false
	e.mustHandle(t, no)
	if rev := e.cms.Revision(id); rev != 2 {
		t.Errorf("revision %d after a decision not to publish r3, want 2", rev)
	}

	// Validity: sent once; a Gone change is not for sinks.
	rep := validity(id, 2, syndicator.ValidityRepealed, "basis-1")
	e.mustHandle(t, rep)
	e.mustHandle(t, rep)
	gone := &syndicator.Event{Kind: syndicator.KindValidity, ID: id, Revision: 2, Source: sourceID,
		Validity: &syndicator.ValidityChange{Gone: true, Status: 404, Polls: 3}}
	e.mustHandle(t, gone)
	if n, v := e.cms.ValidityChanges(id), e.cms.Validity(id); n != 1 || v != "repealed" {
		t.Errorf("validity changes %d, validity %q; want 1, repealed", n, v)
	}
	if doc, _ := e.cms.Doc(id); doc.Applied[len(doc.Applied)-1].Key != id+".r2.validity.repealed.basis-1" {
		t.Errorf("validity Idempotency-Key %q", doc.Applied[len(doc.Applied)-1].Key)
	}

	// A revision whose page still says 有效 keeps the repeal.
	e.mustHandle(t, decided("1", 4))
	if v, rev := e.cms.Validity(id), e.cms.Revision(id); v != "repealed" || rev != 4 {
		t.Errorf("after r4: validity %q revision %d, want repealed 4", v, rev)
	}

	// Withdrawal: once.
	e.mustHandle(t, withdrawn(id, 4))
	e.mustHandle(t, withdrawn(id, 4))
	if doc, _ := e.cms.Doc(id); e.cms.Withdrawals(id) != 1 || !doc.Withdrawn || doc.Reason != "误发布，撤回" {
		t.Errorf("withdrawals %d, withdrawn %v, reason %q", e.cms.Withdrawals(id), doc.Withdrawn, doc.Reason)
	}
	if rec, _ := e.record(t, id); !rec.Withdrawn || rec.Revision != 4 {
		t.Errorf("record after withdrawal: %+v", rec)
	}
	if n := e.cms.BadSignatures() + e.cms.KeyConflicts(); n != 0 {
		t.Errorf("%d bad signatures or key conflicts", n)
	}
}

// TestNothingForItemsNeverSent: a decision not to publish, and a validity
// change or withdrawal of an item the CMS never got, send nothing.
func TestNothingForItemsNeverSent(t *testing.T) {
	e := newEnv(t, 5*time.Second)
	no := decided("2", 1)
	no.Decision.Publish, no.Decision.Class = false, syndicator.ClassIgnore
	for _, ev := range []*syndicator.Event{
		no, validity(no.ID, 1, syndicator.ValidityRepealed, "b"), withdrawn(no.ID, 1),
		{Kind: syndicator.KindDecided, ID: no.ID, Revision: 1, Source: sourceID}, // no decision
	} {
		e.mustHandle(t, ev)
	}
	if n := e.cms.Requests(); n != 0 {
		t.Errorf("%d requests, want none", n)
	}
	if _, found := e.record(t, no.ID); found {
		t.Error("a record for an item never sent")
	}
	if got := len(e.published(t, no.ID)); got != 0 {
		t.Errorf("%d published events, want none", got)
	}
}

// TestRetriesSendTheSameBody: a timed-out request that took effect, then
// a lost answer, then success: one create, and every attempt carried the
// same bytes under the same key.
func TestRetriesSendTheSameBody(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 300*time.Millisecond)
	ev := decided("3", 1)
	e.cms.HangNext(1, 5*time.Second)
	if err := e.handle(t, ev, 1); err == nil || syndicator.IsPermanent(err) {
		t.Fatalf("Handle with a hanging CMS = %v, want a transient error", err)
	}
	if e.cms.Creates(ev.ID) != 1 {
		t.Fatal("the hanging CMS did not apply the create; the test proves nothing")
	}
	if _, found := e.record(t, ev.ID); found {
		t.Error("recorded a create the CMS never confirmed")
	}
	e.cms.LoseNext(1)
	if err := e.handle(t, ev, 2); err == nil || syndicator.IsPermanent(err) {
		t.Fatalf("Handle with a lost answer = %v, want a transient error", err)
	}
	if err := e.handle(t, ev, 3); err != nil {
		t.Fatalf("Handle: %v", err)
	}
	if c, r, k := e.cms.Creates(ev.ID), e.cms.Replays(), e.cms.KeyConflicts(); c != 1 || r != 2 || k != 0 {
		t.Errorf("creates %d replays %d key conflicts %d, want 1 2 0", c, r, k)
	}
	if rec, _ := e.record(t, ev.ID); rec.CMSID == "" || rec.Revision != 1 {
		t.Errorf("record %+v, want r1 with the CMS id from the replayed answer", rec)
	}
	if strings.Contains(e.logs.String(), secret) {
		t.Error("the secret is in the log")
	}
}
