package site

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/sinks/site/render"
	"github.com/gyeco/syndicator/syndicator"
	"golang.org/x/net/html"
)

// page parses the article page of a published item.
func (e *env) page(t *testing.T, id string) (*html.Node, string) {
	t.Helper()
	rec := e.record(t, id)
	raw := e.get(t, render.ArticlePath(&rec))
	doc, err := html.Parse(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	return doc, string(raw)
}

func find(n *html.Node, match func(*html.Node) bool) *html.Node {
	if match(n) {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := find(c, match); f != nil {
			return f
		}
	}
	return nil
}

func withClass(class string) func(*html.Node) bool {
	return func(n *html.Node) bool {
		if n.Type != html.ElementNode {
			return false
		}
		for _, a := range n.Attr {
			if a.Key == "class" && strings.Contains(" "+a.Val+" ", " "+class+" ") {
				return true
			}
		}
		return false
	}
}

func textOf(n *html.Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func hrefs(n *html.Node) []string {
	var out []string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "a" {
			for _, a := range n.Attr {
				if a.Key == "href" {
					out = append(out, a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	if n != nil {
		walk(n)
	}
	return out
}

func TestValidityChangeShowsTheBannerWithItsBasis(t *testing.T) {
	e := newEnv(t)
	old := e.archivedEvent(t, 1, 1, "省人民政府关于旧事项的通知", "旧正文。")
	decision := e.archivedEvent(t, 2, 1, "贵州省人民政府关于废止部分行政规范性文件的决定", "决定正文。")
	e.handle(t, old)
	e.handle(t, decision)
	if doc, _ := e.page(t, old.ID); find(doc, withClass("banner")) != nil {
		t.Fatal("banner before the repeal")
	}
	ev := &syndicator.Event{Kind: syndicator.KindValidity, ID: old.ID, Revision: 1, Source: sourceID, At: time.Now().UTC(),
		Validity: &syndicator.ValidityChange{From: syndicator.ValidityEffective, To: syndicator.ValidityRepealed,
			Basis: decision.Item.Title, BasisDocNumber: decision.Item.DocNumber, BasisID: decision.ID, BasisURL: decision.Item.URL}}
	e.handle(t, ev)
	e.handle(t, ev) // a redelivery is a no-op

	doc, raw := e.page(t, old.ID)
	b := find(doc, withClass("banner-repealed"))
	want := "本文件已废止（依据《" + decision.Item.Title + "》（" + decision.Item.DocNumber + "））"
	if got := textOf(b); got != want {
		t.Fatalf("banner = %q, want %q", got, want)
	}
	// The basis links the committee's own copy of the decision.
	decRec := e.record(t, decision.ID)
	if h := hrefs(b); len(h) != 1 || path.Base(h[0]) != path.Base(render.ArticlePath(&decRec)) {
		t.Errorf("basis link = %v, want the local copy %s", h, render.ArticlePath(&decRec))
	}
	if !strings.Contains(raw, "旧正文。") {
		t.Error("the body was lost when the page was rendered again")
	}
	if rec := e.record(t, old.ID); rec.Item.Validity != syndicator.ValidityRepealed {
		t.Errorf("record validity = %s", rec.Item.Validity)
	}
	// A later revision still saying 有效 keeps the repeal.
	r2 := e.archivedEvent(t, 1, 2, old.Item.Title, "更正后的正文。")
	e.handle(t, r2)
	if doc, _ := e.page(t, old.ID); find(doc, withClass("banner-repealed")) == nil {
		t.Error("revision 2 lost the repeal banner")
	}
}

func TestPolicyAndInterpretationLinkEachOther(t *testing.T) {
	t.Parallel()
	for _, order := range []string{"policy first", "interpretation first"} {
		t.Run(order, func(t *testing.T) {
			e := newEnv(t)
			policy := e.archivedEvent(t, 1, 1, "省人民政府关于推进生态保护的意见", "政策正文。")
			jd := e.archivedEvent(t, 2, 1, "一图读懂生态保护意见", "解读正文。")
			jd.Item.DocNumber = ""
			jd.Item.Related = []syndicator.Related{{Kind: syndicator.RelOriginal, ID: policy.ID, URL: policy.Item.URL}}
			evs := []*syndicator.Event{policy, jd}
			if order != "policy first" {
				evs = []*syndicator.Event{jd, policy}
			}
			for _, ev := range evs {
				e.handle(t, ev)
			}
			pDoc, _ := e.page(t, policy.ID)
			jDoc, _ := e.page(t, jd.ID)
			jRec, pRec := e.record(t, jd.ID), e.record(t, policy.ID)
			box := find(pDoc, withClass("related-interpretation"))
			if !strings.Contains(textOf(box), "相关解读") || !strings.Contains(textOf(box), jd.Item.Title) {
				t.Fatalf("policy page related box = %q", textOf(box))
			}
			if h := hrefs(box); len(h) != 1 || path.Base(h[0]) != path.Base(render.ArticlePath(&jRec)) {
				t.Errorf("policy → interpretation link = %v", h)
			}
			box = find(jDoc, withClass("related-original"))
			if !strings.Contains(textOf(box), "相关文件") || !strings.Contains(textOf(box), policy.Item.Title) {
				t.Fatalf("interpretation page related box = %q", textOf(box))
			}
			if h := hrefs(box); len(h) != 1 || path.Base(h[0]) != path.Base(render.ArticlePath(&pRec)) {
				t.Errorf("interpretation → policy link = %v", h)
			}
		})
	}
}

func TestWithdrawnArticleLeavesTheIndex(t *testing.T) {
	e := newEnv(t)
	ev := e.archivedEvent(t, 1, 1, "省人民政府关于某事项的通知", "正文。")
	e.handle(t, ev)
	e.handle(t, &syndicator.Event{Kind: syndicator.KindWithdrawn, ID: ev.ID, Revision: 1, Source: sourceID,
		At: time.Now().UTC(), Reason: "源页面已删除，经 张三 审核撤回"})
	doc, _ := e.page(t, ev.ID)
	if got := textOf(find(doc, withClass("banner-withdrawn"))); !strings.Contains(got, "本文已撤回") || !strings.Contains(got, "张三") {
		t.Fatalf("withdrawn notice = %q", got)
	}
	if rec := e.record(t, ev.ID); rec.Withdrawn == "" {
		t.Error("record not marked withdrawn")
	}
}

func TestDecisionsNotToPublishAreIgnored(t *testing.T) {
	e := newEnv(t)
	ev := e.archivedEvent(t, 1, 1, "国务院办公厅关于某项目的复函", "正文。")
	ev.Decision = &syndicator.Decision{Step: syndicator.StepRules, Class: syndicator.ClassReview, Publish: false}
	e.handle(t, ev)
	var rec record
	if found, err := e.bus.GetState(t.Context(), syndicator.BucketSite, ev.ID, &rec); err != nil || found {
		t.Fatalf("an unpublished decision made a record: %v %v", found, err)
	}
	if n := len(e.published(t, ev.ID)); n != 0 {
		t.Errorf("%d published events", n)
	}
}

func TestPublishedEventCarriesThePageDigest(t *testing.T) {
	e := newEnv(t)
	ev := e.archivedEvent(t, 1, 1, "省人民政府关于某事项的通知", "正文。")
	e.handle(t, ev)
	rec := e.record(t, ev.ID)
	want := sha256Hex(e.get(t, render.ArticlePath(&rec)))
	pub := e.published(t, ev.ID)
	if len(pub) != 1 || pub[0].Digest != want {
		t.Fatalf("published digest = %+v, want %s", pub, want)
	}
}

// TestRepealRendersFromTheArchive: the sink keeps no copy of the item (the
// claim-check store keeps things 30 days; a repeal may come years later):
// the page is rendered again from the revision's item.json in the archive,
// body and all. An older record whose kept item is still there reads that;
// one whose kept item is gone reads the archive too; with neither, the
// change fails (retried, then dead-lettered) saying what is missing and
// what to check.
func TestRepealRendersFromTheArchive(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	repeal := func(id string) *syndicator.Event {
		return &syndicator.Event{Kind: syndicator.KindValidity, ID: id, Revision: 1, Source: sourceID, At: time.Now().UTC(),
			Validity: &syndicator.ValidityChange{From: syndicator.ValidityEffective, To: syndicator.ValidityRepealed, Basis: "关于废止的决定"}}
	}
	recordOf := func(id string) record {
		var rec record
		if found, err := e.bus.GetState(ctx, syndicator.BucketSite, id, &rec); err != nil || !found {
			t.Fatalf("record of %s: found %v, err %v", id, found, err)
		}
		return rec
	}
	repealed := func(id, body string) {
		t.Helper()
		doc, raw := e.page(t, id)
		if find(doc, withClass("banner-repealed")) == nil {
			t.Errorf("%s: no repeal banner", id)
		}
		if !strings.Contains(raw, body) {
			t.Errorf("%s: the body %q was lost when the page was rendered again", id, body)
		}
	}

	current := e.archivedEvent(t, 1, 1, "省人民政府关于旧事项的通知", "旧正文。")
	e.handle(t, current)
	if rec := recordOf(current.ID); rec.ItemRef != "" {
		t.Errorf("record keeps the item in the claim-check store (%s)", rec.ItemRef)
	}
	e.handle(t, repeal(current.ID))
	repealed(current.ID, "旧正文。")

	// Records written by an earlier build point at a kept item.
	older := func(n int, body string, keep bool) *syndicator.Event {
		ev := e.archivedEvent(t, n, 1, fmt.Sprintf("省人民政府关于第%d事项的通知", n), body)
		e.handle(t, ev)
		rec := recordOf(ev.ID)
		ref, err := e.bus.KeepItem(ctx, ev.Item)
		if err != nil {
			t.Fatal(err)
		}
		if !keep {
			if err := e.bus.DeleteClaim(ctx, ref); err != nil {
				t.Fatal(err)
			}
		}
		rec.ItemRef = ref
		if err := e.bus.PutState(ctx, syndicator.BucketSite, ev.ID, &rec); err != nil {
			t.Fatal(err)
		}
		return ev
	}
	kept := older(2, "仍保存的正文。", true)
	if err := os.Remove(filepath.Join(e.archiveDir, kept.Item.ArchivePrefix()+"item.json")); err != nil {
		t.Fatal(err) // the kept item alone must do
	}
	e.handle(t, repeal(kept.ID))
	repealed(kept.ID, "仍保存的正文。")

	expired := older(3, "已过期的正文。", false)
	e.handle(t, repeal(expired.ID))
	repealed(expired.ID, "已过期的正文。")

	lost := e.archivedEvent(t, 4, 1, "省人民政府关于第四事项的通知", "正文。")
	e.handle(t, lost)
	if err := os.Remove(filepath.Join(e.archiveDir, lost.Item.ArchivePrefix()+"item.json")); err != nil {
		t.Fatal(err)
	}
	err := e.sink.Handle(ctx, repeal(lost.ID), 1)
	if err == nil || syndicator.IsPermanent(err) || !strings.Contains(err.Error(), "item.json") || !strings.Contains(err.Error(), "archive settings") {
		t.Errorf("repeal with the item in neither store = %v, want a transient error naming item.json and the archive settings", err)
	}
}
