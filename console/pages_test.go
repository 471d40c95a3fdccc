package console

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/crawler"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/readmodel"
	"github.com/rs/zerolog"
)

// stateKV is the crawl states of the sources, as the console reads them
// from synd_sources; nothing else is stored.
type stateKV map[string]crawler.SourceState

func (kv stateKV) PutState(context.Context, string, string, any) error {
	return errors.New("the pages test changes nothing")
}

func (kv stateKV) EachState(_ context.Context, bucket, _ string, fn func(key string, value []byte) error) error {
	if bucket != syndicator.BucketSources {
		return nil
	}
	for _, key := range slices.Sorted(maps.Keys(kv)) {
		b, err := json.Marshal(kv[key])
		if err != nil {
			return err
		}
		if err := fn(key, b); err != nil {
			return err
		}
	}
	return nil
}

// The items of the pages test: Guiyang's site was redesigned, so its
// newest item was read by the generic readers (extracted_by fallback);
// gov.cn's second item was read so at first, and its revision by the
// rules again.
const (
	pageFallback = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1" // guiyang, read by the fallback, published
	pagePlain    = "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2" // guiyang, read by its rules
	pageGov      = "c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3" // gov.cn, read by its rules
	pageFixed    = "d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4" // gov.cn, revision 1 by the fallback, 2 by the rules
)

// pagesNow is the console's clock in the pages test.
var pagesNow = time.Date(2026, 9, 3, 10, 0, 0, 0, syndicator.Shanghai)

// pagesConsole is a console over a read model holding the pages test's
// items, with Guiyang degraded, and an operator's session on it.
func pagesConsole(t *testing.T) (http.Handler, string) {
	t.Helper()
	ctx := context.Background()
	st, err := readmodel.Open(ctx, filepath.Join(t.TempDir(), "readmodel.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	at := time.Date(2026, 9, 1, 9, 0, 0, 0, syndicator.Shanghai)
	var msgs []readmodel.Msg
	add := func(ev syndicator.Event) {
		t.Helper()
		ev.V = syndicator.EventVersion
		data, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, readmodel.Msg{Stream: natsbus.StreamEvents, Seq: uint64(len(msgs) + 1), Subject: ev.Subject(), Data: data})
	}
	item := func(id, source string, level syndicator.Level, title, docNo, body string, published time.Time, rev int, fallback bool) *syndicator.Item {
		it := &syndicator.Item{ID: id, Source: source, Level: level, URL: "https://" + source + ".example.gov.cn/" + id[:8] + ".html",
			Title: title, DocNumber: docNo, Issuer: "人民政府", PublishedAt: published, PublishedPrecision: syndicator.PrecisionMinute,
			Validity: syndicator.ValidityEffective, BodyText: body, BodyHTML: "<p>" + body + "</p>",
			ContentSHA256: strings.Repeat(string(rune('0'+rev)), 64), Revision: rev,
			FetchedAt: published.Add(time.Hour), DiscoveredAt: published.Add(time.Hour)}
		if fallback {
			it.ExtractedBy = syndicator.ExtractedByFallback
		}
		add(syndicator.Event{Kind: map[bool]syndicator.Kind{true: syndicator.KindDiscovered, false: syndicator.KindRevised}[rev == 1],
			ID: id, Revision: rev, Source: source, At: it.DiscoveredAt.Add(time.Duration(rev-1) * time.Hour), Item: it})
		return it
	}
	decided := func(id, source string, class syndicator.Class, when time.Time) {
		add(syndicator.Event{Kind: syndicator.KindDecided, ID: id, Revision: 1, Source: source, At: when,
			Decision: &syndicator.Decision{Step: syndicator.StepRules, Class: class, Rule: "政策文件", Publish: true, Column: "zcwj"}})
	}
	item(pagePlain, "guiyang-gfxwj", syndicator.LevelMunicipal, "贵阳市人民政府关于印发贵阳市城市管理办法的通知", "筑府发〔2026〕7号", "各区（市、县）人民政府：现将办法印发给你们。", at, 1, false)
	decided(pagePlain, "guiyang-gfxwj", syndicator.ClassTimely, at.Add(2*time.Hour))
	item(pageGov, "govcn-zuixin", syndicator.LevelNational, "国务院办公厅关于做好秋冬季大气污染防治工作的通知", "国办发〔2026〕30号", "各省、自治区、直辖市人民政府：做好秋冬季大气污染防治工作。", at.Add(24*time.Hour), 1, false)
	decided(pageGov, "govcn-zuixin", syndicator.ClassSync, at.Add(26*time.Hour))
	item(pageFixed, "govcn-zuixin", syndicator.LevelNational, "国务院关于修改部分行政法规的决定", "国令第800号", "为依法推进改革，国务院决定修改部分行政法规。", at.Add(30*time.Hour), 1, true)
	item(pageFixed, "govcn-zuixin", syndicator.LevelNational, "国务院关于修改部分行政法规的决定", "国令第800号", "为依法推进改革，国务院决定修改和废止部分行政法规。", at.Add(30*time.Hour), 2, false)
	fb := item(pageFallback, "guiyang-gfxwj", syndicator.LevelMunicipal, "贵阳市人民政府办公厅关于加强河湖长制工作的通知", "", "各区（市、县）人民政府：为加强河湖长制工作，现通知如下。", at.Add(40*time.Hour), 1, true)
	decided(pageFallback, "guiyang-gfxwj", syndicator.ClassTimely, fb.DiscoveredAt.Add(time.Minute))
	add(syndicator.Event{Kind: syndicator.KindPublished, ID: pageFallback, Revision: 1, Source: "guiyang-gfxwj", Sink: "site", At: fb.DiscoveredAt.Add(2 * time.Minute), Location: "zcwj/2026/09/" + pageFallback[:8] + ".html"})
	if skipped, err := st.Apply(ctx, msgs); err != nil || skipped != nil {
		t.Fatalf("read model: %v (%v)", err, skipped)
	}

	kv := stateKV{
		"guiyang-gfxwj": {Source: "guiyang-gfxwj", State: crawler.HealthDegraded, LastPoll: pagesNow.Add(-5 * time.Minute), LastOK: pagesNow.Add(-5 * time.Minute),
			Listed: 20, New: 1, Reason: "1 条详情页上来源的选择器已不匹配（div.TRS_Editor），正文或元数据改由通用识别读取并已照常发布（extracted_by: fallback）：网站可能改版，请用 source test 检查 detail 规则"},
		"govcn-zuixin": {Source: "govcn-zuixin", State: crawler.HealthOK, LastPoll: pagesNow.Add(-3 * time.Minute), LastOK: pagesNow.Add(-3 * time.Minute), Listed: 20},
	}
	c, err := New(Deps{
		Index: st,
		Live: func() Live {
			return Live{
				Sources: []config.Source{
					{ID: "govcn-zuixin", Name: "中国政府网 最新政策", Level: "national", Preset: "govcn-zuixin", Interval: 15 * time.Minute},
					{ID: "guiyang-gfxwj", Name: "贵阳市人民政府 规范性文件", Level: "municipal", Preset: "guiyang-gfxwj", Interval: 15 * time.Minute},
				},
				Columns: []config.Column{{ID: "zcwj", Name: "政策文件"}},
				Tokens:  []config.Token{{Name: "值班员", Role: "operator", Token: config.NewSecret(operatorToken)}},
			}
		},
		KV:  kv,
		Now: func() time.Time { return pagesNow },
		Log: zerolog.Nop(),
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /console/items", c.Guard(c.Items, false))
	mux.Handle("GET /console/items/{id}", c.Guard(c.Item, false))
	mux.Handle("GET /console/sources", c.Guard(c.Sources, false))
	mux.Handle("GET /console/sources/{id}", c.Guard(c.Source, false))
	return mux, c.ses.create(User{Name: "值班员", Role: "operator"})
}

// getMain is the page at path's <main>, without what the layout holds
// (the navigation, the sign-out form), and with the session's CSRF token
// in its forms replaced by "(csrf)".
func getMain(t *testing.T, h http.Handler, session, path string) string {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: session})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body := rec.Body.String()
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", path, rec.Code, body)
	}
	start, end := strings.Index(body, `<main id="main">`), strings.Index(body, "</main>")
	if start < 0 || end < start {
		t.Fatalf("GET %s: no <main>\n%s", path, body)
	}
	return csrfValue.ReplaceAllString(body[start:end+len("</main>")], `name="csrf" value="(csrf)"`) + "\n"
}

// csrfValue is the session's CSRF token in a form, new in every run.
var csrfValue = regexp.MustCompile(`name="csrf" value="[^"]*"`)

// pageGoldens are the pages of the pages test whose <main> is kept in
// testdata/pages/<name>.golden.
var pageGoldens = []struct{ name, path string }{
	{"items", "/console/items"},
	{"items-fallback", "/console/items?extracted_by=fallback"},
	{"item-fallback", "/console/items/" + pageFallback},
	{"item-fixed", "/console/items/" + pageFixed},
	{"item-plain", "/console/items/" + pagePlain},
	{"sources", "/console/sources"},
	{"source-degraded", "/console/sources/guiyang-gfxwj"},
}

// TestPagesGolden renders the items, an item, the sources and a source
// over a read model and compares each page's <main> with its golden file
// (go test ./console -run TestPagesGolden -update rewrites them; read the
// diff before committing it).
func TestPagesGolden(t *testing.T) {
	h, session := pagesConsole(t)
	for _, p := range pageGoldens {
		t.Run(p.name, func(t *testing.T) {
			got := getMain(t, h, session, p.path)
			golden := filepath.Join("testdata/pages", p.name+".golden")
			if *updateGoldens {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if want := readTestFile(t, golden); got != want {
				t.Errorf("GET %s differs from %s (go test ./console -run TestPagesGolden -update rewrites it):\ngot\n%s\nwant\n%s", p.path, golden, got, want)
			}
		})
	}
}

// TestFallbackItemsInConsole: the console says which items the generic
// readers read (extracted_by fallback), lists only those on request and
// counts them per source; items the rules read carry no such word.
func TestFallbackItemsInConsole(t *testing.T) {
	h, session := pagesConsole(t)
	get := func(path string) string { t.Helper(); return getMain(t, h, session, path) }
	const line = "通用识别</strong>（来源的选择器未匹配，正文或元数据由通用识别读取）"

	page := get("/console/items/" + pageFallback)
	for _, want := range []string{"<dt>提取方式</dt>", line, `<a href="/console/sources/guiyang-gfxwj">查看来源 贵阳市人民政府 规范性文件 的健康状况</a>`} {
		if !strings.Contains(page, want) {
			t.Errorf("the item read by the fallback does not say %q\n%s", want, page)
		}
	}
	page = get("/console/items/" + pageFixed)
	if want := "第 2 版按来源的选择器读取；第 1 版曾由通用识别读取"; !strings.Contains(page, want) || strings.Contains(page, line) {
		t.Errorf("the item whose first revision the fallback read: want %q, and not the current revision's line\n%s", want, page)
	}
	for _, id := range []string{pagePlain, pageGov} {
		if page := get("/console/items/" + id); strings.Contains(page, "提取方式") || strings.Contains(page, "通用识别") {
			t.Errorf("item %s, read by its source's rules, mentions the fallback\n%s", id, page)
		}
	}

	rows := func(page string) []string {
		return regexp.MustCompile(`<tr><td><a href="/console/items/([0-9a-f]{32})">`).FindAllString(page, -1)
	}
	all, only := get("/console/items"), get("/console/items?extracted_by=fallback")
	if n := len(rows(all)); n != 4 || strings.Count(all, `class="tag"`) != 1 {
		t.Errorf("the items: %d rows, %d marked 通用识别; want 4 and 1\n%s", n, strings.Count(all, `class="tag"`), all)
	}
	if r := rows(only); len(r) != 1 || !strings.Contains(r[0], pageFallback) || !strings.Contains(only, "共 1 条") {
		t.Errorf("?extracted_by=fallback lists %v, want the fallback item alone\n%s", r, only)
	}
	if !strings.Contains(only, `value="fallback" checked> <label for="extracted_by">仅看通用识别读取的条目</label>`) ||
		strings.Contains(all, `value="fallback" checked`) {
		t.Error("the filter's checkbox does not show whether it is on")
	}
	if r := rows(get("/console/items?extracted_by=fallback&source=govcn-zuixin")); len(r) != 0 {
		t.Errorf("gov.cn's items read by the fallback now: %v, want none (its revision was read by the rules)", r)
	}
	if bad := get("/console/items?extracted_by=rules"); !strings.Contains(bad, "提取方式只能筛选 fallback") || len(rows(bad)) != 0 {
		t.Errorf("an unknown extracted_by is not refused\n%s", bad)
	}

	sources := get("/console/sources")
	if !strings.Contains(sources, `通用识别<span class="sr-only">读取的条目</span></th>`) ||
		!strings.Contains(sources, `<a href="/console/items?source=guiyang-gfxwj&amp;extracted_by=fallback">1 条</a>`) ||
		!strings.Contains(sources, `<td class="num nw">0</td>`) {
		t.Errorf("the sources page does not count the items read by the fallback (Guiyang 1, gov.cn 0)\n%s", sources)
	}
	if src := get("/console/sources/guiyang-gfxwj"); !strings.Contains(src, `<dt>通用识别读取的条目</dt><dd><a href="/console/items?source=guiyang-gfxwj&amp;extracted_by=fallback">1 条</a>`) {
		t.Errorf("the source page does not count its items read by the fallback\n%s", src)
	}
	if src := get("/console/sources/govcn-zuixin"); !strings.Contains(src, "<dt>通用识别读取的条目</dt><dd>0 条</dd>") {
		t.Errorf("gov.cn's page does not say none of its items is read by the fallback\n%s", src)
	}
}
