package sim

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
)

// labelCells reads label/value pairs the generic way of sources.md §2.3:
// a cell whose normalised text is one of labels is followed by its value.
func labelCells(sel *goquery.Selection, labels ...string) map[string]string {
	m := map[string]string{}
	sel.Find("td, th").Each(func(_ int, c *goquery.Selection) {
		if l := normLabel(c.Text()); slices.Contains(labels, l) {
			m[l] = c.Next().Text()
		}
	})
	return m
}

func TestGovCNMoreListsRowsResolve(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 3, Items: 40, Sites: []string{GovCNAll}, LargeEvery: -1})
	srv := serve(t, s)
	policy := regexp.MustCompile(`^` + regexp.QuoteMeta(srv.URL) + `/govcn/zhengce/.*content_\d{7}\.htm$`)
	for _, tc := range []struct {
		list    string
		columns []string
	}{
		{gwywjList, []string{"gwywj", "zuixin"}}, // the 国务院文件 list holds 最新政策's documents too
		{bmwjList, []string{"bmwj"}},
		{jieduList, []string{"jiedu"}},
	} {
		t.Run(tc.list, func(t *testing.T) {
			var rows []jsonRow
			if err := json.Unmarshal(getOK(t, srv.URL+tc.list), &rows); err != nil {
				t.Fatalf("list is not a JSON array of rows: %v", err)
			}
			var got []string
			for i, row := range rows {
				if !policy.MatchString(row.URL) {
					t.Errorf("row %d: URL %s fails the gov.cn policy filter", i, row.URL)
				}
				if i > 0 && row.Date > rows[i-1].Date {
					t.Errorf("row %d dated %s is below a row dated %s", i, row.Date, rows[i-1].Date)
				}
				path := strings.TrimPrefix(row.URL, srv.URL)
				r, ok := s.Release(path)
				if !ok {
					t.Fatalf("row %d: %s is no release", i, path)
				}
				if row.Title != r.Title || row.Date != r.ListDate || row.SubTitle != "" {
					t.Errorf("row %d = %+v, want title %q date %s", i, row, r.Title, r.ListDate)
				}
				got = append(got, path)
			}
			var want []string
			for _, r := range s.Releases() {
				if slices.Contains(tc.columns, r.Column) {
					want = append(want, r.Path)
					if r.Column == "zuixin" && !slices.Equal(r.AlsoListed, []string{gwywjList}) {
						t.Errorf("%s: AlsoListed %v, want the 国务院文件 list", r.Path, r.AlsoListed)
					}
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("rows differ from the releases, newest first (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGovCNGwywjDetailIsTemplateA(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 4, Items: 24, Sites: []string{GovCNAll}, LargeEvery: -1})
	srv := serve(t, s)
	n := 0
	for _, r := range releasesOf(s, "gwywj") {
		n++
		doc := parse(t, getOK(t, srv.URL+r.Path))
		got := bd1(doc)
		want := map[string]string{
			"索引号": r.IndexNumber, "主题分类": r.Subject, "发文机关": r.Issuer, "成文日期": r.WrittenAt.Format("2006年01月02日"),
			"标题": r.Title, "发文字号": r.DocNumber, "发布日期": r.PublishedAt.Format("2006年01月02日"),
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: table.bd1 (-want +got):\n%s", r.Path, diff)
		}
		if !regexp.MustCompile(`^国函〔\d{4}〕\d+号$`).MatchString(r.DocNumber) || !strings.HasPrefix(r.Path, govcnDir) {
			t.Errorf("%s: number %s, want a 国函 under %s", r.Path, r.DocNumber, govcnDir)
		}
		if diff := cmp.Diff(r.Body, paragraphs(doc.Find("#UCAP-CONTENT").First())); diff != "" {
			t.Errorf("%s: body (-want +got):\n%s", r.Path, diff)
		}
	}
	if n == 0 {
		t.Fatal("no 国务院文件 of govcn-all")
	}
}

func TestGovLibDetailMatchesRelease(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 11, Items: 60, Sites: []string{GovCNAll}, LargeEvery: 9})
	srv := serve(t, s)
	rels := releasesOf(s, "bmwj")
	if len(rels) < 20 {
		t.Fatalf("%d 部门文件, want more", len(rels))
	}
	decrees, joint := 0, 0
	for _, r := range rels {
		t.Run(r.ID, func(t *testing.T) {
			pageURL := srv.URL + r.Path
			doc := parse(t, getOK(t, pageURL))
			header := doc.Find("div.policyLibraryOverview_header")
			got := labelCells(header, "标题", "发文机关", "发文字号", "来源", "主题分类", "公文种类", "成文日期", "发布日期", "索引号")
			got["title"] = doc.Find("title").Text()
			got["lanmu"] = meta(doc, "lanmu")
			got["manuscriptId"] = meta(doc, "manuscriptId")
			got["firstpublishedtime"] = meta(doc, "firstpublishedtime")
			got["lastmodifiedtime"] = meta(doc, "lastmodifiedtime")
			want := map[string]string{
				"标题":                 r.Title,
				"发文机关":               r.Issuer,
				"发文字号":               r.DocNumber,
				"来源":                 r.Origin,
				"主题分类":               r.Subject,
				"公文种类":               r.DocType,
				"成文日期":               r.WrittenAt.Format("2006年1月2日"),
				"发布日期":               r.PublishedAt.Format("2006年1月2日"),
				"title":              r.Title + "_国务院部门文件_中国政府网",
				"lanmu":              "国务院部门文件",
				"manuscriptId":       r.ID,
				"firstpublishedtime": r.PublishedAt.Format("2006-01-02-15:04:05"),
				"lastmodifiedtime":   r.ModifiedAt.Format("2006-01-02-15:04:05"),
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("metadata (-want +got):\n%s", diff)
			}
			// Positional XPaths of public crawlers: tr[2]/td[2] 标题, tr[3]/td[2] 发文字号.
			trs := header.Find("tr")
			if v := trs.Eq(1).Find("td").Eq(1).Text(); v != r.Title {
				t.Errorf("tr[2]/td[2] = %q, want the title", v)
			}
			if v := trs.Eq(2).Find("td").Eq(1).Text(); v != r.DocNumber {
				t.Errorf("tr[3]/td[2] = %q, want the number", v)
			}
			if r.IndexNumber != "" || r.WrittenAt.After(r.PublishedAt) {
				t.Errorf("索引号 %q, written %s after published %s", r.IndexNumber, r.WrittenAt, r.PublishedAt)
			}
			content := doc.Find("#UCAP-CONTENT").First()
			if diff := cmp.Diff(r.Body, paragraphs(content)); diff != "" {
				t.Errorf("body paragraphs (-want +got):\n%s", diff)
			}
			var wantLinks []string
			for _, a := range r.Attachments {
				wantLinks = append(wantLinks, srv.URL+a.Path)
			}
			if diff := cmp.Diff(wantLinks, links(t, pageURL, content)); diff != "" {
				t.Errorf("attachment links (-want +got):\n%s", diff)
			}
		})
		if r.DocType == "令" {
			decrees++
			if !regexp.MustCompile(`^生态环境部令第\d+号$`).MatchString(r.DocNumber) {
				t.Errorf("decree number %q", r.DocNumber)
			}
		}
		if strings.Contains(r.Issuer, " ") {
			joint++
		}
	}
	if decrees == 0 || joint == 0 {
		t.Errorf("%d decrees, %d joint issuers: want both", decrees, joint)
	}
}

var rePagesDate = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2} \d{2}:\d{2})`)

func TestJieduDetailMatchesRelease(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 12, Items: 60, Sites: []string{GovCNAll}, LargeEvery: -1})
	srv := serve(t, s)
	rels := releasesOf(s, "jiedu")
	if len(rels) < 10 {
		t.Fatalf("%d 政策解读, want more", len(rels))
	}
	for _, r := range rels {
		t.Run(r.ID, func(t *testing.T) {
			pageURL := srv.URL + r.Path
			if !regexp.MustCompile(`^/govcn/zhengce/\d{6}/content_\d{7}\.htm$`).MatchString(r.Path) {
				t.Errorf("path %s is no Template B path", r.Path)
			}
			doc := parse(t, getOK(t, pageURL))
			date := doc.Find("div.pages-date")
			got := map[string]string{
				"h1#ti":              doc.Find("h1#ti").Text(),
				"title":              doc.Find("title").Text(),
				"lanmu":              meta(doc, "lanmu"),
				"firstpublishedtime": meta(doc, "firstpublishedtime"),
				"pages-date":         rePagesDate.FindString(date.Text()),
				"source":             date.Find("span.font").First().Text(),
			}
			want := map[string]string{
				"h1#ti":              r.Title,
				"title":              r.Title + "_政策解读_中国政府网",
				"lanmu":              "政策解读",
				"firstpublishedtime": r.PublishedAt.Format("2006-01-02-15:04:05"),
				"pages-date":         r.PublishedAt.Format("2006-01-02 15:04"),
				"source":             "来源：" + r.Origin,
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("metadata (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(r.Body, paragraphs(doc.Find("#UCAP-CONTENT").First())); diff != "" {
				t.Errorf("body paragraphs (-want +got):\n%s", diff)
			}
			related := doc.Find("div.jiedu-blk a[href]")
			if related.Length() != 1 || links(t, pageURL, doc.Find("div.jiedu-blk"))[0] != srv.URL+r.Interprets {
				t.Fatalf("相关文件 links %v, want %s", links(t, pageURL, doc.Find("div.jiedu-blk")), r.Interprets)
			}
			target, ok := s.Release(r.Interprets)
			if !ok {
				t.Fatalf("interpreted %s is no release", r.Interprets)
			}
			if related.Text() != target.Title || target.Site != GovCN || target.Column == "jiedu" {
				t.Errorf("相关文件 %q points at %s %q", related.Text(), target.Column, target.Title)
			}
			if !target.PublishedAt.Before(r.PublishedAt) || r.PublishedAt.Sub(target.PublishedAt) > 10*24*time.Hour {
				t.Errorf("interpretation of %s published %s after it", target.PublishedAt, r.PublishedAt.Sub(target.PublishedAt))
			}
			if r.DocNumber != "" || r.Issuer != "" || r.IndexNumber != "" || !r.WrittenAt.IsZero() {
				t.Errorf("an interpretation has number %q, issuer %q, index %q, written %s", r.DocNumber, r.Issuer, r.IndexNumber, r.WrittenAt)
			}
		})
	}
}

func TestGovCNMoreQuirksAppear(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 5, Items: 60, Sites: []string{GovCNAll}, LargeEvery: -1})
	for _, col := range []string{"bmwj", "jiedu"} {
		stray, mobile := 0, 0
		for _, r := range releasesOf(s, col) {
			body, _, _ := s.Body("h", r.Path)
			page := string(body)
			if strings.Count(page, "</html>") == 2 {
				stray++
			}
			if strings.Count(page, `id="UCAP-CONTENT"`) == 2 {
				mobile++
				if !strings.Contains(page, `<div class="mobile_box" style="display:none">`) {
					t.Errorf("%s: the second #UCAP-CONTENT is not hidden", r.Path)
				}
			}
		}
		if stray == 0 || mobile == 0 {
			t.Errorf("%s: %d stray </html>, %d mobile copies; want each at least once", col, stray, mobile)
		}
	}
}
