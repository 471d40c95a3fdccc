package sim

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file serves the paged JSON search of the gov.cn 政策文件库, after
// sources.md §3.3 (GET https://sousuo.www.gov.cn/search-gov/data) and
// samples/govcn-search-gov-data.shape.json, for the one-bucket form
// t=zhengcelibrary_gw|zhengcelibrary_bm whose rows sit in searchVO.listVO.
//
// Query parameters: t picks the bucket (zhengcelibrary_gw: the 国务院文件,
// the 最新政策 ones included, the releases of the 国务院文件 JSON list;
// zhengcelibrary_bm: the 部门文件); p is the 1-based page (default 1), n the
// rows per page (default 20, at most 50); rows come newest first whatever
// sort says, since sort=pubtime is the only order simulated. q and the
// other parameters of the real API are ignored. Any other t (the all-bucket
// t=zhengcelibrary included) gets HTTP 200 with "code":400, a msg and an
// empty listVO, as a JSON API reports a bad parameter; a page past the end
// gets an empty listVO.

const (
	searchPath = "/govcn/search-gov/data"
	// searchExample is the search URL the root page links.
	searchExample = searchPath + "?t=zhengcelibrary_gw&p=1&n=20&sort=pubtime"

	searchBucketGW = "zhengcelibrary_gw"
	searchBucketBM = "zhengcelibrary_bm"

	searchPageSize = 20
	searchMaxSize  = 50
)

type searchResponse struct {
	Code     int          `json:"code"`
	Msg      string       `json:"msg"`
	SearchVO searchVO     `json:"searchVO"`
	ParamsVO searchParams `json:"paramsVO"`
}

type searchVO struct {
	TotalCount  int         `json:"totalCount"`
	CurrentPage int         `json:"currentPage"`
	TotalPage   int         `json:"totalpage"`
	ListVO      []searchRow `json:"listVO"`
}

// searchParams echoes the parameters as the server understood them.
type searchParams struct {
	T    string `json:"t"`
	P    int    `json:"p"`
	N    int    `json:"n"`
	Sort string `json:"sort"`
}

type searchRow struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	URL        string `json:"url"`
	Summary    string `json:"summary"`
	PCode      string `json:"pcode"`     // 发文字号
	PubOrg     string `json:"puborg"`    // 发文机关
	ChildType  string `json:"childtype"` // 主题分类
	Index      string `json:"index"`     // 索引号; "" on 政策文件库 pages
	PubTimeStr string `json:"pubtimeStr"`
	PTime      int64  `json:"ptime"` // epoch ms
	PubTime    int64  `json:"pubtime"`
}

// splitSearch cuts the query off a path given to Body, but only for the
// search API: any other path keeps its "?…", and so stays unserved as
// before.
func splitSearch(path string) (string, string) {
	if p, q, ok := strings.Cut(path, "?"); ok && p == searchPath {
		return p, q
	}
	return path, ""
}

// searchParamsOf reads the query string; bad or missing numbers take their
// defaults, as a lenient server does.
func searchParamsOf(rawQuery string) searchParams {
	q, _ := url.ParseQuery(rawQuery) // keeps what parsed before an error
	sp := searchParams{T: q.Get("t"), P: 1, N: searchPageSize, Sort: q.Get("sort")}
	// Pages beyond a million are all past the end; the cap keeps
	// (p-1)*n from overflowing.
	if p, err := strconv.Atoi(q.Get("p")); err == nil && p >= 1 {
		sp.P = min(p, 1_000_000)
	}
	if n, err := strconv.Atoi(q.Get("n")); err == nil && n >= 1 {
		sp.N = min(n, searchMaxSize)
	}
	return sp
}

// searchPage answers the search API. Caller holds s.mu.
func (s *Site) searchPage(host, rawQuery string) page {
	sp := searchParamsOf(rawQuery)
	resp := searchResponse{Code: 200, Msg: "操作成功", ParamsVO: sp}
	resp.SearchVO.CurrentPage = sp.P
	resp.SearchVO.ListVO = []searchRow{}
	modified := s.start

	var col column
	switch sp.T {
	case searchBucketGW:
		col = colGWYWJ
	case searchBucketBM:
		col = colBMWJ
	default:
		resp.Code, resp.Msg = 400, "参数t有误：应为zhengcelibrary_gw或zhengcelibrary_bm"
		return page{body: encodeSearch(resp), ctype: typeJSON, modified: modified}
	}
	// jsonRows gives the rows of the JSON list of that name, also where
	// govcn-all does not serve the list: the 最新政策 releases alone.
	_, items := s.jsonRows(col)
	modified = s.newest(items)
	newest := slices.Clone(items)
	slices.Reverse(newest)
	resp.SearchVO.TotalCount = len(newest)
	resp.SearchVO.TotalPage = (len(newest) + sp.N - 1) / sp.N
	if from := (sp.P - 1) * sp.N; from < len(newest) {
		for _, it := range newest[from:min(from+sp.N, len(newest))] {
			resp.SearchVO.ListVO = append(resp.SearchVO.ListVO, searchRowOf(host, it, s.start.Location()))
		}
	}
	return page{body: encodeSearch(resp), ctype: typeJSON, modified: modified}
}

// searchRowOf is the row of a release. Its url is absolute on host, as in
// the JSON lists.
func searchRowOf(host string, it *item, loc *time.Location) searchRow {
	r := &it.Release
	return searchRow{
		ID:         r.ID,
		Title:      r.Title,
		URL:        "http://" + host + r.Path,
		Summary:    description(it),
		PCode:      r.DocNumber,
		PubOrg:     r.Issuer,
		ChildType:  r.Subject,
		Index:      r.IndexNumber,
		PubTimeStr: r.PublishedAt.In(loc).Format("2006.01.02"),
		PTime:      r.PublishedAt.UnixMilli(),
		PubTime:    r.PublishedAt.UnixMilli(),
	}
}

func encodeSearch(resp searchResponse) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(resp); err != nil {
		panic(err) // unreachable: only strings and numbers
	}
	return b.Bytes()
}
