package site

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gyeco/syndicator/sinks/blob"
	"github.com/gyeco/syndicator/sinks/site/render"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/natsbus/natstest"
	"github.com/rs/zerolog"
)

const sourceID = "guizhou-szfwj"

type env struct {
	bus     *natsbus.Bus
	docroot *blob.FS
	archive *blob.FS
	// archiveDir is archive's root, where a test removes what an archive
	// never loses.
	archiveDir string
	render     *render.Renderer
	sink       *Sink
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	bus, err := natsbus.Connect(ctx, natstest.Embedded(t), "site-test", natsbus.Options{}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bus.Close)
	r, err := render.New(render.Site{Name: "贵阳市生态文明委员会", Columns: []render.Column{{ID: "zcwj", Name: "政策文件"}}})
	if err != nil {
		t.Fatal(err)
	}
	archiveDir := t.TempDir()
	docroot, archive := blob.NewFS(t.TempDir()), blob.NewFS(archiveDir)
	sink := New(Deps{
		Docroot: docroot, Archive: archive, Bus: bus, Claims: bus, Records: bus, Render: r,
		SourceNames: map[string]string{sourceID: "贵州省人民政府"}, Log: zerolog.Nop(),
	})
	return &env{bus: bus, docroot: docroot, archive: archive, archiveDir: archiveDir, render: r, sink: sink}
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// archivedEvent is the decision to publish revision rev of the n-th test
// page, as the decider announces it after archiving: the item inline, its
// attachment and its item.json in the archive.
func (e *env) archivedEvent(t *testing.T, n, rev int, title, body string) *syndicator.Event {
	t.Helper()
	url := fmt.Sprintf("http://127.0.0.1:8090/guizhou/zwgk/zcfg/szfwj/qff/202609/t20260901_%d.html", n)
	att := []byte(fmt.Sprintf("%%PDF-1.4\n%% attachment %d\n%%%%EOF\n", n))
	if _, err := e.archive.PutNew(context.Background(), syndicator.AttachmentArchiveKey(sha256Hex(att)), att, "application/pdf"); err != nil {
		t.Fatal(err)
	}
	it := &syndicator.Item{
		ID: syndicator.ItemID(url), Source: sourceID, Level: syndicator.LevelProvincial, URL: url,
		Title: title, DocNumber: fmt.Sprintf("黔府发〔2026〕%d号", n), Issuer: "贵州省人民政府",
		PublishedAt:        time.Date(2026, 9, 1, 10, n, 0, 0, syndicator.Shanghai),
		PublishedPrecision: syndicator.PrecisionMinute, Validity: syndicator.ValidityEffective,
		BodyHTML: fmt.Sprintf(`<p>%s</p><p><a href="http://127.0.0.1:8090/guizhou/P0%d.pdf">附件1</a></p>`, body, n), BodyText: body,
		Attachments: []syndicator.Attachment{{
			Name: "附件1", URL: fmt.Sprintf("http://127.0.0.1:8090/guizhou/P0%d.pdf", n),
			SHA256: sha256Hex(att), Size: int64(len(att)), ContentType: "application/pdf",
			ArchiveKey: "attachments/" + sha256Hex(att),
		}},
		Revision: rev, Column: "zcwj", FetchedAt: time.Date(2026, 9, 1, 3, 0, 0, 0, time.UTC),
	}
	itemJSON, err := json.Marshal(it)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.archive.PutNew(context.Background(), it.ArchivePrefix()+"item.json", itemJSON, "application/json"); err != nil {
		t.Fatal(err)
	}
	return &syndicator.Event{
		Kind: syndicator.KindDecided, ID: it.ID, Revision: rev, Source: sourceID, At: time.Now().UTC(), Item: it,
		Decision: &syndicator.Decision{Step: syndicator.StepRules, Class: syndicator.ClassTimely, Rule: "test", Publish: true},
	}
}

func (e *env) handle(t *testing.T, ev *syndicator.Event) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.sink.Handle(ctx, ev, 1); err != nil {
		t.Fatalf("Handle %s r%d: %v", ev.ID, ev.Revision, err)
	}
}

func (e *env) get(t *testing.T, key string) []byte {
	t.Helper()
	data, err := e.docroot.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("docroot %s: %v", key, err)
	}
	return data
}

// published returns the published events of item id.
func (e *env) published(t *testing.T, id string) []syndicator.Event {
	t.Helper()
	var evs []syndicator.Event
	for _, ev := range natstest.Events(t, e.bus, "synd.item.published.site."+sourceID) {
		if ev.ID == id {
			evs = append(evs, ev)
		}
	}
	return evs
}

func revisions(evs []syndicator.Event) []int {
	var out []int
	for _, ev := range evs {
		out = append(out, ev.Revision)
	}
	return out
}

func (e *env) record(t *testing.T, id string) render.Article {
	t.Helper()
	var a render.Article
	found, err := e.bus.GetState(context.Background(), "synd_site", id, &a)
	if err != nil || !found {
		t.Fatalf("synd_site/%s: found %v, err %v", id, found, err)
	}
	return a
}

func TestHandlePublishesTheArticle(t *testing.T) {
	e := newEnv(t)
	firstAt := time.Date(2026, 9, 1, 3, 30, 0, 0, time.UTC) // 11:30 in Beijing
	e.sink.now = func() time.Time { return firstAt }
	r1 := e.archivedEvent(t, 1, 1, "省人民政府关于印发生态保护方案的通知", "第一版正文。")
	e.handle(t, r1)

	id, sha := r1.ID, r1.Item.Attachments[0].SHA256
	loc := render.ArticlePath(&render.Article{Item: *r1.Item})
	if want := "zcwj/202609/t20260901_" + id + ".html"; loc != want {
		t.Fatalf("ArticlePath = %q, want %q", loc, want)
	}
	page := e.get(t, loc)
	for _, want := range []string{r1.Item.Title, "第一版正文。", "../../attachments/" + sha + ".pdf", r1.Item.URL} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("article page lacks %q", want)
		}
	}
	if bytes.Contains(page, []byte("更新")) {
		t.Error("first revision shows an 更新 note")
	}
	if got := e.get(t, "attachments/"+sha+".pdf"); sha256Hex(got) != sha {
		t.Errorf("attachments/%s.pdf has sha256 %s, want the archived bytes", sha, sha256Hex(got))
	}
	rec := e.record(t, id)
	if rec.Item.ID != id || rec.Item.Revision != 1 || rec.Item.BodyHTML != "" || rec.Item.BodyText != "" {
		t.Errorf("record item id %s r%d body %q/%q, want %s r1 without body", rec.Item.ID, rec.Item.Revision, rec.Item.BodyHTML, rec.Item.BodyText, id)
	}
	if !strings.Contains(string(page), `<a href="../../attachments/`+sha+`.pdf">附件1</a>`) {
		t.Errorf("the body's attachment link does not point at the archived copy")
	}
	if diff := cmp.Diff([]render.Link{{Name: "附件1", Href: "attachments/" + sha + ".pdf"}}, rec.Attachments); diff != "" {
		t.Errorf("record attachments (-want +got):\n%s", diff)
	}
	if !rec.PublishedAt.Equal(firstAt) || rec.Updated {
		t.Errorf("record published at %v updated %v, want %v, not updated", rec.PublishedAt, rec.Updated, firstAt)
	}
	evs := e.published(t, id)
	if len(evs) != 1 || evs[0].Location != loc || evs[0].Sink != "site" || evs[0].Revision != 1 {
		t.Fatalf("published events %+v, want one for r1 at %s", evs, loc)
	}

	t.Run("redelivery", func(t *testing.T) {
		e.handle(t, r1)
		if got := e.get(t, loc); !bytes.Equal(got, page) {
			t.Error("redelivery rewrote the page")
		}
		if diff := cmp.Diff([]int{1}, revisions(e.published(t, id))); diff != "" {
			t.Errorf("published revisions (-want +got):\n%s", diff)
		}
	})

	t.Run("revision 2", func(t *testing.T) {
		e.sink.now = func() time.Time { return firstAt.Add(26 * time.Hour) }
		r2 := e.archivedEvent(t, 1, 2, "省人民政府关于印发生态保护方案的通知", "第二版正文，有修改。")
		e.handle(t, r2)
		page := e.get(t, loc)
		for _, want := range []string{"第二版正文，有修改。", "更新", "第2版"} {
			if !bytes.Contains(page, []byte(want)) {
				t.Errorf("revised page lacks %q", want)
			}
		}
		if bytes.Contains(page, []byte("第一版正文。")) {
			t.Error("revised page still shows the first body")
		}
		if rec := e.record(t, id); rec.Item.Revision != 2 || !rec.Updated {
			t.Errorf("record r%d updated %v, want r2 updated", rec.Item.Revision, rec.Updated)
		}
		if diff := cmp.Diff([]int{1, 2}, revisions(e.published(t, id))); diff != "" {
			t.Errorf("published revisions (-want +got):\n%s", diff)
		}

		// A late redelivery of revision 1 changes nothing.
		e.handle(t, r1)
		if got := e.get(t, loc); !bytes.Equal(got, page) {
			t.Error("a stale revision 1 rewrote the revised page")
		}
		if diff := cmp.Diff([]int{1, 2}, revisions(e.published(t, id))); diff != "" {
			t.Errorf("published revisions after stale r1 (-want +got):\n%s", diff)
		}
	})
}

// TestUpdateNoteShowsWhenTheRevisionWasPublished: a revision's 更新 note
// shows when that revision went live, while 转载时间 keeps the first
// republication, which timeliness is measured by.
func TestUpdateNoteShowsWhenTheRevisionWasPublished(t *testing.T) {
	e := newEnv(t)
	firstAt := time.Date(2026, 9, 1, 3, 30, 0, 0, time.UTC)
	e.sink.now = func() time.Time { return firstAt }
	e.handle(t, e.archivedEvent(t, 1, 1, "省人民政府关于印发方案的通知", "第一版。"))
	revisedAt := firstAt.Add(26 * time.Hour) // 2026-09-02 13:30 in Beijing
	e.sink.now = func() time.Time { return revisedAt }
	r2 := e.archivedEvent(t, 1, 2, "省人民政府关于印发方案的通知", "第二版。")
	e.handle(t, r2)

	page := e.get(t, render.ArticlePath(&render.Article{Item: *r2.Item}))
	m := regexp.MustCompile(`<p class="update-note">([^<]*)</p>`).FindSubmatch(page)
	if m == nil {
		t.Fatal("revised page has no update note")
	}
	if got, want := string(m[1]), "更新：2026年09月02日 13:30（第2版）"; got != want {
		t.Errorf("update note %q, want %q", got, want)
	}
	if !regexp.MustCompile(`转载时间</th><td>2026年09月01日 11:30<`).Match(page) {
		t.Errorf("转载时间 should stay at the first republication, 2026年09月01日 11:30")
	}
}

// reArticleLink finds links to article pages in an index.
var reArticleLink = regexp.MustCompile(`t\d{8}_([0-9a-f]{32})\.html`)

func TestIndexerListsEachArticleOnce(t *testing.T) {
	e := newEnv(t)
	x := NewIndexer(e.docroot, e.bus, e.render, zerolog.Nop())
	x.Settle = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- x.Run(ctx) }()

	var ids []string
	for n := 1; n <= 3; n++ {
		ev := e.archivedEvent(t, n, 1, fmt.Sprintf("关于第%d号生态文件的通知", n), "正文。")
		e.handle(t, ev)
		ids = append(ids, ev.ID)
	}
	// Revising an article must not list it twice.
	e.handle(t, e.archivedEvent(t, 2, 2, "关于第2号生态文件的通知（修订）", "正文已修订。"))

	want := map[string]int{ids[0]: 1, ids[1]: 1, ids[2]: 1}
	var index, feed []byte
	deadline := time.Now().Add(10 * time.Second)
	for {
		var ierr, ferr error
		index, ierr = e.docroot.Get(ctx, "zcwj/index.html")
		feed, ferr = e.docroot.Get(ctx, "feed.xml")
		// A rebuild writes the index before the feed: wait until both
		// show the last change.
		if ierr == nil && ferr == nil && bytes.Contains(index, []byte("（修订）")) && countLinks(index)[ids[2]] > 0 &&
			bytes.Contains(feed, []byte("（修订）")) && bytes.Contains(feed, []byte(render.EntryID(ids[2]))) {
			break
		}
		if ierr != nil && !errors.Is(ierr, blob.ErrNotFound) {
			t.Fatal(ierr)
		}
		if time.Now().After(deadline) {
			t.Fatalf("indexes not rebuilt within 10s: index err %v, feed err %v, links %v", ierr, ferr, countLinks(index))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if diff := cmp.Diff(want, countLinks(index)); diff != "" {
		t.Errorf("articles linked from zcwj/index.html (-want +got):\n%s", diff)
	}
	for _, id := range ids {
		if n := strings.Count(string(feed), render.EntryID(id)); n != 1 {
			t.Errorf("feed.xml has %d entries for %s, want 1", n, id)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Indexer.Run = %v, want nil", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Indexer.Run still running 2s after cancel")
	}
}

func countLinks(index []byte) map[string]int {
	counts := map[string]int{}
	for _, m := range reArticleLink.FindAllSubmatch(index, -1) {
		counts[string(m[1])]++
	}
	return counts
}

// TestAttachmentsComeFromTheArchive: the copy on the site is the archive's
// (the claim the crawler stored is deleted once archived). An attachment
// the archive lacks is a transient failure that names the archive; bytes
// that are not the ones the item records are refused for good. Neither
// publishes the article.
func TestAttachmentsComeFromTheArchive(t *testing.T) {
	e := newEnv(t)
	ev := e.archivedEvent(t, 7, 1, "关于印发方案的通知", "正文")
	a := ev.Item.Attachments[0]
	e.handle(t, ev)
	if got, want := e.get(t, "attachments/"+a.SHA256+".pdf"), e.getArchive(t, a.ArchiveKey); !bytes.Equal(got, want) {
		t.Errorf("site copy %q, archive %q", got, want)
	}

	missing := e.archivedEvent(t, 8, 1, "关于印发另一方案的通知", "正文")
	missing.Item.Attachments[0].SHA256 = sha256Hex([]byte("never archived"))
	missing.Item.Attachments[0].ArchiveKey = "attachments/" + missing.Item.Attachments[0].SHA256
	err := e.sink.Handle(context.Background(), missing, 1)
	if err == nil || syndicator.IsPermanent(err) || !strings.Contains(err.Error(), "archive") {
		t.Errorf("Handle with the attachment missing from the archive = %v, want a transient error naming the archive", err)
	}

	other := e.archivedEvent(t, 9, 1, "关于印发第三方案的通知", "正文")
	other.Item.Attachments[0].SHA256 = sha256Hex([]byte("what the crawler downloaded"))
	if err := e.sink.Handle(context.Background(), other, 1); !syndicator.IsPermanent(err) {
		t.Errorf("Handle with archived bytes of another digest = %v, want a permanent error", err)
	}
	for _, ev := range []*syndicator.Event{missing, other} {
		if found, err := e.bus.GetState(context.Background(), syndicator.BucketSite, ev.ID, &record{}); err != nil || found {
			t.Errorf("%s recorded as published (found %v, err %v)", ev.Item.Title, found, err)
		}
	}
}

func (e *env) getArchive(t *testing.T, key string) []byte {
	t.Helper()
	data, err := e.archive.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("archive %s: %v", key, err)
	}
	return data
}
