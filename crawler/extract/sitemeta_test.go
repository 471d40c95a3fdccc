package extract

import (
	"testing"
	"time"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/syndicator"
)

// After a redesign the rule's title, published and metadata selectors all
// miss; the TRS platform's meta tags ArticleTitle, PubDate and
// ContentSource still say what the page is.
func TestSiteMetaTagsAfterARedesign(t *testing.T) {
	page := []byte(`<!DOCTYPE html><html><head><meta charset="utf-8">
<title>改版后的页面_贵阳市人民政府</title>
<meta name="ArticleTitle" content="贵阳市人民政府关于加强饮用水水源地保护的通知">
<meta name="PubDate" content="2026-04-02 09:15">
<meta name="ContentSource" content="市生态环境局">
</head><body>
<div class="new-head"><span class="big">贵阳市人民政府关于加强饮用水水源地保护的通知</span></div>
<div class="new-article"><p>为进一步加强饮用水水源地保护，保障人民群众饮水安全，经市人民政府同意，现就有关事项通知如下。</p>
<p>一、各区（市、县）人民政府要落实属地责任，开展水源地环境问题排查整治，确保按期完成。</p></div>
</body></html>`)
	rule := config.DetailRule{Title: []string{"h1.old-title"}, Body: []string{"#Zoom"}, Published: []string{"div.old-date"}, MetaLists: []string{"div.old-info"}}
	p, err := Detail(page, "text/html", mustURL(t, "https://www.guiyang.gov.cn/zwgk/202604/t20260402_1.html"), rule)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 4, 2, 9, 15, 0, 0, syndicator.Shanghai)
	if p.Title != "贵阳市人民政府关于加强饮用水水源地保护的通知" || !p.PublishedAt.Equal(want) || p.PublishedPrecision != syndicator.PrecisionMinute || p.Origin != "市生态环境局" {
		t.Errorf("title %q, published %v (%s), origin %q: want the meta tags' values", p.Title, p.PublishedAt, p.PublishedPrecision, p.Origin)
	}
	if !p.BodyByDensity || len(p.Unmatched) == 0 {
		t.Errorf("by density %v, unmatched %v: want the body found by density and the missed selectors named", p.BodyByDensity, p.Unmatched)
	}
	// A page its rule still reads keeps what the rule reads: the tags add
	// nothing (an origin gained would re-announce items as revisions).
	p, _ = Detail([]byte(`<html><head><title>通知</title><meta name="ContentSource" content="市生态环境局"><meta name="PubDate" content="2026-04-02 09:15"></head><body><div id="Zoom"><p>正文。</p></div></body></html>`), "text/html",
		mustURL(t, "https://x.gov.cn/t20260402_1.html"), config.DetailRule{Body: []string{"#Zoom"}, Published: []string{"div.date"}})
	if p.Origin != "" || !p.PublishedAt.IsZero() || p.BodyByDensity {
		t.Errorf("origin %q, published %v on a page its rule reads: want neither taken from the meta tags", p.Origin, p.PublishedAt)
	}
	// A page without the tags keeps what the rule reads: no origin invented.
	p, _ = Detail([]byte(`<html><head><title>通知</title></head><body><div id="Zoom"><p>正文。</p></div></body></html>`), "text/html",
		mustURL(t, "https://x.gov.cn/t20260402_1.html"), rule)
	if p.Origin != "" || !p.PublishedAt.IsZero() {
		t.Errorf("origin %q, published %v from a page without meta tags", p.Origin, p.PublishedAt)
	}
}
