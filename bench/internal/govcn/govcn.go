// Package govcn is the extraction the floor and Colly contenders share: the
// six fields and the body text of a gov.cn Template A page, read with
// goquery as a plain scraper would, into a record.Record.
package govcn

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/PuerkitoBio/goquery"

	"github.com/gyeco/syndicator/bench/internal/record"
)

// LinkPattern is the govcn presets' filter of list rows (config/presets.go):
// policy pages only, special topics and news dropped.
var LinkPattern = regexp.MustCompile(`/zhengce/(.*/)?content_\d+\.html?$`)

// beijing is the zone gov.cn's times are written in.
var beijing = time.FixedZone("CST", 8*3600)

// Detail reads a detail page's document root.
func Detail(doc *goquery.Selection, pageURL string) (record.Record, error) {
	rec := record.Record{URL: pageURL, Title: clean(doc.Find("div.share-title").First().Text())}
	labels := map[string]*string{"发文字号": &rec.DocNumber, "发文机关": &rec.Issuer}
	var written string
	labels["成文日期"] = &written
	doc.Find("table.bd1 td").Each(func(_ int, td *goquery.Selection) {
		label := strings.TrimSuffix(squeeze(td.Text()), "：")
		if dst, ok := labels[label]; ok {
			*dst = clean(td.Next().Text())
		}
	})
	if written != "" {
		t, err := time.ParseInLocation("2006年01月02日", written, beijing)
		if err != nil {
			return rec, fmt.Errorf("%s: 成文日期 %q: %w", pageURL, written, err)
		}
		rec.Written = t.Format(time.DateOnly)
	}
	if pub, ok := doc.Find(`meta[name="firstpublishedtime"]`).Attr("content"); ok {
		t, err := time.ParseInLocation("2006-01-02-15:04:05", strings.TrimSpace(pub), beijing)
		if err != nil {
			return rec, fmt.Errorf("%s: firstpublishedtime %q: %w", pageURL, pub, err)
		}
		rec.Published = t.Format(time.RFC3339)
	}
	rec.BodySHA256, rec.BodyRunes = record.BodyDigest(doc.Find("#UCAP-CONTENT").First().Text())
	return rec, nil
}

// List returns the detail page URLs of a gov.cn list JSON that pass
// LinkPattern, resolved against the list's URL, in list order.
func List(data []byte, listURL *url.URL) ([]string, error) {
	var rows []struct {
		URL string `json:"URL"`
	}
	if err := json.Unmarshal(data, &rows); err != nil {
		return nil, fmt.Errorf("list %s: %w", listURL, err)
	}
	var out []string
	for _, r := range rows {
		u, err := listURL.Parse(r.URL)
		if err != nil || !LinkPattern.MatchString(u.Path) {
			continue
		}
		out = append(out, u.String())
	}
	return out, nil
}

// clean collapses white space runs to one space and trims.
func clean(s string) string { return strings.Join(strings.Fields(s), " ") }

// squeeze removes every white-space rune (&nbsp; and U+3000 included):
// labels are spaced out (索&nbsp;引&nbsp;号, 标　　题).
func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}
