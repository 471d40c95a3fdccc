package sim

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// listPaths returns the list paths among s.Paths(), by Release.Site.
func listPaths(s *Site) map[string][]string {
	out := map[string][]string{}
	for _, p := range s.Paths() {
		if _, ok := s.Release(p); ok || p == "/" || p == "/robots.txt" || strings.HasSuffix(p, ".pdf") {
			continue
		}
		site, _, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
		out[site] = append(out[site], p)
	}
	return out
}

func snapshot(s *Site) map[string][]byte {
	m := map[string][]byte{}
	for _, p := range s.Paths() {
		m[p], _, _ = s.Body("h", p)
	}
	return m
}

// rowLinks reads the rows of any list, before or after the redesign, as
// "path|title|date" strings.
func rowLinks(t *testing.T, site, path string, body []byte) []string {
	t.Helper()
	var out []string
	if site == GovCN {
		var rows []map[string]string
		if err := json.Unmarshal(body, &rows); err != nil {
			var v2 struct {
				Code int `json:"code"`
				Data struct {
					List  []map[string]string `json:"list"`
					Total int                 `json:"total"`
				} `json:"data"`
			}
			if err := json.Unmarshal(body, &v2); err != nil || v2.Code != 200 || v2.Data.Total != len(v2.Data.List) {
				t.Fatalf("%s: neither a row array nor the redesigned envelope: %v", path, err)
			}
			for _, row := range v2.Data.List {
				out = append(out, strings.TrimPrefix(row["url"], "http://h")+"|"+row["title"]+"|"+row["docRelPubTime"])
			}
			return out
		}
		for _, row := range rows {
			out = append(out, strings.TrimPrefix(row["URL"], "http://h")+"|"+row["TITLE"]+"|"+row["DOCRELPUBTIME"])
		}
		return out
	}
	if site == County {
		body = decodeWith(t, simplifiedchinese.GB18030, body)
	}
	base, _ := url.Parse("http://h" + path)
	doc := parse(t, body)
	add := func(a *goquery.Selection, date string) {
		href, _ := a.Attr("href")
		title, _ := a.Attr("title")
		u, _ := base.Parse(href)
		out = append(out, u.Path+"|"+title+"|"+date)
	}
	doc.Find("ul.NewsList li a[href]").Each(func(_ int, a *goquery.Selection) { add(a, a.Next().Text()) })
	doc.Find("div.news-list-v2 > dl > dd").Each(func(_ int, dd *goquery.Selection) { add(dd.Find("a"), dd.Find("em.date").Text()) })
	doc.Find("table.zcwj-list td.bt a").Each(func(_ int, a *goquery.Selection) { add(a, a.Parent().Parent().Find("td.rq").Text()) })
	doc.Find("ul.zcwj-list-v2 > li").Each(func(_ int, li *goquery.Selection) { add(li.Find("span.bt a"), li.Find("span.rq").Text()) })
	return out
}

func TestRedesign(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 19, Items: 45, Sites: AllSites(), LargeEvery: -1})
	// Reprint fills the Guizhou 国务院文件 column, which starts empty.
	if _, err := s.Reprint(Guizhou, releasesOf(s, colZuixin.slug)[0].Path); err != nil {
		t.Fatal(err)
	}
	before := snapshot(s)
	lists := listPaths(s)
	for _, site := range []string{GovCN, Guizhou, Guiyang, County} {
		t.Run(site, func(t *testing.T) {
			if len(lists[site]) == 0 {
				t.Fatal("no lists")
			}
			s.Redesign(site, true)
			after := snapshot(s)
			for p, b := range before {
				changed := !bytes.Equal(b, after[p])
				if isList := slices.Contains(lists[site], p); changed != isList {
					t.Errorf("%s: changed %v, but list of %s %v", p, changed, site, isList)
				}
			}
			for _, p := range lists[site] {
				old, now := rowLinks(t, site, p, before[p]), rowLinks(t, site, p, after[p])
				if site == County { // the redesign also writes ISO dates
					for i, row := range old {
						j := strings.LastIndex(row, "|")
						old[i] = row[:j] + strings.NewReplacer("年", "-", "月", "-", "日", "").Replace(row[j:])
					}
				}
				if len(old) == 0 && !strings.Contains(p, "sxfzwj") {
					t.Errorf("%s: no rows", p)
				}
				if diff := cmp.Diff(old, now); diff != "" {
					t.Errorf("%s: the redesigned rows differ (-before +after):\n%s", p, diff)
				}
			}
			s.Redesign(site, false)
			for p, b := range snapshot(s) {
				if !bytes.Equal(b, before[p]) {
					t.Errorf("%s: bytes differ after switching back", p)
				}
			}
		})
	}
}

func TestRedesignMarkup(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 19, Items: 10, Sites: AllSites(), LargeEvery: -1})
	s.Redesign(GovCNAll, true)
	s.Redesign(GuizhouAll, true)
	s.Redesign(Guiyang, true)
	s.Redesign(County, true)
	s.Redesign("nowhere", true) // ignored
	for path, want := range map[string][]string{
		govcnList:       {`{"code":200,"data":{"list":[{"title":`, `"subTitle":""`, `"docRelPubTime":"`},
		jieduList:       {`{"code":200,"data":{"list":[`},
		colQFF.list:     {`<div class="news-list-v2">`, "<dd><a href="},
		guiyangList:     {`<div class="news-list-v2">`},
		colSXFZWJ.list:  {`<div class="news-list-v2">`},
		countyList:      {`<ul class="zcwj-list-v2">`},
		"/not-a-list/x": nil,
	} {
		body, _, ok := s.Body("h", path)
		if want == nil {
			if ok {
				t.Errorf("%s served", path)
			}
			continue
		}
		if path == countyList {
			body = decodeWith(t, simplifiedchinese.GB18030, body)
		}
		for _, w := range want {
			if !bytes.Contains(body, []byte(w)) {
				t.Errorf("%s: no %q in the redesigned list", path, w)
			}
		}
		for _, old := range []string{`"TITLE"`, `<ul class="NewsList">`, `<table class="zcwj-list"`} {
			if bytes.Contains(body, []byte(old)) {
				t.Errorf("%s: still has %s", path, old)
			}
		}
	}
}
