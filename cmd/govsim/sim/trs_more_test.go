package sim

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
)

// walkTRSList reads every page of a TRS column list and checks its pager.
func walkTRSList(t *testing.T, base, list, pager string, want int) []listRow {
	t.Helper()
	pages := max(1, (want+19)/20)
	re := regexp.MustCompile(pager + `\((\d+), (\d+), "index", "html"\)`)
	var rows []listRow
	for k := range pages {
		pageURL := base + list + guizhouPageName(k)
		body := getOK(t, pageURL)
		if m := re.FindStringSubmatch(string(body)); m == nil || m[1] != fmt.Sprint(pages) || m[2] != fmt.Sprint(k) {
			t.Errorf("%s: pager %v, want %s(%d, %d, …)", pageURL, m, pager, pages, k)
		}
		rows = append(rows, readList(t, pageURL, body)...)
	}
	if resp, _ := get(t, base+list+guizhouPageName(pages)); resp.StatusCode != 404 {
		t.Errorf("page %d past the end: status %d", pages, resp.StatusCode)
	}
	return rows
}

// xxgk reads a TRS detail page the way TestGuizhouDetailMatchesRelease does.
func xxgk(doc *goquery.Document) map[string]string {
	got := map[string]string{
		"ArticleTitle":  meta(doc, "ArticleTitle"),
		"PubDate":       meta(doc, "PubDate"),
		"ColumnName":    meta(doc, "ColumnName"),
		"ContentSource": meta(doc, "ContentSource"),
		"SiteName":      meta(doc, "SiteName"),
	}
	doc.Find("div.Xxgk_Info.Box.MT20 li").Each(func(_ int, li *goquery.Selection) {
		if label, value, ok := splitLabel(li.Text()); ok {
			got[label] = value
		}
	})
	doc.Find("div.DocTextBox.MT20.aBox div.ArticleInfo.Box span").Each(func(_ int, sp *goquery.Selection) {
		if label, value, ok := splitLabel(sp.Text()); ok {
			got[label] = value
		}
	})
	return got
}

func wantXxgk(r Release, siteName string) map[string]string {
	return map[string]string{
		"ArticleTitle":  r.Title,
		"PubDate":       r.PublishedAt.Format("2006-01-02 15:04"),
		"ColumnName":    r.ColumnName,
		"ContentSource": r.Origin,
		"SiteName":      siteName,
		"索引号":           r.IndexNumber,
		"信息分类":          r.Category,
		"发布机构":          r.Issuer,
		"生成日期":          r.WrittenAt.Format("2006-01-02"),
		"公开方式":          "主动公开",
		"公开范围":          "全部公开",
		"公开时限":          "长期公开",
		"信息名称":          r.Title,
		"有效性":           r.Validity,
		"文号":            r.DocNumber,
		"发布时间":          r.PublishedAt.Format("2006-01-02 15:04"),
		"来源":            r.Origin,
	}
}

// checkTRSDetail compares a TRS detail page with its release.
func checkTRSDetail(t *testing.T, base string, r Release, siteName string) {
	t.Helper()
	pageURL := base + r.Path
	doc := parse(t, getOK(t, pageURL))
	if diff := cmp.Diff(wantXxgk(r, siteName), xxgk(doc)); diff != "" {
		t.Errorf("%s: metadata (-want +got):\n%s", r.Path, diff)
	}
	zoom := doc.Find("div.DocHtmlCon.Box #Zoom div.trs_editor_view")
	if diff := cmp.Diff(r.Body, paragraphs(zoom)); diff != "" {
		t.Errorf("%s: body paragraphs (-want +got):\n%s", r.Path, diff)
	}
	var wantLinks []string
	for _, a := range r.Attachments {
		wantLinks = append(wantLinks, base+a.Path)
	}
	if diff := cmp.Diff(wantLinks, links(t, pageURL, doc.Find("#Zoom"))); diff != "" {
		t.Errorf("%s: attachment links (-want +got):\n%s", r.Path, diff)
	}
}

func TestGuizhouAllColumns(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 14, Items: 90, Sites: []string{GuizhouAll}, LargeEvery: 20})
	srv := serve(t, s)
	numbers := map[string]*regexp.Regexp{
		"szfl": regexp.MustCompile(`^省政府令第\d+号$`),
		"qfh":  regexp.MustCompile(`^黔府函〔\d{4}〕\d+号$`),
		"qfbh": regexp.MustCompile(`^黔府办函〔\d{4}〕\d+号$`),
	}
	for _, col := range []column{colSZFL, colQFH, colQFBH, colQFF} {
		t.Run(col.slug, func(t *testing.T) {
			rels := releasesOf(s, col.slug)
			rows := walkTRSList(t, srv.URL, col.list, "createPageHTML", len(rels))
			var wantRows []listRow
			for _, r := range rels {
				wantRows = append(wantRows, listRow{URL: srv.URL + r.Path, Title: r.Title, Text: linkText(r.Title), Date: r.ListDate})
			}
			if diff := cmp.Diff(wantRows, rows); diff != "" {
				t.Errorf("rows across pages (-want +got):\n%s", diff)
			}
			for _, r := range rels {
				checkTRSDetail(t, srv.URL, r, "贵州省人民政府")
				if re := numbers[col.slug]; re != nil && !re.MatchString(r.DocNumber) {
					t.Errorf("%s: number %q does not match %s", r.Path, r.DocNumber, re)
				}
				if !strings.HasSuffix(r.Title, "（"+r.DocNumber+"）") {
					t.Errorf("title %q does not end with its number", r.Title)
				}
			}
		})
	}
}

func TestRepealedList(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 15, Items: 80, Sites: []string{GuizhouAll}, LargeEvery: -1})
	srv := serve(t, s)
	var want []listRow
	for _, r := range s.Releases() {
		repealed := r.Validity == "已废止" || r.Validity == "已失效"
		if r.Site == Guizhou && repealed {
			want = append(want, listRow{URL: srv.URL + r.Path, Title: r.Title, Text: linkText(r.Title), Date: r.ListDate})
		}
		if listed := slices.Contains(r.AlsoListed, colSXFZWJ.list); listed != (r.Site == Guizhou && repealed) {
			t.Errorf("%s (%s): AlsoListed %v", r.Path, r.Validity, r.AlsoListed)
		}
	}
	if len(want) < 3 {
		t.Fatalf("%d repealed or expired releases, want more", len(want))
	}
	rows := walkTRSList(t, srv.URL, colSXFZWJ.list, "createPageHTML", len(want))
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("失效废止文件 rows (-want +got):\n%s", diff)
	}
	for _, row := range rows {
		if !strings.Contains(row.URL, "/szfwj/") || strings.Contains(row.URL, "/sxfzwj/") {
			t.Errorf("row %s does not link to the document's own page", row.URL)
		}
	}
}

func TestValiditySpread(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 16, Items: 120, Sites: []string{GuizhouAll, Guiyang, County}, LargeEvery: -1})
	for _, site := range []string{Guizhou, Guiyang, County} {
		count := map[string]int{}
		var older, newer int // non-effective in the older and the newer half
		var mine []Release
		for _, r := range s.Releases() {
			if r.Site == site {
				mine = append(mine, r)
			}
		}
		for i, r := range mine { // newest first
			count[r.Validity]++
			if r.Validity != "有效" {
				if i < len(mine)/2 {
					newer++
				} else {
					older++
				}
			}
		}
		for _, v := range []string{"有效", "已修改", "已废止", "已失效"} {
			if count[v] == 0 {
				t.Errorf("%s: no release %s: %v", site, v, count)
			}
		}
		if older <= newer {
			t.Errorf("%s: %d changed in the older half, %d in the newer: want older documents changed more often", site, older, newer)
		}
	}
	if again := New(Options{Seed: 16, Items: 120, Sites: []string{GuizhouAll, Guiyang, County}, LargeEvery: -1}); !cmp.Equal(s.Releases(), again.Releases()) {
		t.Error("validity differs for the same seed")
	}
}

func TestGuiyangListAndDetail(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 17, Items: 70, Sites: []string{Guiyang}, LargeEvery: 15})
	srv := serve(t, s)
	rels := releasesOf(s, "szfgfxwj")
	rows := walkTRSList(t, srv.URL, guiyangList, "createPage", len(rels))
	var wantRows []listRow
	for _, r := range rels {
		wantRows = append(wantRows, listRow{URL: srv.URL + r.Path, Title: r.Title, Text: linkText(r.Title), Date: r.ListDate})
	}
	if diff := cmp.Diff(wantRows, rows); diff != "" {
		t.Errorf("rows across pages (-want +got):\n%s", diff)
	}
	checkListDates(t, rows)
	path := regexp.MustCompile(`^/guiyang/zwgk/zfxxgks/fdzdgknr/lzyj/gfxwj/szfgfxwj/(\d{6})/t(\d{8})_(\d{8})\.html$`)
	own := regexp.MustCompile(`^(筑府发|筑府办发|筑府办函)〔\d{4}〕\d+号$`)
	eco := 0
	for _, r := range rels {
		checkTRSDetail(t, srv.URL, r, "贵阳市人民政府")
		if m := path.FindStringSubmatch(r.Path); m == nil || m[2] != r.PublishedAt.Format("20060102") || m[3] != r.ID {
			t.Errorf("path %s does not match %s", r.Path, path)
		}
		if r.SameAs == "" && (!own.MatchString(r.DocNumber) || !strings.HasPrefix(r.Issuer, "贵阳市人民政府")) {
			t.Errorf("%s: own document numbered %q by %q", r.Path, r.DocNumber, r.Issuer)
		}
		if isEco(r.Title) {
			eco++
		}
	}
	if eco*2 < len(rels) {
		t.Errorf("%d of %d Guiyang titles are ecological, want most", eco, len(rels))
	}
}

func isEco(title string) bool {
	for _, w := range []string{"生态", "污染", "河长制", "碳", "绿色", "生物多样性", "固体废物"} {
		if strings.Contains(title, w) {
			return true
		}
	}
	return false
}

func TestGuiyangReprints(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 18, Items: 120, Sites: []string{GovCNAll, GuizhouAll, Guiyang}, LargeEvery: 12})
	srv := serve(t, s)
	for range 16 {
		s.Publish()
	}
	from := map[string]int{}
	for _, r := range releasesOf(s, "szfgfxwj") {
		if r.SameAs == "" {
			continue
		}
		o, ok := s.Release(r.SameAs)
		if !ok {
			t.Fatalf("%s reprints %s, which is no release", r.Path, r.SameAs)
		}
		from[o.Site]++
		if r.Title != o.Title || r.DocNumber != o.DocNumber || r.Issuer != o.Issuer || !r.WrittenAt.Equal(o.WrittenAt) {
			t.Errorf("%s: %q %q %q differs from the original %q %q %q", r.Path, r.Title, r.DocNumber, r.Issuer, o.Title, o.DocNumber, o.Issuer)
		}
		if !slices.Equal(r.Body, o.Body) || r.Large != o.Large {
			t.Errorf("%s: body differs from the original's", r.Path)
		}
		if wantOrigin := map[string]string{GovCN: "中国政府网", Guizhou: "贵州省人民政府"}[o.Site]; r.Origin != wantOrigin {
			t.Errorf("%s: 来源 %q, want %q", r.Path, r.Origin, wantOrigin)
		}
		if !r.PublishedAt.After(o.PublishedAt) {
			t.Errorf("%s published %s, not after its original %s", r.Path, r.PublishedAt, o.PublishedAt)
		}
		if len(r.Attachments) != len(o.Attachments) {
			t.Fatalf("%s: %d attachments, the original %d", r.Path, len(r.Attachments), len(o.Attachments))
		}
		for i, a := range r.Attachments {
			body := getOK(t, srv.URL+a.Path)
			if a.Path == o.Attachments[i].Path || a.SHA256 != o.Attachments[i].SHA256 || sha256Hex(body) != a.SHA256 || a.Name != o.Attachments[i].Name {
				t.Errorf("%s: attachment %d is not a copy beside the reprint", r.Path, i)
			}
		}
		checkTRSDetail(t, srv.URL, r, "贵阳市人民政府")
	}
	if from[GovCN] == 0 || from[Guizhou] == 0 {
		t.Errorf("reprints by original site %v, want both gov.cn and Guizhou", from)
	}
}

func TestGuiyangWithoutOriginsHasNoReprints(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 18, Items: 40, Sites: []string{Guiyang}})
	for _, r := range s.Releases() {
		if r.SameAs != "" {
			t.Errorf("%s reprints %s, but no other site is served", r.Path, r.SameAs)
		}
	}
	for range 8 {
		if r := s.Publish(); r.Site != Guiyang || !bytes.Contains([]byte(r.Path), []byte("/guiyang/")) {
			t.Errorf("published %s on %s", r.Path, r.Site)
		}
	}
}
