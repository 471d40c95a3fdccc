package sim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
)

var testStart = time.Date(2026, 9, 1, 10, 0, 0, 0, shanghai())

// hook collects what OnPublish sees.
type hook struct {
	mu  sync.Mutex
	got []Release
}

func (h *hook) add(r Release) {
	h.mu.Lock()
	h.got = append(h.got, r)
	h.mu.Unlock()
}

func (h *hook) seen() []Release {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.got)
}

// lifecycleSite builds a site with the hook installed.
func lifecycleSite(seed int64, sites ...string) (*Site, *hook) {
	h := &hook{}
	s := New(Options{Seed: seed, Items: 24, PublishEvery: time.Hour, Start: testStart, LargeEvery: -1, Sites: sites, OnPublish: h.add})
	return s, h
}

// jsonTop returns the URL of the first row of a gov.cn JSON list.
func jsonTop(t *testing.T, url string) string {
	t.Helper()
	var rows []jsonRow
	if err := json.Unmarshal(getOK(t, url), &rows); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	if len(rows) == 0 {
		t.Fatalf("%s: no rows", url)
	}
	return rows[0].URL
}

// inForce returns the k-th newest release of col that is in force.
func inForce(t *testing.T, s *Site, col column, k int) Release {
	t.Helper()
	for _, r := range releasesOf(s, col.slug) {
		if r.RepealedBy == "" && (r.Validity == "" || r.Validity == "有效") {
			if k == 0 {
				return r
			}
			k--
		}
	}
	t.Fatalf("too few releases in force in %s", col.slug)
	return Release{}
}

// trsInfo reads the disclosure box, ArticleInfo and body of a TRS page.
func trsInfo(doc *goquery.Document) (map[string]string, []string) {
	got := map[string]string{"ContentSource": meta(doc, "ContentSource"), "ArticleTitle": meta(doc, "ArticleTitle")}
	doc.Find("div.Xxgk_Info li, div.ArticleInfo span").Each(func(_ int, li *goquery.Selection) {
		if label, value, ok := splitLabel(li.Text()); ok {
			got[label] = value
		}
	})
	return got, paragraphs(doc.Find("#Zoom"))
}

func TestPublishGovDoc(t *testing.T) {
	t.Parallel()
	s, h := lifecycleSite(5, GovCNAll, Guizhou)
	srv := serve(t, s)
	r := s.PublishGovDoc()

	if !regexp.MustCompile(`^国发〔2026〕\d+号$`).MatchString(r.DocNumber) || r.Issuer != "国务院" || r.Column != colZuixin.slug {
		t.Errorf("number %q, issuer %q, column %s; want a 国发 document of 国务院 in 最新政策", r.DocNumber, r.Issuer, r.Column)
	}
	if want := testStart.Add(time.Hour); !r.PublishedAt.Equal(want) {
		t.Errorf("published at %s, want %s", r.PublishedAt, want)
	}
	if diff := cmp.Diff([]string{gwywjList}, r.AlsoListed); diff != "" {
		t.Errorf("also listed (-want +got):\n%s", diff)
	}
	for _, list := range []string{govcnList, gwywjList} {
		if top := jsonTop(t, srv.URL+list); top != srv.URL+r.Path {
			t.Errorf("top of %s is %s, want %s", list, top, r.Path)
		}
	}
	doc := parse(t, getOK(t, srv.URL+r.Path))
	cells := bd1(doc)
	if cells["发文字号"] != r.DocNumber || cells["发文机关"] != "国务院" || cells["标题"] != r.Title {
		t.Errorf("table.bd1 %v does not match %s %s", cells, r.DocNumber, r.Title)
	}
	if diff := cmp.Diff(r.Body, paragraphs(doc.Find("#UCAP-CONTENT").First())); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Release{r}, h.seen()); diff != "" {
		t.Errorf("OnPublish saw (-want +got):\n%s", diff)
	}
	// Publish keeps its turns: gov.cn, then Guizhou, on the next ticks.
	for i, want := range []string{colZuixin.slug, colQFF.slug} {
		p := s.Publish()
		if p.Column != want || !p.PublishedAt.Equal(testStart.Add(time.Duration(i+2)*time.Hour)) {
			t.Errorf("Publish %d: %s at %s, want %s at tick %d", i+1, p.Column, p.PublishedAt, want, i+2)
		}
	}

	none, nh := lifecycleSite(5, Guizhou)
	if r := none.PublishGovDoc(); r.Path != "" || len(nh.seen()) != 0 {
		t.Errorf("without gov.cn PublishGovDoc published %q", r.Path)
	}
}

func TestReprintOnGuizhou(t *testing.T) {
	t.Parallel()
	s, h := lifecycleSite(6, GovCN, Guizhou)
	srv := serve(t, s)
	listURL := srv.URL + guizhouGWYWJ
	if rows := readList(t, listURL, getOK(t, listURL)); len(rows) != 0 {
		t.Fatalf("the 国务院文件 list starts with %d rows", len(rows))
	}
	var orig Release
	for _, r := range releasesOf(s, colZuixin.slug) {
		if len(r.Attachments) > 0 {
			orig = r
			break
		}
	}
	if orig.Path == "" {
		t.Fatal("no gov.cn release with attachments: pick another seed")
	}
	r, err := s.Reprint(Guizhou, orig.Path)
	if err != nil {
		t.Fatal(err)
	}
	if r.Site != Guizhou || r.Column != colGZGWYWJ.slug || r.List != guizhouGWYWJ || r.SameAs != orig.Path || r.Origin != "中国政府网" {
		t.Errorf("reprint %s in %s (%s), same as %s, 来源 %s", r.Site, r.Column, r.List, r.SameAs, r.Origin)
	}
	if r.Title != orig.Title || r.DocNumber != orig.DocNumber || r.Issuer != orig.Issuer || !r.WrittenAt.Equal(orig.WrittenAt) {
		t.Errorf("reprint %q %s %s %s differs from %q %s %s %s", r.Title, r.DocNumber, r.Issuer, r.WrittenAt,
			orig.Title, orig.DocNumber, orig.Issuer, orig.WrittenAt)
	}
	rows := readList(t, listURL, getOK(t, listURL))
	if len(rows) != 1 || rows[0].URL != srv.URL+r.Path || rows[0].Title != r.Title {
		t.Fatalf("list rows %+v, want the reprint %s", rows, r.Path)
	}
	body := getOK(t, listURL)
	nav := links(t, listURL, parse(t, body).Find("div.LeftNav"))
	for _, href := range nav {
		if !strings.HasPrefix(href, srv.URL+guizhouBase) {
			t.Errorf("side link %s is outside 省政府文件", href)
		}
	}
	if !slices.Contains(nav, srv.URL+colQFF.list) {
		t.Errorf("side links %v miss 黔府发", nav)
	}

	doc := parse(t, getOK(t, srv.URL+r.Path))
	got, paras := trsInfo(doc)
	want := map[string]string{
		"ContentSource": "中国政府网", "ArticleTitle": orig.Title, "索引号": r.IndexNumber, "信息分类": `政策文件\国务院文件`,
		"发布机构": "国务院", "生成日期": orig.WrittenAt.Format("2006-01-02"), "公开方式": "主动公开", "公开范围": "全部公开",
		"公开时限": "长期公开", "信息名称": orig.Title, "有效性": "有效", "文号": orig.DocNumber,
		"发布时间": r.PublishedAt.Format("2006-01-02 15:04"), "来源": "中国政府网",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("metadata (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(orig.Body, paras); diff != "" {
		t.Errorf("body differs from the original (-want +got):\n%s", diff)
	}
	for i, a := range r.Attachments {
		if a.Path == orig.Attachments[i].Path || !bytes.Equal(getOK(t, srv.URL+a.Path), getOK(t, srv.URL+orig.Attachments[i].Path)) {
			t.Errorf("attachment %d at %s is not a copy of %s", i, a.Path, orig.Attachments[i].Path)
		}
	}
	if diff := cmp.Diff([]Release{r}, h.seen()); diff != "" {
		t.Errorf("OnPublish saw (-want +got):\n%s", diff)
	}

	qff := releasesOf(s, colQFF.slug)[0]
	for name, call := range map[string]func() error{
		"twice":          func() error { _, err := s.Reprint(Guizhou, orig.Path); return err },
		"own document":   func() error { _, err := s.Reprint(Guizhou, qff.Path); return err },
		"a reprint":      func() error { _, err := s.Reprint(Guizhou, r.Path); return err },
		"no such path":   func() error { _, err := s.Reprint(Guizhou, "/govcn/nowhere.htm"); return err },
		"guiyang absent": func() error { _, err := s.Reprint(Guiyang, orig.Path); return err },
		"county":         func() error { _, err := s.Reprint(County, orig.Path); return err },
	} {
		if call() == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if n := len(h.seen()); n != 1 {
		t.Errorf("failed reprints published: OnPublish called %d times", n)
	}
}

func TestReprintOnGuiyang(t *testing.T) {
	t.Parallel()
	s, h := lifecycleSite(7, GovCN, Guizhou, Guiyang)
	srv := serve(t, s)
	orig := releasesOf(s, colQFBF.slug)[0]
	r, err := s.Reprint(Guiyang, orig.Path)
	if err != nil {
		t.Fatal(err)
	}
	if r.Column != colGuiyang.slug || r.Origin != "贵州省人民政府" || r.SameAs != orig.Path || r.Title != orig.Title {
		t.Errorf("Guiyang reprint %+v", r)
	}
	pageURL := srv.URL + guiyangList
	if rows := readList(t, pageURL, getOK(t, pageURL)); rows[0].URL != srv.URL+r.Path {
		t.Errorf("top of the Guiyang list is %s, want %s", rows[0].URL, r.Path)
	}
	_, paras := trsInfo(parse(t, getOK(t, srv.URL+r.Path)))
	if diff := cmp.Diff(orig.Body, paras); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Release{r}, h.seen()); diff != "" {
		t.Errorf("OnPublish saw (-want +got):\n%s", diff)
	}
}

func TestInterpret(t *testing.T) {
	t.Parallel()
	s, h := lifecycleSite(9, GovCNAll)
	srv := serve(t, s)
	doc := s.PublishGovDoc()
	r, err := s.Interpret(doc.Path)
	if err != nil {
		t.Fatal(err)
	}
	if r.Column != colJiedu.slug || r.Interprets != doc.Path || r.DocNumber != "" || !r.PublishedAt.After(doc.PublishedAt) {
		t.Errorf("interpretation %+v", r)
	}
	if top := jsonTop(t, srv.URL+jieduList); top != srv.URL+r.Path {
		t.Errorf("top of the 政策解读 list is %s, want %s", top, r.Path)
	}
	pageURL := srv.URL + r.Path
	page := parse(t, getOK(t, pageURL))
	if got := links(t, pageURL, page.Find("div.jiedu-blk")); len(got) != 1 || got[0] != srv.URL+doc.Path {
		t.Errorf("相关文件 links %v, want %s", got, doc.Path)
	}
	quoted := "《" + strings.NewReplacer("《", "〈", "》", "〉").Replace(doc.Title) + "》"
	if page.Find("h1#ti").Text() != r.Title || !strings.Contains(r.Title, quoted) {
		t.Errorf("h1#ti %q, title %q does not quote %s", page.Find("h1#ti").Text(), r.Title, quoted)
	}
	if diff := cmp.Diff([]Release{doc, r}, h.seen()); diff != "" {
		t.Errorf("OnPublish saw (-want +got):\n%s", diff)
	}
	if _, err := s.Interpret(r.Path); err == nil {
		t.Error("interpreting a 政策解读: no error")
	}
	plain, _ := lifecycleSite(9, GovCN, Guizhou)
	if _, err := plain.Interpret(releasesOf(plain, colZuixin.slug)[0].Path); err == nil {
		t.Error("interpreting without govcn-all: no error")
	}
	if _, err := plain.Interpret(releasesOf(plain, colQFF.slug)[0].Path); err == nil {
		t.Error("interpreting a Guizhou document: no error")
	}
}

// lifecycleScenario calls every lifecycle method once on s.
func lifecycleScenario(t *testing.T, s *Site) {
	t.Helper()
	doc := s.PublishGovDoc()
	steps := []func() (Release, error){
		func() (Release, error) { return s.Reprint(Guizhou, doc.Path) },
		func() (Release, error) { return s.Reprint(Guiyang, doc.Path) },
		func() (Release, error) { return s.Interpret(doc.Path) },
		func() (Release, error) {
			return s.RepealAndExpire(Guizhou, []string{inForce(t, s, colQFF, 3).Path}, []string{inForce(t, s, colQFBF, 2).Path})
		},
		func() (Release, error) { return s.Revise(releasesOf(s, colQFBF.slug)[0].Path) },
		func() (Release, error) {
			return s.Publish(), s.Remove(releasesOf(s, colZuixin.slug)[4].Path, http.StatusGone)
		},
	}
	for i, step := range steps {
		if _, err := step(); err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
	}
}

func TestLifecycleDeterministic(t *testing.T) {
	t.Parallel()
	a, ha := lifecycleSite(12, AllSites()...)
	b, hb := lifecycleSite(12, AllSites()...)
	lifecycleScenario(t, a)
	lifecycleScenario(t, b)
	if diff := cmp.Diff(a.Releases(), b.Releases()); diff != "" {
		t.Fatalf("releases differ for the same seed (-a +b):\n%s", diff)
	}
	if diff := cmp.Diff(ha.seen(), hb.seen()); diff != "" {
		t.Errorf("OnPublish differs (-a +b):\n%s", diff)
	}
	if n := len(ha.seen()); n != 6 { // PublishGovDoc, 2 reprints, 解读, decision, Publish
		t.Errorf("OnPublish called %d times, want 6", n)
	}
	paths := a.Paths()
	if diff := cmp.Diff(paths, b.Paths()); diff != "" {
		t.Fatalf("paths differ (-a +b):\n%s", diff)
	}
	for _, p := range paths {
		ba, _, _ := a.Body("h", p)
		bb, _, _ := b.Body("h", p)
		if !bytes.Equal(ba, bb) {
			t.Errorf("%s: bytes differ for the same seed", p)
		}
	}
	c, _ := lifecycleSite(13, AllSites()...)
	lifecycleScenario(t, c)
	if cmp.Equal(a.Releases()[:6], c.Releases()[:6]) {
		t.Error("another seed gives the same lifecycle releases")
	}
}

func TestLifecycleConcurrent(t *testing.T) {
	t.Parallel()
	s, h := lifecycleSite(14, AllSites()...)
	srv := serve(t, s)
	docs := releasesOf(s, colZuixin.slug)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for k := range 5 {
				switch k % 3 {
				case 0:
					s.PublishGovDoc()
				case 1:
					s.Publish()
				default:
					if _, err := s.Revise(docs[i].Path); err != nil {
						t.Error(err)
					}
				}
				for _, p := range []string{docs[i].Path, guizhouGWYWJ} {
					resp, err := http.Get(srv.URL + p) // not get: no t.Fatal off the test goroutine
					if err != nil || resp.StatusCode != http.StatusOK {
						t.Errorf("GET %s: %v %v", p, resp, err)
					}
					if err == nil {
						resp.Body.Close()
					}
				}
			}
		})
	}
	wg.Go(func() {
		for _, d := range docs[4:8] {
			if _, err := s.Reprint(Guizhou, d.Path); err != nil {
				t.Error(err)
			}
		}
	})
	wg.Wait()
	if got, want := len(h.seen()), 4*(2+2)+4; got != want {
		t.Errorf("OnPublish called %d times, want %d", got, want)
	}
	seen := map[string]bool{}
	for _, r := range s.Releases() {
		if seen[r.Path] {
			t.Errorf("%s published twice", r.Path)
		}
		seen[r.Path] = true
	}
}
