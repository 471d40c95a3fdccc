package ledger

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/rs/zerolog"
)

// noItems fails the test when the recorder reads an item: the facts of an
// event whose item rides inline (its body by claim or not) are all in the
// event.
type noItems struct{ t testing.TB }

func (n noItems) Item(context.Context, *syndicator.Event) (*syndicator.Item, error) {
	if n.t != nil {
		n.t.Error("the recorder read the event's item from the claim-check store")
	}
	return nil, syndicator.Permanent(syndicator.ErrClaimGone)
}

// TestRecordedDecodesWhatFactOfReads: the recorder decodes only the fields
// it records, and gets the same fact as from the whole event, for events
// carrying every field FactOf reads.
func TestRecordedDecodesWhatFactOfReads(t *testing.T) {
	at := time.Date(2026, 9, 11, 8, 30, 0, 123, syndicator.Shanghai)
	item := &syndicator.Item{
		ID: "0123456789abcdef0123456789abcdef", Source: "govcn", Level: syndicator.LevelNational,
		URL: "https://www.gov.cn/zhengce/content/202609/content_1.htm", DocKey: "国发〔2026〕3号",
		Title: "国务院关于生态保护的通知", DocNumber: "国发〔2026〕3号", Issuer: "国务院", Column: "zcwj",
		PublishedAt: at, PublishedPrecision: syndicator.PrecisionMinute, Validity: syndicator.ValidityEffective,
		BodyHTML: "<p>" + strings.Repeat("正文", 100) + "</p>", BodyText: strings.Repeat("正文", 100),
		Attachments:   []syndicator.Attachment{{Name: "附件", URL: "https://www.gov.cn/a.pdf", SHA256: "ab"}},
		ContentSHA256: "cd", Revision: 2, FetchedAt: at, DiscoveredAt: at.Add(time.Minute), Backfilled: true, Baseline: true,
		Relevance: &syndicator.Relevance{Class: syndicator.ClassSync, Rule: "生态"},
	}
	events := map[string]*syndicator.Event{
		"discovered": {Kind: syndicator.KindDiscovered, ID: item.ID, Revision: 2, Source: "govcn", At: at, Item: item,
			BodyRef: "body/" + item.ID + "/r2/ef", Capture: &syndicator.Capture{Ref: "page/x", SHA256: "11", Header: map[string][]string{"Etag": {"x"}}},
			Attachments: []syndicator.Capture{{Ref: "attachment/ab", SHA256: "ab"}}},
		"archived": {Kind: syndicator.KindArchived, ID: item.ID, Revision: 2, Source: "govcn", At: at, Item: item,
			ArchiveKeys: []string{"a/b/item.json"}},
		"decided": {Kind: syndicator.KindDecided, ID: item.ID, Revision: 2, Source: "govcn", At: at, Item: item,
			Decision: &syndicator.Decision{Step: syndicator.StepReview, Class: syndicator.ClassTimely, Rule: "r", Column: "other",
				DocKey: "k", Publish: true, DuplicateOf: "d", Outcome: syndicator.OutcomeApproved, Reviewer: "张三", Comment: "同意", ReviewedAt: at}},
		"published": {Kind: syndicator.KindPublished, Sink: "site", ID: item.ID, Revision: 2, Source: "govcn", At: at,
			Location: "/zcwj/x.html", Digest: "99"},
		"validity": {Kind: syndicator.KindValidity, ID: item.ID, Revision: 2, Source: "govcn", At: at, Item: item,
			Validity: &syndicator.ValidityChange{From: syndicator.ValidityEffective, To: syndicator.ValidityRepealed, Basis: "决定", BasisDocNumber: "国发〔2027〕1号"}},
		"withdrawn": {Kind: syndicator.KindWithdrawn, ID: item.ID, Revision: 2, Source: "govcn", At: at, Reason: "撤回"},
		"operator": {Kind: syndicator.KindOperator, ID: item.ID, Source: "govcn", At: at,
			Action: &syndicator.Action{Name: syndicator.ActionRetry, Actor: "ops", Role: "operator", Consumer: "site", DeadSeq: 7, Reason: "重投", Outcome: "已重投", Failed: true}},
	}
	r := &Recorder{items: noItems{t}, log: zerolog.Nop(), now: func() time.Time { return at }}
	for name, ev := range events {
		t.Run(name, func(t *testing.T) {
			data, err := json.Marshal(ev)
			if err != nil {
				t.Fatal(err)
			}
			var whole syndicator.Event
			if err := json.Unmarshal(data, &whole); err != nil {
				t.Fatal(err)
			}
			want := FactOf(&whole, whole.Item)
			e, err := r.entry(context.Background(), 1, whole.Subject(), data)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(e.Fact, want) {
				t.Errorf("fact from the decoded fields\n%+v\nwant, from the whole event\n%+v", e.Fact, want)
			}
		})
	}
}

// BenchmarkRecordEntry is the recorder's decode of one discovered event of
// a gov.cn-sized item (60 KB of body): whole-event is what it did before,
// decoding the whole event with the body inline; recorded is what it does
// now, decoding the fields it records of the event that names its body
// claim.
//
//	go test -run '^$' -bench RecordEntry -benchmem ./syndicator/ledger
func BenchmarkRecordEntry(b *testing.B) {
	it := &syndicator.Item{ID: "0123456789abcdef0123456789abcdef", Source: "govcn", URL: "https://www.gov.cn/zhengce/content/202609/content_1.htm",
		Title: "国务院办公厅关于进一步加强生态环境保护工作的通知", DocNumber: "国办发〔2026〕47号", Revision: 1,
		BodyHTML: strings.Repeat("<p style=\"text-indent: 2em;\">为深入贯彻落实党中央、国务院关于生态文明建设的决策部署，现通知如下。</p>\n", 500),
		BodyText: strings.Repeat("为深入贯彻落实党中央、国务院关于生态文明建设的决策部署，现通知如下。\n", 500)}
	ev := &syndicator.Event{V: 1, Kind: syndicator.KindDiscovered, ID: it.ID, Revision: 1, Source: "govcn", At: time.Now(), Item: it}
	inline, _ := json.Marshal(ev)
	slim := *it
	slim.BodyHTML, slim.BodyText = "", ""
	claimed := *ev
	claimed.Item, claimed.BodyRef = &slim, "body/"+it.ID+"/r1/ab"
	small, _ := json.Marshal(&claimed)
	b.Run("whole-event", func(b *testing.B) {
		b.ReportAllocs()
		b.ReportMetric(float64(len(inline)), "bytes/event")
		for b.Loop() {
			var whole syndicator.Event
			if err := json.Unmarshal(inline, &whole); err != nil {
				b.Fatal(err)
			}
			_ = FactOf(&whole, whole.Item)
		}
	})
	b.Run("recorded", func(b *testing.B) {
		r := &Recorder{items: noItems{}, log: zerolog.Nop(), now: time.Now}
		b.ReportAllocs()
		b.ReportMetric(float64(len(small)), "bytes/event")
		for b.Loop() {
			if _, err := r.entry(context.Background(), 1, "synd.item.discovered.govcn", small); err != nil {
				b.Fatal(err)
			}
		}
	})
}
