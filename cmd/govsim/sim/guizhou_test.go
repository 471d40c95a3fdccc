package sim

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
)

type listRow struct {
	URL, Title, Text, Date string
}

// readList reads the rows of a Guizhou list page the way sources.md §4.3
// recommends: ul.NewsList li that have an a[href].
func readList(t *testing.T, pageURL string, body []byte) []listRow {
	t.Helper()
	doc := parse(t, body)
	var rows []listRow
	doc.Find("div.PageMainBox.aBox ul.NewsList li").Each(func(_ int, li *goquery.Selection) {
		a := li.Find("a[href]")
		if a.Length() == 0 {
			return
		}
		title, _ := a.Attr("title")
		rows = append(rows, listRow{
			URL:   links(t, pageURL, li)[0],
			Title: title,
			Text:  a.Text(),
			Date:  li.Find("span").Text(),
		})
	})
	return rows
}

var rePager = regexp.MustCompile(`createPageHTML\((\d+), (\d+), "index", "html"\)`)

func TestGuizhouListPagination(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 9, Items: 70, LargeEvery: -1})
	srv := serve(t, s)
	for _, col := range guizhouColumns {
		t.Run(col.slug, func(t *testing.T) {
			want := releasesOf(s, col.slug)
			pages := (len(want) + 19) / 20
			if pages < 2 {
				t.Fatalf("only %d releases in %s: the test needs several pages", len(want), col.slug)
			}
			dir := srv.URL + col.list
			if first, index := getOK(t, dir), getOK(t, dir+"index.html"); string(first) != string(index) {
				t.Error("the column directory and index.html differ")
			}
			var rows []listRow
			for k := range pages {
				pageURL := dir + guizhouPageName(k)
				body := getOK(t, pageURL)
				got := readList(t, pageURL, body)
				if k < pages-1 && len(got) != guizhouPageSize {
					t.Errorf("page %d has %d rows, want %d", k, len(got), guizhouPageSize)
				}
				m := rePager.FindStringSubmatch(string(body))
				if m == nil || m[1] != fmt.Sprint(pages) || m[2] != fmt.Sprint(k) {
					t.Errorf("page %d pager %v, want createPageHTML(%d, %d, …)", k, m, pages, k)
				}
				rows = append(rows, got...)
			}
			for _, name := range []string{guizhouPageName(pages), "index_0.html", "index_01.html", "index_x.html"} {
				if resp, _ := get(t, dir+name); resp.StatusCode != http.StatusNotFound {
					t.Errorf("%s: status %d, want 404", name, resp.StatusCode)
				}
			}

			var wantRows []listRow
			for _, r := range want {
				wantRows = append(wantRows, listRow{URL: srv.URL + r.Path, Title: r.Title, Text: linkText(r.Title), Date: r.ListDate})
			}
			if diff := cmp.Diff(wantRows, rows); diff != "" {
				t.Errorf("rows across pages (-want +got):\n%s", diff)
			}
			checkListDates(t, rows)
		})
	}
}

// checkListDates checks that rows are newest first and that the three date
// forms all occur.
func checkListDates(t *testing.T, rows []listRow) {
	t.Helper()
	forms := map[string]int{}
	var prev time.Time
	for i, row := range rows {
		d := strings.Join(strings.Fields(row.Date), " ")
		switch {
		case strings.Contains(row.Date, "  "):
			forms["two spaces"]++
		case len(d) == len("2006-01-02"):
			forms["date only"]++
		default:
			forms["minute"]++
		}
		at, err := time.Parse("2006-01-02", d[:10])
		if err != nil {
			t.Fatalf("row %d date %q: %v", i, row.Date, err)
		}
		if i > 0 && at.After(prev) {
			t.Errorf("row %d (%s) is newer than the row above it", i, row.Date)
		}
		prev = at
		if !strings.HasPrefix(row.Title, strings.TrimSuffix(row.Text, "…")) {
			t.Errorf("row %d: link text %q is not a prefix of the title %q", i, row.Text, row.Title)
		}
	}
	if len(forms) != 3 {
		t.Errorf("date forms %v, want all three", forms)
	}
}

func TestGuizhouDetailMatchesRelease(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 13, Items: 40, LargeEvery: 25})
	srv := serve(t, s)
	var rels []Release
	for _, r := range s.Releases() {
		if r.Site == Guizhou {
			rels = append(rels, r)
		}
	}
	for _, r := range rels {
		t.Run(r.ID, func(t *testing.T) {
			pageURL := srv.URL + r.Path
			doc := parse(t, getOK(t, pageURL))
			got := map[string]string{
				"ArticleTitle":  meta(doc, "ArticleTitle"),
				"PubDate":       meta(doc, "PubDate"),
				"ColumnName":    meta(doc, "ColumnName"),
				"ContentSource": meta(doc, "ContentSource"),
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
			want := map[string]string{
				"ArticleTitle":  r.Title,
				"PubDate":       r.PublishedAt.Format("2006-01-02 15:04"),
				"ColumnName":    r.ColumnName,
				"ContentSource": r.Origin,
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
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("metadata (-want +got):\n%s", diff)
			}
			if !strings.HasSuffix(r.Title, "（"+r.DocNumber+"）") {
				t.Errorf("title %q does not end with its number", r.Title)
			}
			zoom := doc.Find("div.DocHtmlCon.Box #Zoom div.trs_editor_view.TRS_UEDITOR.trs_paper_default.trs_web")
			if diff := cmp.Diff(r.Body, paragraphs(zoom)); diff != "" {
				t.Errorf("body paragraphs (-want +got):\n%s", diff)
			}
			var wantLinks []string
			for _, a := range r.Attachments {
				wantLinks = append(wantLinks, srv.URL+a.Path)
			}
			if diff := cmp.Diff(wantLinks, links(t, pageURL, doc.Find("#Zoom"))); diff != "" {
				t.Errorf("attachment links (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGuizhouPathsFollowTRS(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(`^/guizhou/zwgk/zcfg/szfwj/(qff|qfbf)/(\d{6})/t(\d{8})_(\d{8})\.html$`)
	for _, r := range New(Options{Seed: 2}).Releases() {
		if r.Site != Guizhou {
			continue
		}
		m := re.FindStringSubmatch(r.Path)
		if m == nil {
			t.Errorf("path %s does not match %s", r.Path, re)
			continue
		}
		if m[1] != r.Column || m[2] != r.PublishedAt.Format("200601") || m[3] != r.PublishedAt.Format("20060102") || m[4] != r.ID {
			t.Errorf("path %s disagrees with column %s, date %s, id %s", r.Path, r.Column, r.PublishedAt, r.ID)
		}
	}
}
