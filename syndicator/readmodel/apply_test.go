package readmodel

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
)

// events builds the event messages of SYND_EVENTS in order.
type events struct {
	t    testing.TB
	seq  uint64
	msgs []Msg
}

func (e *events) add(ev syndicator.Event) {
	e.t.Helper()
	ev.V = syndicator.EventVersion
	data, err := json.Marshal(ev)
	if err != nil {
		e.t.Fatal(err)
	}
	e.seq++
	e.msgs = append(e.msgs, Msg{Stream: natsbus.StreamEvents, Seq: e.seq, Subject: ev.Subject(), Data: data})
}

func itemOf(id, source, title, docNo, body string, published time.Time, rev int) *syndicator.Item {
	return &syndicator.Item{ID: id, Source: source, Level: syndicator.LevelNational, URL: "https://www.gov.cn/" + id + ".htm",
		Title: title, DocNumber: docNo, DocKey: syndicator.DocKey(docNo), Issuer: "国务院",
		PublishedAt: published, PublishedPrecision: syndicator.PrecisionMinute, Validity: syndicator.ValidityEffective,
		BodyText: body, BodyHTML: "<p>" + body + "</p>", ContentSHA256: strings.Repeat("a", 63) + string(rune('0'+rev)),
		Revision: rev, DiscoveredAt: published.Add(10 * time.Minute), FetchedAt: published.Add(10 * time.Minute)}
}

const (
	idA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	idB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	idC = "cccccccccccccccccccccccccccccccc"
)

// history is three items: A republished, revised and repealed; B a
// review item approved; C another site's copy of A, read by the generic
// readers (extracted_by fallback).
func history(t testing.TB) []Msg {
	at := time.Date(2026, 9, 1, 10, 0, 0, 0, syndicator.Shanghai)
	e := &events{t: t}
	a1 := itemOf(idA, "govcn-zuixin", "国务院关于加强生态环境保护的意见", "国发〔2026〕1号", "各省、自治区、直辖市人民政府：为深入推进河长制湖长制，现提出如下意见。", at, 1)
	e.add(syndicator.Event{Kind: syndicator.KindDiscovered, ID: idA, Revision: 1, Source: "govcn-zuixin", At: at.Add(10 * time.Minute), Item: a1})
	e.add(syndicator.Event{Kind: syndicator.KindArchived, ID: idA, Revision: 1, Source: "govcn-zuixin", Sink: "archive", At: at.Add(11 * time.Minute), ArchiveKeys: []string{"k/original.html"}})
	e.add(syndicator.Event{Kind: syndicator.KindDecided, ID: idA, Revision: 1, Source: "govcn-zuixin", At: at.Add(11 * time.Minute), Item: a1,
		Decision: &syndicator.Decision{Step: syndicator.StepRules, Class: syndicator.ClassSync, Rule: "生态环境", Publish: true, Column: "sthj", DocKey: a1.DocKey}})
	e.add(syndicator.Event{Kind: syndicator.KindPublished, ID: idA, Revision: 1, Source: "govcn-zuixin", Sink: "site", At: at.Add(12 * time.Minute), Location: "/sthj/a.html"})
	a2 := itemOf(idA, "govcn-zuixin", "国务院关于加强生态环境保护的意见", "国发〔2026〕1号", "各省、自治区、直辖市人民政府：为全面推行林长制，现提出如下意见。", at, 2)
	e.add(syndicator.Event{Kind: syndicator.KindRevised, ID: idA, Revision: 2, Source: "govcn-zuixin", At: at.Add(time.Hour), Item: a2})
	e.add(syndicator.Event{Kind: syndicator.KindValidity, ID: idA, Revision: 2, Source: "govcn-zuixin", At: at.Add(2 * time.Hour),
		Validity: &syndicator.ValidityChange{From: syndicator.ValidityEffective, To: syndicator.ValidityRepealed, Basis: "国务院关于废止部分文件的决定", BasisDocNumber: "国发〔2026〕9号"}})

	b := itemOf(idB, "guizhou-szfwj", "省人民政府办公厅关于印发贵州省数字政府建设方案的通知", "黔府办发〔2026〕3号", "数字政府建设的总体要求。", at.Add(24*time.Hour), 1)
	e.add(syndicator.Event{Kind: syndicator.KindDiscovered, ID: idB, Revision: 1, Source: "guizhou-szfwj", At: at.Add(25 * time.Hour), Item: b})
	e.add(syndicator.Event{Kind: syndicator.KindDecided, ID: idB, Revision: 1, Source: "guizhou-szfwj", At: at.Add(25 * time.Hour), Item: b,
		Decision: &syndicator.Decision{Step: syndicator.StepRules, Class: syndicator.ClassReview, Rule: "待人工判断", Reason: "标题未命中任何规则"}})
	c := itemOf(idC, "guiyang-szfwj", "国务院关于加强生态环境保护的意见", "国发〔2026〕1号", "转发：为深入推进河长制湖长制。", at, 1)
	c.ExtractedBy = syndicator.ExtractedByFallback // the site's selectors matched nothing
	e.add(syndicator.Event{Kind: syndicator.KindDiscovered, ID: idC, Revision: 1, Source: "guiyang-szfwj", At: at.Add(26 * time.Hour), Item: c})
	e.add(syndicator.Event{Kind: syndicator.KindDecided, ID: idC, Revision: 1, Source: "guiyang-szfwj", At: at.Add(26 * time.Hour), Item: c,
		Decision: &syndicator.Decision{Step: syndicator.StepRules, Class: syndicator.ClassSync, DuplicateOf: idA, DocKey: a1.DocKey}})
	return e.msgs
}

func TestItemsFollowTheirEvents(t *testing.T) {
	st := openTemp(t)
	msgs := history(t)
	apply(t, st, msgs, 3)
	ctx := context.Background()
	a, err := st.Item(ctx, idA)
	if err != nil {
		t.Fatal(err)
	}
	if a.State != StatePublished || a.Revision != 2 || a.Validity != syndicator.ValidityRepealed || a.Class != syndicator.ClassSync ||
		a.Location != "/sthj/a.html" || a.Column != "sthj" || a.ArchivedAt.IsZero() || a.Issuer != "国务院" || a.FirstSeq != 1 {
		t.Errorf("item A: %+v", a)
	}
	b, _ := st.Item(ctx, idB)
	if b.State != StateReview || b.Reason != "标题未命中任何规则" {
		t.Errorf("item B: state %s reason %q", b.State, b.Reason)
	}
	c, _ := st.Item(ctx, idC)
	if c.State != StateDuplicate || c.DuplicateOf != idA {
		t.Errorf("item C: state %s duplicate of %q", c.State, c.DuplicateOf)
	}
	revs, err := st.Revisions(ctx, idA)
	if err != nil || len(revs) != 2 || !strings.Contains(revs[0].BodyText, "河长制") || !strings.Contains(revs[1].BodyText, "林长制") {
		t.Errorf("revisions of A: %+v, %v", revs, err)
	}
	sights, err := st.Sightings(ctx, idC)
	if err != nil || len(sights) != 2 || sights[0].ID != idA || sights[1].ID != idC {
		t.Errorf("sightings of C: %d, %v", len(sights), err)
	}

	// An operator approves B: it is queued for publication, with who and when.
	e := &events{t: t, seq: msgs[len(msgs)-1].Seq}
	reviewed := time.Date(2026, 9, 3, 9, 0, 0, 0, syndicator.Shanghai)
	e.add(syndicator.Event{Kind: syndicator.KindDecided, ID: idB, Revision: 1, Source: "guizhou-szfwj", At: reviewed,
		Decision: &syndicator.Decision{Step: syndicator.StepReview, Class: syndicator.ClassReview, Outcome: syndicator.OutcomeApproved,
			Reviewer: "信息中心", Comment: "同意转载", Column: "zcwj", ReviewedAt: reviewed, Publish: true}})
	apply(t, st, e.msgs, 10)
	b, _ = st.Item(ctx, idB)
	if b.State != StateQueued || b.Reviewer != "信息中心" || !b.ReviewedAt.Equal(reviewed) || b.Column != "zcwj" {
		t.Errorf("item B after approval: state %s reviewer %q at %s column %q", b.State, b.Reviewer, b.ReviewedAt, b.Column)
	}

	// Everything applied again changes nothing: positions skip it.
	before, _ := st.Search(ctx, Query{})
	apply(t, st, msgs, 100)
	after, _ := st.Search(ctx, Query{})
	if after.Total != before.Total || after.Total != 3 {
		t.Errorf("items after a repeat: %d, before %d, want 3", after.Total, before.Total)
	}
}

func TestSearchFindsChineseSubstrings(t *testing.T) {
	st := openTemp(t)
	apply(t, st, history(t), 50)
	ctx := context.Background()
	ids := func(q Query) []string {
		t.Helper()
		p, err := st.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range p.Items {
			out = append(out, r.ID[:1])
		}
		if p.Total != len(out) && q.PerPage == 0 {
			t.Errorf("%+v: total %d, page holds %d", q, p.Total, len(out))
		}
		return out
	}
	from := time.Date(2026, 9, 2, 0, 0, 0, 0, syndicator.Shanghai)
	for _, c := range []struct {
		q    Query
		want string
	}{
		{Query{}, "b,c,a"},              // newest first: B is dated a day later; C, found after A, before it
		{Query{Text: "林长制"}, "a"},       // the latest revision's body
		{Query{Text: "河长制"}, "c"},       // A's old text is not searched, C's is
		{Query{Text: "数字政府"}, "b"},      // title and body
		{Query{Text: "〔2026〕3"}, "b"},   // 发文字号
		{Query{Text: "环保"}, ""},         // two characters: titles and numbers only
		{Query{Text: "生态"}, "c,a"},      // two characters in the title
		{Query{Text: "生态环境 意见"}, "c,a"}, // every term
		{Query{Text: `"引号"`}, ""},       // quotes are text, not syntax
		{Query{Text: "100%"}, ""},       // so is LIKE's wildcard
		{Query{Source: "guizhou-szfwj"}, "b"},
		{Query{State: StateDuplicate}, "c"},
		{Query{Class: syndicator.ClassReview}, "b"},
		{Query{Validity: syndicator.ValidityRepealed}, "a"},
		{Query{From: from}, "b"},
		{Query{To: from}, "c,a"},
		{Query{Text: "生态", Source: "govcn-zuixin"}, "a"},
		{Query{ExtractedBy: syndicator.ExtractedByFallback}, "c"},
	} {
		if got := strings.Join(ids(c.q), ","); got != c.want {
			t.Errorf("search %+v: %q, want %q", c.q, got, c.want)
		}
	}
	p, err := st.Search(ctx, Query{PerPage: 2, Page: 2})
	if err != nil || p.Total != 3 || len(p.Items) != 1 || p.Pages() != 2 || p.Items[0].ID != idA {
		t.Errorf("page 2 of 2: %+v, %v", p, err)
	}
}

func TestHealthAndDeadLettersAreKept(t *testing.T) {
	st := openTemp(t)
	h, _ := json.Marshal(syndicator.HealthEvent{V: 1, Source: "guiyang-szfwj", State: "degraded", Reason: "列表页未找到条目", At: time.Now()})
	ev, _ := json.Marshal(syndicator.Event{V: 1, Kind: syndicator.KindDiscovered, ID: idA, Source: "govcn-zuixin"})
	d, _ := json.Marshal(natsbus.DeadLetter{V: 1, Consumer: "site", Subject: "synd.item.decided.govcn-zuixin", StreamSeq: 9, Deliveries: 20, Error: "write page: disk full", At: time.Now(), Data: ev})
	skipped, err := st.Apply(context.Background(), []Msg{
		{Stream: natsbus.StreamEvents, Seq: 1, Subject: syndicator.SubjectHealth("guiyang-szfwj"), Data: h},
		{Stream: natsbus.StreamEvents, Seq: 2, Subject: "synd.item.discovered.govcn-zuixin", Data: []byte("{not json")},
		{Stream: natsbus.StreamDead, Seq: 1, Subject: syndicator.SubjectDeadLetter("site"), Data: d},
	})
	if err != nil {
		t.Fatal(err)
	}
	if skipped == nil || !strings.Contains(skipped.Error(), "#2") {
		t.Errorf("an undecodable event is not reported: %v", skipped)
	}
	var reason, item, consumer string
	if err := st.r.QueryRow("SELECT reason FROM health WHERE source = 'guiyang-szfwj'").Scan(&reason); err != nil || reason != "列表页未找到条目" {
		t.Errorf("health: %q, %v", reason, err)
	}
	if err := st.r.QueryRow("SELECT item_id, consumer FROM dead WHERE seq = 1").Scan(&item, &consumer); err != nil || item != idA || consumer != "site" {
		t.Errorf("dead letter: %q %q, %v", item, consumer, err)
	}
	pos, err := st.Positions(context.Background())
	if err != nil || pos[natsbus.StreamEvents] != 2 || pos[natsbus.StreamDead] != 1 {
		t.Errorf("positions %v, %v", pos, err)
	}
}

// A revision that moves the item's date moves it in the listing and in
// the full-text index, where its old text no longer finds it.
func TestRevisedDateMovesTheItem(t *testing.T) {
	st := openTemp(t)
	msgs := history(t)
	apply(t, st, msgs, 100)
	at := time.Date(2026, 9, 5, 10, 0, 0, 0, syndicator.Shanghai)
	a3 := itemOf(idA, "govcn-zuixin", "国务院关于加强生态环境保护的意见", "国发〔2026〕1号", "更正后的正文：全面推行田长制。", at, 3)
	e := &events{t: t, seq: msgs[len(msgs)-1].Seq}
	e.add(syndicator.Event{Kind: syndicator.KindRevised, ID: idA, Revision: 3, Source: "govcn-zuixin", At: at.Add(time.Hour), Item: a3})
	apply(t, st, e.msgs, 10)
	ctx := context.Background()
	for _, c := range []struct {
		q    Query
		want string
	}{
		{Query{}, "a,b,c"},
		{Query{Text: "田长制"}, "a"},
		{Query{Text: "林长制"}, ""},
		{Query{Text: "生态环境", From: time.Date(2026, 9, 4, 0, 0, 0, 0, syndicator.Shanghai)}, "a"},
		{Query{Text: "生态环境", To: time.Date(2026, 9, 4, 0, 0, 0, 0, syndicator.Shanghai)}, "c"},
	} {
		p, err := st.Search(ctx, c.q)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range p.Items {
			got = append(got, r.ID[:1])
		}
		if strings.Join(got, ",") != c.want || p.Total != len(got) {
			t.Errorf("search %+v: %v (total %d), want %q", c.q, got, p.Total, c.want)
		}
	}
}
