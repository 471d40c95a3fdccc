package extract_test

import (
	"cmp"
	"errors"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/crawler/extract"
	"github.com/gyeco/syndicator/syndicator"
)

// TestPresetsReadGovsim runs each built-in preset's rules, unchanged, over
// every list govsim serves for it (all pages) and compares the entries with
// the releases govsim lists there, and every field extracted from each
// detail page with govsim's ground truth.
func TestPresetsReadGovsim(t *testing.T) {
	// Every 40th release of a site is large (1.5 MB): a few per site keep
	// large pages covered without making -race runs slow.
	site := sim.New(sim.Options{Seed: 21, Items: 50, LargeEvery: 40, Sites: sim.AllSites()})
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close) // after the parallel subtests
	host := strings.TrimPrefix(srv.URL, "http://")

	tests := []struct {
		preset string
		base   string // path prefix of the site on govsim (base_url = srv.URL + base)
	}{
		{"govcn-zuixin", "/govcn"},
		{"govcn-gwywj", "/govcn"},
		{"govcn-bmwj", "/govcn"},
		{"govcn-jiedu", "/govcn"},
		{"guizhou-szfwj", "/guizhou"},
		{"guiyang-gfxwj", "/guiyang"},
	}
	ext := extract.New(nil)
	for _, tt := range tests {
		t.Run(tt.preset, func(t *testing.T) {
			t.Parallel() // large bodies make each subtest slow under -race
			p := config.Presets()[tt.preset]
			// The releases govsim lists on the preset's lists, by detail URL.
			want := map[string]sim.Release{}
			firsts := map[string]bool{}
			for _, l := range p.List.URLs {
				firsts[tt.base+l] = true
			}
			for _, r := range site.Releases() {
				for _, l := range append([]string{r.List}, r.AlsoListed...) {
					if firsts[l] {
						want[srv.URL+r.Path] = r
					}
				}
			}
			if len(want) == 0 {
				t.Fatal("govsim lists no release for this preset")
			}
			seen := map[string]bool{}
			for _, l := range p.List.URLs {
				first, _ := url.Parse(srv.URL + tt.base + l)
				for n := 0; ; n++ {
					pageURL := extract.NextPageURL(first, n)
					body, ctype, ok := site.Body(host, pageURL.Path)
					if !ok {
						if n == 0 {
							t.Fatalf("govsim does not serve %s", pageURL.Path)
						}
						break
					}
					entries, err := extract.List(body, ctype, pageURL, p.List)
					if err != nil {
						t.Fatalf("list %s: %v", pageURL.Path, err)
					}
					if len(entries) == 0 {
						t.Errorf("list %s: no entries: %s", pageURL.Path, extract.ListDiagnose(body, ctype, pageURL, p.List))
					}
					for _, e := range entries {
						r, ok := want[e.URL]
						switch {
						case !ok:
							t.Errorf("list %s yields %s, which govsim does not list there (filter failed)", pageURL.Path, e.URL)
							continue
						case seen[e.URL]:
							continue
						}
						seen[e.URL] = true
						if e.Title != r.Title {
							t.Errorf("%s: list title %q, want %q", r.Path, e.Title, r.Title)
						}
						checkDetail(t, ext, site, host, srv.URL, r, p.Detail)
					}
					if p.List.Kind != config.KindHTML {
						break // one JSON file holds the whole list
					}
				}
			}
			for u, r := range want {
				if !seen[u] {
					t.Errorf("%s (%s) is listed by govsim but not found", r.Path, r.List)
				}
			}
		})
	}
}

func checkDetail(t *testing.T, ext *extract.Extractor, site *sim.Site, host, base string, r sim.Release, rule config.DetailRule) {
	t.Helper()
	body, ctype, _ := site.Body(host, r.Path)
	pageURL, _ := url.Parse(base + r.Path)
	p, err := ext.Detail(body, ctype, pageURL, rule)
	if err != nil {
		t.Fatalf("%s: %v", r.Path, err)
	}
	if len(p.Missing) > 0 {
		t.Errorf("%s: missing %v (unmatched %v)", r.Path, p.Missing, p.Unmatched)
	}
	check := func(field, got, want string) {
		if got != want {
			t.Errorf("%s: %s = %q, want %q", r.Path, field, got, want)
		}
	}
	title := r.Title
	if r.Site != sim.GovCN {
		title = strings.TrimSuffix(title, "（"+r.DocNumber+"）")
	}
	if p.Title != title && p.Title != r.Title {
		t.Errorf("%s: title %q, want %q", r.Path, p.Title, r.Title)
	}
	check("doc_number", p.DocNumber, r.DocNumber)
	if r.DocNumber != "" {
		check("doc_key", p.DocKey, syndicator.DocKey(r.DocNumber))
	}
	check("index_number", p.IndexNumber, r.IndexNumber)
	check("issuer", p.Issuer, r.Issuer)
	check("subject", p.Subject, r.Subject)
	check("origin", p.Origin, r.Origin)
	check("doc_type", p.DocType, r.DocType)
	wantWritten := ""
	if !r.WrittenAt.IsZero() {
		wantWritten = r.WrittenAt.Format("2006-01-02")
	}
	check("written_at", p.WrittenAt, wantWritten)
	if !p.PublishedAt.Equal(r.PublishedAt) {
		t.Errorf("%s: published_at %v, want %v", r.Path, p.PublishedAt, r.PublishedAt)
	}
	wantPrec := syndicator.PrecisionMinute
	if r.Site == sim.GovCN {
		wantPrec = syndicator.PrecisionSecond
	}
	if p.PublishedPrecision != wantPrec {
		t.Errorf("%s: precision %s, want %s", r.Path, p.PublishedPrecision, wantPrec)
	}
	if r.Site == sim.GovCN && !p.ModifiedAt.Equal(r.ModifiedAt) {
		t.Errorf("%s: modified_at %v, want %v", r.Path, p.ModifiedAt, r.ModifiedAt)
	}
	if p.Validity != extract.ParseValidity(r.Validity) {
		t.Errorf("%s: validity %s, want %s", r.Path, p.Validity, extract.ParseValidity(r.Validity))
	}
	check("charset", p.Charset, cmp.Or(r.Charset, "utf-8"))
	if got, want := strings.Join(strings.Fields(p.BodyText), ""), strings.Join(strings.Fields(r.Text()), ""); got != want {
		t.Errorf("%s: body text differs (%d vs %d chars)", r.Path, len(got), len(want))
	}
	if len(p.Attachments) != len(r.Attachments) {
		t.Errorf("%s: %d attachments, want %d", r.Path, len(p.Attachments), len(r.Attachments))
	}
	for i := range min(len(p.Attachments), len(r.Attachments)) {
		if got, want := p.Attachments[i].URL, base+r.Attachments[i].Path; got != want {
			t.Errorf("%s: attachment %d at %s, want %s", r.Path, i, got, want)
		}
	}
}

// TestPresetsShape checks every preset's data: its level, its list URLs
// (DESIGN §4, sources.md §3.2, §4.2, §5), that its rules validate, and that
// its link pattern keeps detail pages under any mirror prefix and drops
// special topics and news.
func TestPresetsShape(t *testing.T) {
	want := map[string]struct {
		level string
		lists []string
	}{
		"govcn-zuixin": {"national", []string{"https://www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json"}},
		"govcn-gwywj":  {"national", []string{"https://www.gov.cn/zhengce/zhengceku/gwywj/TONGYONGGAILAN.json"}},
		"govcn-bmwj":   {"national", []string{"https://www.gov.cn/zhengce/zhengceku/bmwj/TONGYONGGAILAN.json"}},
		"govcn-jiedu":  {"national", []string{"https://www.gov.cn/zhengce/jiedu/ZCJD_QZ.json"}},
		"guizhou-szfwj": {"provincial", []string{
			"https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/szfl/", "https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qff/",
			"https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qfh/", "https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qfbf/",
			"https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qfbh/",
		}},
		"guiyang-gfxwj": {"municipal", []string{"https://www.guiyang.gov.cn/zwgk/zfxxgks/fdzdgknr/lzyj/gfxwj/szfgfxwj/"}},
	}
	presets := config.Presets()
	if len(presets) != len(want) {
		t.Errorf("presets %v, want %d", config.PresetNames(), len(want))
	}
	keep := map[string][]string{
		"govcn": {
			"/zhengce/content/202609/content_7080735.htm",       // Template A
			"/zhengce/zhengceku/202408/content_6966863.htm",     // 政策文件库
			"/zhengce/202609/content_7080400.htm",               // Template B
			"/zhengce/content/2014-12/01/content_9283.htm",      // old
			"/govcn/zhengce/content/202609/content_7080735.htm", // mirror prefix
		},
		"trs": {"/zwgk/zcfg/szfwj/qff/202510/t20251021_88713156.html", "/guiyang/zwgk/zfxxgks/fdzdgknr/lzyj/gfxwj/szfgfxwj/202509/t20250901_90000001.html"},
	}
	drop := map[string][]string{
		"govcn": {"/zhuanti/xxgc/index.htm", "/govcn/zhuanti/xxgcsjszqh/index.htm", "/govcn/yaowen/liebiao/202609/content_7080999.htm",
			"/xinwen/2026-09/11/content_7080998.htm", "/politics/20260910/abcdef/c.html", "/zhengce/zuixin/"},
		"trs": {"/zwgk/zcfg/szfwj/qff/index_1.html", "/zwgk/zcfg/szfwj/qff/", "/guizhou/zwgk/zcfg/szfwj/"},
	}
	for name, w := range want {
		t.Run(name, func(t *testing.T) {
			p, ok := presets[name]
			if !ok {
				t.Fatal("missing")
			}
			if p.Level != w.level {
				t.Errorf("level %q, want %q", p.Level, w.level)
			}
			var lists []string
			for _, u := range p.List.URLs {
				lists = append(lists, p.BaseURL+u)
			}
			if strings.Join(lists, " ") != strings.Join(w.lists, " ") {
				t.Errorf("list URLs %v, want %v", lists, w.lists)
			}
			if err := extract.ValidateList(p.List); err != nil {
				t.Error(err)
			}
			if err := extract.ValidateDetail(p.Detail); err != nil {
				t.Error(err)
			}
			family := "trs"
			if strings.HasPrefix(name, "govcn-") {
				family = "govcn"
			}
			re := regexp.MustCompile(p.List.LinkPattern)
			for _, path := range keep[family] {
				if !re.MatchString(path) {
					t.Errorf("link_pattern %q drops %s", p.List.LinkPattern, path)
				}
			}
			for _, path := range drop[family] {
				if re.MatchString(path) {
					t.Errorf("link_pattern %q keeps %s", p.List.LinkPattern, path)
				}
			}
		})
	}
}

// TestPresetsDiagnoseRedesign: when govsim redesigns a site's lists, the
// preset's list yields nothing, ListDiagnose names what stopped matching,
// and an override in the operator's vocabulary reads the new lists.
func TestPresetsDiagnoseRedesign(t *testing.T) {
	site := sim.New(sim.Options{Seed: 5, Items: 12, Sites: []string{sim.GovCN, sim.Guizhou, sim.Guiyang}})
	srv := httptest.NewServer(site)
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	tests := []struct {
		preset, site, list string
		why                string
		fix                func(*config.ListRule) // what the operator writes under list:
	}{
		{"govcn-zuixin", sim.GovCN, "/govcn/zhengce/zuixin/ZUIXINZHENGCE.json", `JSON 顶层不是数组（是对象）`,
			func(r *config.ListRule) {
				r.ItemsPath, r.URLField, r.TitleField, r.DateField = "data.list", "url", "title", "docRelPubTime"
			}},
		{"guizhou-szfwj", sim.Guizhou, "/guizhou/zwgk/zcfg/szfwj/qff/",
			`列表条目选择器 "ul.NewsList li" 未匹配任何元素；页面标题 "黔府发_省政府文件_贵州省人民政府"`,
			func(r *config.ListRule) { r.Item, r.Date = "div.news-list-v2 dd", "em.date" }},
		{"guiyang-gfxwj", sim.Guiyang, "/guiyang/zwgk/zfxxgks/fdzdgknr/lzyj/gfxwj/szfgfxwj/",
			`列表条目选择器 "ul.NewsList li, div.right-cont ul li" 未匹配任何元素；页面标题 "市政府文件_规范性文件_贵阳市人民政府"`,
			func(r *config.ListRule) { r.Item, r.Date = "div.news-list-v2 dd", "em.date" }},
	}
	for _, tt := range tests {
		t.Run(tt.preset, func(t *testing.T) {
			p := config.Presets()[tt.preset]
			pageURL, _ := url.Parse(srv.URL + tt.list)
			read := func(rule config.ListRule) ([]extract.ListEntry, string) {
				body, ctype, ok := site.Body(host, pageURL.Path)
				if !ok {
					t.Fatalf("govsim does not serve %s", pageURL.Path)
				}
				entries, _ := extract.List(body, ctype, pageURL, rule)
				return entries, extract.ListDiagnose(body, ctype, pageURL, rule)
			}
			if entries, why := read(p.List); len(entries) == 0 || why != "" {
				t.Fatalf("before the redesign: %d entries, %q", len(entries), why)
			}
			site.Redesign(tt.site, true)
			defer site.Redesign(tt.site, false)
			if entries, why := read(p.List); len(entries) != 0 || why != tt.why {
				t.Errorf("after the redesign: %d entries, diagnosis\n%q\nwant\n%q", len(entries), why, tt.why)
			}
			fixed := p.List
			tt.fix(&fixed)
			if entries, why := read(fixed); len(entries) == 0 || why != "" {
				t.Errorf("with the override: %d entries, %q", len(entries), why)
			}
		})
	}
}

// TestGenericRulesReadCounty: a generic html source, written in the
// operator's vocabulary, reads govsim's county site (an unknown CMS serving
// GB18030 labelled gb2312) field for field.
func TestGenericRulesReadCounty(t *testing.T) {
	t.Parallel()
	site := sim.New(sim.Options{Seed: 9, Items: 30, LargeEvery: -1, Sites: []string{sim.County}})
	srv := httptest.NewServer(site)
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	list := config.ListRule{
		Kind: config.KindHTML, LinkPattern: `/\d{6}/t\d{8}_\d+\.html?$`,
		Item: "table.zcwj-list tr", Title: "td.bt a@title", Date: "td.rq",
	}
	detail := config.DetailRule{
		Title:      []string{"div.article-title"},
		Body:       []string{"div.article-content"},
		MetaTables: []string{"div.xxgk-meta table"},
		MetaLists:  []string{"div.article-info"},
		Published:  []string{"div.article-info label:发布时间"},
	}
	if err := errors.Join(extract.ValidateList(list), extract.ValidateDetail(detail)); err != nil {
		t.Fatal(err)
	}
	truth := map[string]sim.Release{}
	for _, r := range site.Releases() {
		truth[srv.URL+r.Path] = r
	}
	first, _ := url.Parse(srv.URL + "/county/zwgk/zcwj/")
	ext := extract.New(nil)
	seen := 0
	for n := 0; ; n++ {
		pageURL := extract.NextPageURL(first, n)
		body, ctype, ok := site.Body(host, pageURL.Path)
		if !ok {
			break
		}
		entries, err := extract.List(body, ctype, pageURL, list)
		if err != nil || len(entries) == 0 {
			t.Fatalf("list %s: %v %s", pageURL.Path, err, extract.ListDiagnose(body, ctype, pageURL, list))
		}
		for _, e := range entries {
			r, ok := truth[e.URL]
			if !ok {
				t.Errorf("list yields %s, which is no release", e.URL)
				continue
			}
			seen++
			if e.Title != r.Title || e.Date.IsZero() {
				t.Errorf("%s: list title %q, date %v; want %q", r.Path, e.Title, e.Date, r.Title)
			}
			checkDetail(t, ext, site, host, srv.URL, r, detail)
		}
	}
	if seen != len(truth) {
		t.Errorf("lists yield %d releases, govsim has %d", seen, len(truth))
	}
}

// TestGenericListReadsRedesignedLists: govsim's TRS lists, before and after
// its redesign, and the county's table list, read without selectors, give
// the entries the preset's (or the operator's) rule gives on the original
// markup: the same URLs, titles and dates, in the same order.
func TestGenericListReadsRedesignedLists(t *testing.T) {
	site := sim.New(sim.Options{Seed: 5, Items: 30, Sites: []string{sim.Guizhou, sim.Guiyang, sim.County}})
	srv := httptest.NewServer(site)
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	county := config.ListRule{Kind: config.KindHTML, Item: "table.zcwj-list tr", Link: "td.bt a@href", Title: "td.bt a@title", Date: "td.rq", LinkPattern: `/t\d{8}_\d+\.html$`}
	for _, tc := range []struct {
		name, site, list string
		rule             config.ListRule
	}{
		{"guizhou", sim.Guizhou, "/guizhou/zwgk/zcfg/szfwj/qff/", config.Presets()["guizhou-szfwj"].List},
		{"guiyang", sim.Guiyang, "/guiyang/zwgk/zfxxgks/fdzdgknr/lzyj/gfxwj/szfgfxwj/", config.Presets()["guiyang-gfxwj"].List},
		{"county", sim.County, "/county/zwgk/zcwj/", county},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pageURL, _ := url.Parse(srv.URL + tc.list)
			var pattern *regexp.Regexp
			if tc.rule.LinkPattern != "" {
				pattern = regexp.MustCompile(tc.rule.LinkPattern)
			}
			body, ctype, ok := site.Body(host, pageURL.Path)
			if !ok {
				t.Fatalf("govsim does not serve %s", pageURL.Path)
			}
			want, err := extract.List(body, ctype, pageURL, tc.rule)
			if err != nil || len(want) < 3 {
				t.Fatalf("the rule reads %d entries (%v)", len(want), err)
			}
			for _, redesigned := range []bool{false, true} {
				site.Redesign(tc.site, redesigned)
				body, ctype, _ := site.Body(host, pageURL.Path)
				got := extract.GenericList(body, ctype, pageURL, pattern)
				if len(got) != len(want) {
					t.Errorf("redesigned %v: %d entries, want %d", redesigned, len(got), len(want))
					continue
				}
				for i := range want {
					if got[i].URL != want[i].URL || got[i].Title != want[i].Title || !got[i].Date.Equal(want[i].Date) {
						t.Errorf("redesigned %v: entry %d = %+v, want %+v", redesigned, i, got[i], want[i])
					}
				}
			}
			site.Redesign(tc.site, false)
		})
	}
}

// A page without a list (a detail page, a page of navigation links
// without dates) gives nothing.
func TestGenericListNeedsDatedRows(t *testing.T) {
	u, _ := url.Parse("https://www.example.gov.cn/zwgk/")
	nav := []byte(`<html><body><ul>` + strings.Repeat(`<li><a href="/zwgk/a.html">政务公开</a></li>`, 8) + `</ul><p>2026-04-01 发布</p></body></html>`)
	if got := extract.GenericList(nav, "text/html", u, nil); got != nil {
		t.Errorf("links without dates: %v, want none", got)
	}
}

// TestSuggestedRulesAgainstPresets measures, on every govsim list a preset
// reads (and the county, which has none), the fields right by the rules
// `source suggest` infers with no preset, against the fields right by the
// preset's own rules, both compared with govsim's truth over every release
// the list shows. It logs the figures and fails below 95 % of the preset's.
func TestSuggestedRulesAgainstPresets(t *testing.T) {
	site := sim.New(sim.Options{Seed: 23, Items: 40, LargeEvery: -1, Sites: sim.AllSites()})
	srv := httptest.NewServer(site)
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	county := config.Preset{List: config.ListRule{Kind: config.KindHTML, Item: "table.zcwj-list tr", Link: "td.bt a@href", Title: "td.bt a@title", Date: "td.rq", LinkPattern: `/t\d{8}_\d+\.html$`},
		Detail: config.DetailRule{Title: []string{"div.article-title"}, Body: []string{"div.article-content"}, MetaTables: []string{"div.xxgk-meta table"}, MetaLists: []string{"div.article-info"}}}
	ext := extract.New(nil)
	for _, tc := range []struct {
		name, list string
		preset     config.Preset
	}{
		{"govcn-zuixin", "/govcn/zhengce/zuixin/ZUIXINZHENGCE.json", config.Presets()["govcn-zuixin"]},
		{"govcn-gwywj", "/govcn/zhengce/zhengceku/gwywj/TONGYONGGAILAN.json", config.Presets()["govcn-gwywj"]},
		{"govcn-bmwj (政策文件库 template)", "/govcn/zhengce/zhengceku/bmwj/TONGYONGGAILAN.json", config.Presets()["govcn-bmwj"]},
		{"govcn-jiedu (template B)", "/govcn/zhengce/jiedu/ZCJD_QZ.json", config.Presets()["govcn-jiedu"]},
		{"guizhou-szfwj", "/guizhou/zwgk/zcfg/szfwj/qff/", config.Presets()["guizhou-szfwj"]},
		{"guiyang-gfxwj", "/guiyang/zwgk/zfxxgks/fdzdgknr/lzyj/gfxwj/szfgfxwj/", config.Presets()["guiyang-gfxwj"]},
		{"county (no preset: the operator's rules)", "/county/zwgk/zcwj/", county},
	} {
		pageURL, _ := url.Parse(srv.URL + tc.list)
		body, ctype, _ := site.Body(host, pageURL.Path)
		listRule, _, ok := extract.SuggestList(body, ctype, pageURL)
		if !ok {
			t.Fatalf("%s: no list suggested", tc.name)
		}
		entries, err := extract.List(body, ctype, pageURL, listRule)
		if err != nil || len(entries) == 0 {
			t.Fatalf("%s: the suggested list rule reads %d entries (%v)", tc.name, len(entries), err)
		}
		first, _ := url.Parse(entries[0].URL)
		db, dct, _ := site.Body(host, first.Path)
		detailRule, _ := extract.SuggestDetail(db, dct, first)
		presetEntries, _ := extract.List(body, ctype, pageURL, tc.preset.List)
		byPath := map[string]sim.Release{}
		for _, r := range site.Releases() {
			byPath[r.Path] = r
		}
		score := func(es []extract.ListEntry, rule config.DetailRule) (right, total int) {
			for _, e := range es {
				u, _ := url.Parse(e.URL)
				r, ok := byPath[u.Path]
				if !ok {
					continue // not a release (a news row the suggested rule kept)
				}
				b, ct, _ := site.Body(host, u.Path)
				p, err := ext.Detail(b, ct, u, rule)
				if err != nil {
					t.Fatal(err)
				}
				title := r.Title
				if r.Site != sim.GovCN {
					title = strings.TrimSuffix(title, "（"+r.DocNumber+"）")
				}
				written := ""
				if !r.WrittenAt.IsZero() {
					written = r.WrittenAt.Format("2006-01-02")
				}
				for _, ok := range []bool{
					p.Title == title || p.Title == r.Title,
					p.DocNumber == r.DocNumber,
					p.IndexNumber == r.IndexNumber,
					p.Issuer == r.Issuer,
					p.WrittenAt == written,
					p.PublishedAt.Equal(r.PublishedAt),
					p.Validity == extract.ParseValidity(r.Validity),
					strings.Join(strings.Fields(p.BodyText), "") == strings.Join(strings.Fields(r.Text()), ""),
				} {
					total++
					if ok {
						right++
					}
				}
			}
			return right, total
		}
		sr, st := score(entries, detailRule)
		pr, pt := score(presetEntries, tc.preset.Detail)
		t.Logf("%s: suggested %d/%d fields right over %d entries; preset %d/%d over %d entries (list %+v; detail title %q body %q)",
			tc.name, sr, st, len(entries), pr, pt, len(presetEntries), listRule, detailRule.Title, detailRule.Body)
		if st == 0 || pt == 0 || float64(sr)/float64(st) < 0.95*float64(pr)/float64(pt) {
			t.Errorf("%s: suggested %d/%d, preset %d/%d: below 95 %% of the preset's share", tc.name, sr, st, pr, pt)
		}
	}
}
