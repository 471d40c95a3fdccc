package sim

import (
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// isoDate is a list-row date as the JSON lists write it.
var isoDate = regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)

func TestGovCNShells(t *testing.T) {
	t.Parallel()
	all := []struct {
		dir, file, title string
	}{
		{"/govcn/zhengce/zuixin/", "ZUIXINZHENGCE.json", "最新政策_中国政府网"},
		{"/govcn/zhengce/zhengceku/gwywj/", "TONGYONGGAILAN.json", "国务院文件_中国政府网"},
		{"/govcn/zhengce/zhengceku/bmwj/", "TONGYONGGAILAN.json", "部门文件_中国政府网"},
		{"/govcn/zhengce/jiedu/", "ZCJD_QZ.json", "政策解读_中国政府网"},
	}
	for _, tc := range []struct {
		name    string
		sites   []string
		enabled int // the first enabled shells of all are served
	}{
		{"default", nil, 1},
		{"govcn-all", AllSites(), 4},
		{"no govcn", []string{Guizhou}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := New(Options{Seed: 5, Items: 20, Sites: tc.sites})
			srv := serve(t, s)
			h := host(t, srv)
			var want []string
			for _, sh := range all[:tc.enabled] {
				want = append(want, sh.dir, sh.dir+"index.htm")
			}
			if got := s.Shells(); !slices.Equal(got, want) {
				t.Errorf("Shells() = %v, want %v", got, want)
			}
			for i, sh := range all {
				for _, p := range []string{sh.dir, sh.dir + "index.htm", sh.dir + "home.htm"} {
					served := i < tc.enabled && !strings.HasSuffix(p, "home.htm")
					resp, body := get(t, srv.URL+p)
					if !served {
						if resp.StatusCode != http.StatusNotFound {
							t.Errorf("GET %s: status %d, want 404", p, resp.StatusCode)
						}
						if _, _, ok := s.Body(h, p); ok {
							t.Errorf("Body(%s) ok, want not found", p)
						}
						continue
					}
					checkShell(t, s, srv.URL, h, p, sh.file, sh.title, resp, body)
				}
			}
		})
	}
}

// checkShell checks one served shell: an HTML page like the other gov.cn
// pages whose script loads the JSON list beside it and which holds no row.
func checkShell(t *testing.T, s *Site, base, h, p, file, title string, resp *http.Response, body []byte) {
	t.Helper()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("GET %s: status %d, type %q", p, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp.Header.Get("Last-Modified") == "" || resp.Header.Get("ETag") == "" {
		t.Errorf("GET %s: no Last-Modified or ETag", p)
	}
	if want, _, ok := s.Body(h, p); !ok || !bytes.Equal(want, body) {
		t.Errorf("%s: Body (ok %v) differs from the HTTP body", p, ok)
	}
	ajax := `$.ajax({` + "\n" + `    url: "./` + file + `",` + "\n" + `    type: "get",` + "\n" + `    dataType: "json",` + "\n" + `    success: function (data) {`
	if !bytes.Contains(body, []byte(ajax)) {
		t.Errorf("%s: no $.ajax call of ./%s", p, file)
	}
	// The relative url resolves to the JSON list served beside the shell.
	u, _ := url.Parse(base + p)
	list, _ := u.Parse("./" + file)
	if _, ctype, ok := s.Body(h, list.Path); !ok || ctype != typeJSON {
		t.Errorf("%s: ./%s resolves to %s, not a served JSON list", p, file, list.Path)
	}
	if m := isoDate.Find(body); m != nil {
		t.Errorf("%s: holds the date %s, want no row in the shell", p, m)
	}
	doc := parse(t, body)
	if got := doc.Find("title").Text(); got != title {
		t.Errorf("%s: title %q, want %q", p, got, title)
	}
	for _, sel := range []string{"div.header ul.nav", "div.BreadcrumbNav", "div.footer"} {
		if doc.Find(sel).Length() != 1 {
			t.Errorf("%s: no %s", p, sel)
		}
	}
	box := doc.Find("div#listContent")
	if box.Length() != 1 || box.Children().Length() != 0 || strings.TrimSpace(box.Text()) != "" {
		t.Errorf("%s: #listContent missing or not empty", p)
	}
	doc.Find("a").Each(func(_ int, a *goquery.Selection) {
		if isoDate.MatchString(a.Parent().Text()) {
			t.Errorf("%s: link %q sits next to a date", p, a.Text())
		}
	})
	req, _ := http.NewRequest(http.MethodGet, base+p, nil)
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	cond, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	cond.Body.Close()
	if cond.StatusCode != http.StatusNotModified {
		t.Errorf("%s: conditional GET status %d, want 304", p, cond.StatusCode)
	}
}

// TestGovCNShellStable checks that the shell does not change with new
// releases or a redesign of the JSON lists: its script reads both shapes.
func TestGovCNShellStable(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 5, Items: 10, Sites: AllSites()})
	before, _, _ := s.Body("h", colZuixin.list[:strings.LastIndex(colZuixin.list, "/")+1])
	for range 4 {
		s.Publish()
	}
	s.Redesign(GovCN, true)
	after, _, _ := s.Body("h", "/govcn/zhengce/zuixin/")
	if len(before) == 0 || !bytes.Equal(before, after) {
		t.Error("the 最新政策 shell changed with new releases or the redesign")
	}
	for _, key := range []string{"data.data.list", "row.TITLE || row.title", "row.URL || row.url"} {
		if !bytes.Contains(after, []byte(key)) {
			t.Errorf("the script does not read %q", key)
		}
	}
}

func TestRootLinksShellsAndSearch(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		sites []string
		want  []string
	}{
		{"default", nil, []string{"/govcn/zhengce/zuixin/", searchExample}},
		{"govcn-all", AllSites(), []string{"/govcn/zhengce/zuixin/", "/govcn/zhengce/zhengceku/gwywj/", "/govcn/zhengce/zhengceku/bmwj/", "/govcn/zhengce/jiedu/", searchExample}},
		{"no govcn", []string{County}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := New(Options{Seed: 2, Items: 5, Sites: tc.sites})
			srv := serve(t, s)
			var got []string
			for _, l := range links(t, srv.URL+"/", parse(t, getOK(t, srv.URL+"/")).Find("body")) {
				u, _ := url.Parse(l)
				getOK(t, l) // every entry point is served
				if p := u.RequestURI(); strings.HasSuffix(u.Path, "/") && strings.HasPrefix(p, "/govcn/") || strings.HasPrefix(p, searchPath) {
					got = append(got, p)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("root links gov.cn pages %v, want %v", got, tc.want)
			}
		})
	}
}
