package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// searchResult is a search API answer read as a client reads it, after
// samples/govcn-search-gov-data.shape.json.
type searchResult struct {
	Code     int    `json:"code"`
	Msg      string `json:"msg"`
	SearchVO struct {
		TotalCount int `json:"totalCount"`
		ListVO     []struct {
			Title      string `json:"title"`
			URL        string `json:"url"`
			Summary    string `json:"summary"`
			ID         string `json:"id"`
			PCode      string `json:"pcode"`
			PubOrg     string `json:"puborg"`
			ChildType  string `json:"childtype"`
			Index      string `json:"index"`
			PubTimeStr string `json:"pubtimeStr"`
			PTime      int64  `json:"ptime"`
		} `json:"listVO"`
	} `json:"searchVO"`
}

// search GETs the search API with query and decodes the answer; it fails
// the test unless the status is 200, the body is what Body returns and
// listVO is an array.
func search(t *testing.T, s *Site, srv *httptest.Server, query string) (searchResult, *http.Response) {
	t.Helper()
	resp, body := get(t, srv.URL+searchPath+"?"+query)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != typeJSON {
		t.Fatalf("search %s: status %d, type %q", query, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if want, _, ok := s.Body(host(t, srv), searchPath+"?"+query); !ok || !bytes.Equal(body, want) {
		t.Errorf("search %s: Body (ok %v) differs from the HTTP body", query, ok)
	}
	if !bytes.Contains(body, []byte(`"listVO":[`)) {
		t.Errorf("search %s: listVO is not an array: %.200s", query, body)
	}
	var res searchResult
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatalf("search %s: %v", query, err)
	}
	return res, resp
}

// listURLs returns the row URLs of a gov.cn JSON list, newest first.
func listURLs(t *testing.T, s *Site, h, list string) []string {
	t.Helper()
	body, _, ok := s.Body(h, list)
	if !ok {
		t.Fatalf("%s not served", list)
	}
	var rows []struct {
		URL string `json:"URL"`
	}
	if err := json.Unmarshal(body, &rows); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		out = append(out, r.URL)
	}
	return out
}

func TestSearchPages(t *testing.T) {
	t.Parallel()
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	s := New(Options{Seed: 11, Items: 60, Sites: AllSites(), LargeEvery: -1})
	s.Publish()
	srv := serve(t, s)
	h := host(t, srv)
	for _, tc := range []struct {
		t       string
		columns []string // Release.Column of the bucket
		list    string   // the JSON list holding the same releases
	}{
		{"zhengcelibrary_gw", []string{"zuixin", "gwywj"}, gwywjList},
		{"zhengcelibrary_bm", []string{"bmwj"}, bmwjList},
	} {
		t.Run(tc.t, func(t *testing.T) {
			t.Parallel()
			var want []Release
			for _, r := range s.Releases() {
				if slices.Contains(tc.columns, r.Column) {
					want = append(want, r)
				}
			}
			if len(want) <= 10 {
				t.Fatalf("%d releases, want more than two pages of 5", len(want))
			}
			var urls []string
			seen := map[string]bool{}
			pages := (len(want) + 4) / 5
			for p := 1; p <= pages+1; p++ {
				res, _ := search(t, s, srv, fmt.Sprintf("t=%s&p=%d&n=5&sort=pubtime", tc.t, p))
				if res.Code != 200 || res.SearchVO.TotalCount != len(want) {
					t.Errorf("p=%d: code %d, totalCount %d, want 200, %d", p, res.Code, res.SearchVO.TotalCount, len(want))
				}
				rows := res.SearchVO.ListVO
				if wantLen := min(5, max(0, len(want)-(p-1)*5)); len(rows) != wantLen {
					t.Errorf("p=%d: %d rows, want %d", p, len(rows), wantLen)
				}
				for _, row := range rows {
					if seen[row.URL] {
						t.Errorf("p=%d: %s on an earlier page too", p, row.URL)
					}
					seen[row.URL] = true
					urls = append(urls, row.URL)
					path, ok := strings.CutPrefix(row.URL, "http://"+h)
					r, known := s.Release(path)
					if _, _, served := s.Body(h, path); !ok || !known || !served {
						t.Errorf("url %s is not a detail page served on the request host", row.URL)
						continue
					}
					at := r.PublishedAt.In(shanghai)
					if row.PTime != at.UnixMilli() || row.PubTimeStr != at.Format("2006.01.02") ||
						time.UnixMilli(row.PTime).In(shanghai).Format("2006.01.02") != row.PubTimeStr {
						t.Errorf("%s: ptime %d, pubtimeStr %q; published %s", path, row.PTime, row.PubTimeStr, at)
					}
					if row.Title != r.Title || row.ID != r.ID || row.PCode != r.DocNumber || row.PubOrg != r.Issuer ||
						row.ChildType != r.Subject || row.Index != r.IndexNumber || row.Summary == "" || r.DocNumber == "" {
						t.Errorf("%s: row %+v does not match the release", path, row)
					}
				}
			}
			// All pages together are the JSON list, in its order: newest
			// first, as want is.
			if l := listURLs(t, s, h, tc.list); !slices.Equal(urls, l) {
				t.Errorf("the pages hold %d rows, not the %d of %s in order", len(urls), len(l), tc.list)
			}
			for i, r := range want {
				if i < len(urls) && urls[i] != "http://"+h+r.Path {
					t.Errorf("row %d is %s, want %s", i, urls[i], r.Path)
					break
				}
			}
			res, _ := search(t, s, srv, "t="+tc.t+"&p=1000&n=5")
			if len(res.SearchVO.ListVO) != 0 || res.SearchVO.TotalCount != len(want) {
				t.Errorf("p=1000: %d rows, totalCount %d", len(res.SearchVO.ListVO), res.SearchVO.TotalCount)
			}
		})
	}
}

func TestSearchParameters(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 11, Items: 60, Sites: AllSites(), LargeEvery: -1})
	srv := serve(t, s)
	all, _ := search(t, s, srv, "t=zhengcelibrary_gw&n=50")
	if all.SearchVO.TotalCount <= 50 {
		t.Fatalf("totalCount %d, want more than 50", all.SearchVO.TotalCount)
	}
	for _, tc := range []struct {
		query string
		code  int
		rows  int
		first int // index into all of the first row, when rows > 0
	}{
		{"t=zhengcelibrary_gw", 200, 20, 0},
		{"t=zhengcelibrary_gw&sort=pubtime&p=2", 200, 20, 20},
		{"t=zhengcelibrary_gw&n=500", 200, 50, 0},
		{"t=zhengcelibrary_gw&n=0&p=0", 200, 20, 0},
		{"t=zhengcelibrary_gw&n=abc&p=-3", 200, 20, 0},
		{"t=zhengcelibrary_gw&n=7&p=3", 200, 7, 14},
		{"t=zhengcelibrary_gw&n=50&p=461168601842738792", 200, 0, 0}, // (p-1)*n would overflow
		{"t=zhengcelibrary", 400, 0, 0},
		{"t=nope&p=1", 400, 0, 0},
		{"", 400, 0, 0},
	} {
		t.Run(tc.query, func(t *testing.T) {
			res, _ := search(t, s, srv, tc.query)
			if res.Code != tc.code || len(res.SearchVO.ListVO) != tc.rows {
				t.Fatalf("code %d with %d rows, want %d with %d", res.Code, len(res.SearchVO.ListVO), tc.code, tc.rows)
			}
			if tc.code != 200 && res.Msg == "" {
				t.Error("an error without msg")
			}
			if tc.rows > 0 && res.SearchVO.ListVO[0].URL != all.SearchVO.ListVO[tc.first].URL {
				t.Errorf("first row %s, want row %d of the whole list", res.SearchVO.ListVO[0].URL, tc.first)
			}
		})
	}
}

// TestSearchServedWithGovCN checks which buckets hold what for each set of
// sites, and that Body reads a query only on the search path.
func TestSearchServedWithGovCN(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		sites    []string
		served   bool
		gw, bm   int
		gwColumn string
	}{
		{"default", nil, true, 12, 0, "zuixin"},
		{"govcn-all", []string{GovCNAll}, true, 15, 6, ""},
		{"guizhou only", []string{Guizhou}, false, 0, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := New(Options{Seed: 3, Items: 12, Sites: tc.sites})
			srv := serve(t, s)
			if !tc.served {
				if resp, _ := get(t, srv.URL+searchExample); resp.StatusCode != http.StatusNotFound {
					t.Errorf("status %d, want 404", resp.StatusCode)
				}
				if _, _, ok := s.Body("h", searchExample); ok {
					t.Error("Body ok, want not found")
				}
				return
			}
			for bucket, want := range map[string]int{"zhengcelibrary_gw": tc.gw, "zhengcelibrary_bm": tc.bm} {
				res, _ := search(t, s, srv, "t="+bucket+"&n=50")
				if res.Code != 200 || res.SearchVO.TotalCount != want || len(res.SearchVO.ListVO) != want {
					t.Errorf("%s: code %d, totalCount %d, %d rows; want %d", bucket, res.Code, res.SearchVO.TotalCount, len(res.SearchVO.ListVO), want)
				}
			}
			for _, p := range []string{govcnList + "?t=zhengcelibrary_gw", "/nope?t=zhengcelibrary_gw", searchPath + "/?t=zhengcelibrary_gw"} {
				if _, _, ok := s.Body("h", p); ok {
					t.Errorf("Body(%s) ok, want not found as before", p)
				}
			}
		})
	}
}

func TestSearchAfterPublish(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		sites   []string
		bucket  string
		columns []string // of the release to wait for
		holds   []string // the columns of the bucket
	}{
		{"最新政策", nil, "zhengcelibrary_gw", []string{"zuixin"}, []string{"zuixin", "gwywj"}},
		{"国务院文件", AllSites(), "zhengcelibrary_gw", []string{"gwywj"}, []string{"zuixin", "gwywj"}},
		{"部门文件", AllSites(), "zhengcelibrary_bm", []string{"bmwj"}, []string{"bmwj"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// New releases come after midnight in Beijing, on the day
			// before in UTC: pubtimeStr must follow Asia/Shanghai.
			shanghai, err := time.LoadLocation("Asia/Shanghai")
			if err != nil {
				t.Fatal(err)
			}
			start := time.Date(2026, 9, 1, 0, 0, 0, 0, shanghai)
			s := New(Options{Seed: 9, Items: 20, Sites: tc.sites, PublishEvery: 20 * time.Minute, Start: start})
			srv := serve(t, s)
			query := "t=" + tc.bucket + "&p=1&n=5&sort=pubtime"
			before, resp := search(t, s, srv, query)
			var r Release
			added := 0
			for range 20 {
				r = s.Publish()
				if slices.Contains(tc.holds, r.Column) {
					added++
				}
				if slices.Contains(tc.columns, r.Column) {
					break
				}
			}
			if !slices.Contains(tc.columns, r.Column) {
				t.Fatalf("20 releases, none in %v", tc.columns)
			}
			after, resp2 := search(t, s, srv, query)
			if got := after.SearchVO.ListVO[0].URL; got != "http://"+host(t, srv)+r.Path {
				t.Errorf("first row %s, want the new %s", got, r.Path)
			}
			top := after.SearchVO.ListVO[0]
			if day := r.PublishedAt.In(shanghai).Format("2006.01.02"); top.PubTimeStr != day || top.PubTimeStr == r.PublishedAt.UTC().Format("2006.01.02") || top.PTime != r.PublishedAt.UnixMilli() {
				t.Errorf("pubtimeStr %q, ptime %d; published %s", top.PubTimeStr, top.PTime, r.PublishedAt)
			}
			if after.SearchVO.TotalCount != before.SearchVO.TotalCount+added || added == 0 {
				t.Errorf("totalCount %d, was %d before %d releases of the bucket", after.SearchVO.TotalCount, before.SearchVO.TotalCount, added)
			}
			if got, want := resp2.Header.Get("Last-Modified"), r.PublishedAt.UTC().Format(http.TimeFormat); got != want {
				t.Errorf("Last-Modified %q, want the new release's %q", got, want)
			}
			for _, tag := range []struct {
				etag string
				want int
			}{{resp.Header.Get("ETag"), http.StatusOK}, {resp2.Header.Get("ETag"), http.StatusNotModified}} {
				req, _ := http.NewRequest(http.MethodGet, srv.URL+searchPath+"?"+query, nil)
				req.Header.Set("If-None-Match", tag.etag)
				cond, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				cond.Body.Close()
				if cond.StatusCode != tag.want {
					t.Errorf("If-None-Match %s: status %d, want %d", tag.etag, cond.StatusCode, tag.want)
				}
			}
		})
	}
}
