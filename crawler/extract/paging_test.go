package extract

import (
	"testing"

	"github.com/gyeco/syndicator/config"
)

func TestQueryPageURL(t *testing.T) {
	tests := []struct {
		first, param string
		n            int
		want         string
	}{
		// The first page's number is kept as the base: 1-based, 0-based.
		{"https://s.gov.cn/search-gov/data?t=zhengcelibrary_gw&p=1&n=20&sort=pubtime", "p", 1, "https://s.gov.cn/search-gov/data?t=zhengcelibrary_gw&p=2&n=20&sort=pubtime"},
		{"https://s.gov.cn/api/list?pageNo=0&size=10", "pageNo", 3, "https://s.gov.cn/api/list?pageNo=3&size=10"},
		// Absent: the first page is page 1, the parameter is appended.
		{"https://x.gov.cn/news/list.jsp?channel=12", "page", 1, "https://x.gov.cn/news/list.jsp?channel=12&page=2"},
		{"https://x.gov.cn/news/", "page", 2, "https://x.gov.cn/news/?page=3"},
		// Other parameters keep their spelling; a fragment is dropped.
		{"https://x.gov.cn/l?q=%E7%8E%AF%E5%A2%83&page=x#top", "page", 1, "https://x.gov.cn/l?q=%E7%8E%AF%E5%A2%83&page=2"},
		// Only the named parameter counts, not one that merely contains it.
		{"https://x.gov.cn/l?pagesize=20&page=1", "page", 1, "https://x.gov.cn/l?pagesize=20&page=2"},
	}
	for _, tc := range tests {
		first := mustURL(t, tc.first)
		if got := QueryPageURL(first, tc.param, tc.n); got.String() != tc.want {
			t.Errorf("QueryPageURL(%q, %q, %d) = %q, want %q", tc.first, tc.param, tc.n, got, tc.want)
		}
		if first.String() != tc.first {
			t.Errorf("QueryPageURL modified its argument: %q", first)
		}
	}
}

func TestPageURL(t *testing.T) {
	first := mustURL(t, "https://x.gov.cn/zcwj/index.html?x=1")
	tests := []struct {
		rule config.ListRule
		n    int
		want string // "" = nil
	}{
		{config.ListRule{Kind: config.KindHTML}, 0, "https://x.gov.cn/zcwj/index.html?x=1"},
		{config.ListRule{Kind: config.KindHTML}, 2, "https://x.gov.cn/zcwj/index_2.html"},
		{config.ListRule{Kind: config.KindHTML, PageParam: "page"}, 2, "https://x.gov.cn/zcwj/index.html?x=1&page=3"},
		{config.ListRule{Kind: config.KindJSON}, 0, "https://x.gov.cn/zcwj/index.html?x=1"},
		{config.ListRule{Kind: config.KindJSON}, 1, ""},
		{config.ListRule{Kind: config.KindJSON, PageParam: "x"}, 1, "https://x.gov.cn/zcwj/index.html?x=2"},
		{config.ListRule{Kind: config.KindFeed}, 1, ""},
	}
	for _, tc := range tests {
		got := PageURL(first, tc.n, tc.rule)
		switch {
		case tc.want == "" && got != nil:
			t.Errorf("PageURL(%+v, %d) = %q, want nil (the list does not page)", tc.rule, tc.n, got)
		case tc.want != "" && (got == nil || got.String() != tc.want):
			t.Errorf("PageURL(%+v, %d) = %v, want %q", tc.rule, tc.n, got, tc.want)
		}
	}
	if PageURL(nil, 0, config.ListRule{Kind: config.KindHTML}) != nil {
		t.Error("PageURL(nil) != nil")
	}
}

func TestValidatePageParam(t *testing.T) {
	for param, ok := range map[string]bool{"page": true, "pageNo": true, "p": true, "page=1": false, "a&b": false, "页": false, "a b": false} {
		err := ValidateList(config.ListRule{Kind: config.KindJSON, PageParam: param})
		if (err == nil) != ok {
			t.Errorf("page_param %q: err %v, want ok=%v", param, err, ok)
		}
	}
}
