package sim

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
)

type jsonRow struct {
	Title    string `json:"TITLE"`
	SubTitle string `json:"SUB_TITLE"`
	URL      string `json:"URL"`
	Date     string `json:"DOCRELPUBTIME"`
}

func TestGovCNListRowsResolve(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 3})
	srv := serve(t, s)
	resp, body := get(t, srv.URL+govcnList)
	if got, want := resp.Header.Get("Content-Type"), "application/json; charset=utf-8"; got != want {
		t.Errorf("Content-Type = %q, want %q", got, want)
	}
	var rows []jsonRow
	if err := json.Unmarshal(body, &rows); err != nil {
		t.Fatalf("list is not a JSON array of rows: %v", err)
	}
	// The filter of sources.md §3.2, moved onto the simulated host.
	policy := regexp.MustCompile(`^` + regexp.QuoteMeta(srv.URL) + `/govcn/zhengce/.*content_\d{7}\.htm$`)
	var got []string
	filtered := 0
	for i, row := range rows {
		if row.SubTitle != "" {
			t.Errorf("row %d: SUB_TITLE = %q, want empty", i, row.SubTitle)
		}
		if i > 0 && row.Date > rows[i-1].Date {
			t.Errorf("row %d dated %s is above row %d dated %s: not newest first", i-1, rows[i-1].Date, i, row.Date)
		}
		if !policy.MatchString(row.URL) {
			filtered++
			if resp, _ := get(t, row.URL); resp.StatusCode != http.StatusNotFound {
				t.Errorf("filtered row %s: status %d, want 404", row.URL, resp.StatusCode)
			}
			continue
		}
		got = append(got, strings.TrimPrefix(row.URL, srv.URL))
		doc := parse(t, getOK(t, row.URL))
		if title := bd1(doc)["标题"]; title != row.Title {
			t.Errorf("%s: 标题 cell %q, want the row's TITLE %q", row.URL, title, row.Title)
		}
	}
	if filtered != 2 {
		t.Errorf("%d rows to filter out, want 2", filtered)
	}
	var want []string
	for _, r := range releasesOf(s, "zuixin") {
		want = append(want, r.Path)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("policy rows differ from the releases, newest first (-want +got):\n%s", diff)
	}
}

// bd1 reads table.bd1 the generic way: a cell whose normalised text is a
// label is followed by its value cell.
func bd1(doc *goquery.Document) map[string]string {
	m := map[string]string{}
	doc.Find("table.bd1 td").Each(func(_ int, td *goquery.Selection) {
		if td.Find("b").Length() > 0 {
			m[normLabel(td.Text())] = td.Next().Text()
		}
	})
	return m
}

func TestGovCNDetailMatchesRelease(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 11, Items: 40, LargeEvery: 25})
	srv := serve(t, s)
	for _, r := range releasesOf(s, "zuixin") {
		t.Run(r.ID, func(t *testing.T) {
			pageURL := srv.URL + r.Path
			doc := parse(t, getOK(t, pageURL))
			got := map[string]string{
				"title":              doc.Find("title").Text(),
				"manuscriptId":       meta(doc, "manuscriptId"),
				"firstpublishedtime": meta(doc, "firstpublishedtime"),
				"lastmodifiedtime":   meta(doc, "lastmodifiedtime"),
				"lanmu":              meta(doc, "lanmu"),
				"keywords":           meta(doc, "keywords"),
			}
			for k, v := range bd1(doc) {
				got[k] = v
			}
			want := map[string]string{
				"title":              r.Title + "_国务院文件_中国政府网",
				"manuscriptId":       r.ID,
				"firstpublishedtime": r.PublishedAt.Format("2006-01-02-15:04:05"),
				"lastmodifiedtime":   r.ModifiedAt.Format("2006-01-02-15:04:05"),
				"lanmu":              "国务院文件",
				"keywords":           r.Keywords,
				"索引号":                r.IndexNumber,
				"主题分类":               r.Subject,
				"发文机关":               r.Issuer,
				"成文日期":               r.WrittenAt.Format("2006年01月02日"),
				"标题":                 r.Title,
				"发文字号":               r.DocNumber,
				"发布日期":               r.PublishedAt.Format("2006年01月02日"),
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("metadata (-want +got):\n%s", diff)
			}
			if ztfl := doc.Find("td.zcwj_ztfl").Text(); ztfl != r.Subject {
				t.Errorf("td.zcwj_ztfl = %q, want %q", ztfl, r.Subject)
			}

			// The first #UCAP-CONTENT is the body, also on pages with a
			// stray </html> or a second (mobile) copy.
			content := doc.Find("#UCAP-CONTENT").First()
			if diff := cmp.Diff(r.Body, paragraphs(content)); diff != "" {
				t.Errorf("body paragraphs (-want +got):\n%s", diff)
			}
			if strings.Contains(content.Text(), "责任编辑") || strings.Contains(content.Text(), "分享到") {
				t.Error("share block or footer inside #UCAP-CONTENT")
			}
			var wantLinks []string
			for _, a := range r.Attachments {
				wantLinks = append(wantLinks, srv.URL+a.Path)
			}
			if diff := cmp.Diff(wantLinks, links(t, pageURL, content)); diff != "" {
				t.Errorf("attachment links (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGovCNQuirksAppear(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 5})
	var stray, mobile, wrapped int
	for _, r := range releasesOf(s, "zuixin") {
		body, _, _ := s.Body("h", r.Path)
		page := string(body)
		if strings.Count(page, "</html>") == 2 {
			stray++
		}
		if strings.Count(page, `id="UCAP-CONTENT"`) == 2 {
			mobile++
		}
		if strings.Contains(page, `<table class="border-table noneBorder pages_content">`) {
			wrapped++
		}
	}
	if stray == 0 || mobile == 0 || wrapped == 0 {
		t.Errorf("quirks: %d stray </html>, %d mobile copies, %d wrapped bodies; want each at least once", stray, mobile, wrapped)
	}
}
