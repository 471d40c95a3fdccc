package sim

import (
	"bytes"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func decodeWith(t *testing.T, enc encoding.Encoding, body []byte) []byte {
	t.Helper()
	b, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return b
}

// outsideGBK reports whether s has a rune that GBK cannot encode.
func outsideGBK(s string) bool {
	_, err := simplifiedchinese.GBK.NewEncoder().String(s)
	return err != nil
}

func TestCountyIsGB18030(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 22, Items: 40, Sites: []string{County}})
	srv := serve(t, s)
	var rare []Release
	for _, r := range releasesOf(s, "zcwj") {
		if r.Charset != "gb18030" {
			t.Errorf("%s: Charset %q, want gb18030", r.Path, r.Charset)
		}
		if outsideGBK(r.Title + r.Issuer + r.DocNumber) {
			rare = append(rare, r)
		}
	}
	if len(rare) == 0 {
		t.Fatal("no county release has a character outside GBK")
	}
	for _, p := range []string{countyList, countyList + "index_1.html", rare[0].Path} {
		resp, body := get(t, srv.URL+p)
		if got := resp.Header.Get("Content-Type"); got != "text/html; charset=gb2312" {
			t.Errorf("%s: Content-Type %q", p, got)
		}
		if utf8.Valid(body) {
			t.Errorf("%s: the bytes are valid UTF-8, want GB18030", p)
		}
		if !bytes.Contains(body, []byte(`<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />`)) {
			t.Errorf("%s: no meta http-equiv declaring gb2312", p)
		}
	}

	for _, r := range rare {
		body := getOK(t, srv.URL+r.Path)
		doc := parse(t, decodeWith(t, simplifiedchinese.GB18030, body))
		if got := doc.Find("div.article-title").Text(); got != r.Title {
			t.Errorf("GB18030: title %q, want %q", got, r.Title)
		}
		if got := labelCells(doc.Find("div.xxgk-meta"), "发布机构")["发布机构"]; got != r.Issuer {
			t.Errorf("GB18030: 发布机构 %q, want %q", got, r.Issuer)
		}
		// The trap: a GBK decoder, which is what the gb2312 label selects,
		// turns the 4-byte sequences into U+FFFD.
		gbk := string(decodeWith(t, simplifiedchinese.GBK, body))
		if !strings.ContainsRune(gbk, utf8.RuneError) {
			t.Errorf("%s: decoding as GBK did not garble the page", r.Path)
		}
		if strings.Contains(gbk, r.Title) && strings.Contains(gbk, r.Issuer) && strings.Contains(gbk, r.DocNumber) {
			t.Errorf("%s: GBK decoding yields the ground truth; the trap is missing", r.Path)
		}
		// So does golang.org/x/net/html/charset, going by the label.
		rd, err := charset.NewReader(bytes.NewReader(body), "text/html; charset=gb2312")
		if err != nil {
			t.Fatal(err)
		}
		naive, _ := io.ReadAll(rd)
		if bytes.Equal(naive, decodeWith(t, simplifiedchinese.GB18030, body)) {
			t.Errorf("%s: charset.NewReader decodes it right; want the gb2312 label to mislead it", r.Path)
		}
	}
}

type countyRow struct {
	URL, Title, Text, Number, Date string
}

func TestCountyListPagination(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 23, Items: 65, Sites: []string{County}, LargeEvery: -1})
	srv := serve(t, s)
	want := releasesOf(s, "zcwj")
	pages := (len(want) + 19) / 20
	var rows []countyRow
	pageURL := srv.URL + countyList // follow the 下一页 links, as a crawler would
	for k := 0; ; k++ {
		doc := parse(t, decodeWith(t, simplifiedchinese.GB18030, getOK(t, pageURL)))
		n := 0
		doc.Find("table.zcwj-list tr").Each(func(_ int, tr *goquery.Selection) {
			a := tr.Find("td.bt a[href]")
			if a.Length() == 0 {
				return // the header row
			}
			title, _ := a.Attr("title")
			rows = append(rows, countyRow{
				URL: links(t, pageURL, tr.Find("td.bt"))[0], Title: title, Text: a.Text(),
				Number: tr.Find("td.wh").Text(), Date: tr.Find("td.rq").Text(),
			})
			n++
		})
		if k < pages-1 && n != 20 {
			t.Errorf("page %d: %d rows, want 20", k, n)
		}
		if !strings.Contains(doc.Find("div.fenye").Text(), fmt.Sprintf("第%d/%d页", k+1, pages)) {
			t.Errorf("page %d: pager %q", k, doc.Find("div.fenye").Text())
		}
		next, ok := doc.Find(`div.fenye a:contains("下一页")`).Attr("href")
		if !ok {
			if k != pages-1 {
				t.Errorf("no 下一页 on page %d of %d", k, pages)
			}
			break
		}
		u, _ := url.Parse(pageURL)
		pageURL = u.ResolveReference(&url.URL{Path: next}).String()
	}
	var wantRows []countyRow
	for _, r := range want {
		wantRows = append(wantRows, countyRow{URL: srv.URL + r.Path, Title: r.Title, Text: countyLinkText(r.Title), Number: r.DocNumber, Date: r.ListDate})
		if !regexp.MustCompile(`^\d{4}年\d{2}月\d{2}日$`).MatchString(r.ListDate) {
			t.Errorf("list date %q", r.ListDate)
		}
	}
	if diff := cmp.Diff(wantRows, rows); diff != "" {
		t.Errorf("rows across pages (-want +got):\n%s", diff)
	}
}

var reCountyInfo = regexp.MustCompile(`发布时间：(\d{4}-\d{2}-\d{2} \d{2}:\d{2})　来源：(\S+?)　`)

func TestCountyDetailMatchesRelease(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 24, Items: 40, Sites: []string{County}, LargeEvery: 13})
	srv := serve(t, s)
	for _, r := range releasesOf(s, "zcwj") {
		t.Run(r.ID, func(t *testing.T) {
			pageURL := srv.URL + r.Path
			doc := parse(t, decodeWith(t, simplifiedchinese.GB18030, getOK(t, pageURL)))
			got := labelCells(doc.Find("div.xxgk-meta table"), "索引号", "发布机构", "发文字号", "成文日期", "有效性")
			got["title"] = doc.Find("div.article-title").Text()
			if m := reCountyInfo.FindStringSubmatch(doc.Find("div.article-info").Text()); m != nil {
				got["发布时间"], got["来源"] = m[1], m[2]
			}
			want := map[string]string{
				"索引号":   r.IndexNumber,
				"发布机构":  r.Issuer,
				"发文字号":  r.DocNumber,
				"成文日期":  r.WrittenAt.Format("2006年01月02日"),
				"有效性":   r.Validity,
				"title": r.Title,
				"发布时间":  r.PublishedAt.Format("2006-01-02 15:04"),
				"来源":    r.Origin,
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("metadata (-want +got):\n%s", diff)
			}
			content := doc.Find("div.article-content")
			if diff := cmp.Diff(r.Body, paragraphs(content)); diff != "" {
				t.Errorf("body paragraphs (-want +got):\n%s", diff)
			}
			if strings.Contains(content.Text(), "分享到") || !content.Next().HasClass("share") {
				t.Error("div.share is not right after div.article-content")
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
