package extract

import (
	"encoding/xml"
	"errors"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"golang.org/x/net/html"
)

// Namespaces of the feed elements read besides the item's own.
const (
	nsAtom = "http://www.w3.org/2005/Atom"
	nsDC   = "http://purl.org/dc/elements/1.1/"
)

// feedDoc holds what a feed says about its items: RSS 2.0 (rss > channel >
// item), RSS 1.0 (rdf:RDF > item) and Atom 1.0 (feed > entry).
type feedDoc struct {
	XMLName xml.Name
	Channel struct {
		Items []feedItem `xml:"item"`
	} `xml:"channel"`
	Items   []feedItem `xml:"item"`  // RSS 1.0
	Entries []feedItem `xml:"entry"` // Atom
}

// feedItem is an RSS item or an Atom entry; each fills the fields of its
// own vocabulary.
type feedItem struct {
	Title     feedText   `xml:"title"`
	Links     []feedLink `xml:"link"` // RSS <link>URL</link>, Atom and atom:link <link href rel/>
	GUID      feedGUID   `xml:"guid"`
	ID        string     `xml:"id"`
	PubDate   string     `xml:"pubDate"`
	DCDate    string     `xml:"http://purl.org/dc/elements/1.1/ date"`
	Published string     `xml:"published"`
	Updated   string     `xml:"updated"`
}

type feedText struct {
	Type  string `xml:"type,attr"`
	Text  string `xml:",chardata"`
	Inner string `xml:",innerxml"`
}

type feedLink struct {
	XMLName xml.Name
	Href    string `xml:"href,attr"`
	Rel     string `xml:"rel,attr"`
	Text    string `xml:",chardata"`
}

type feedGUID struct {
	IsPermaLink string `xml:"isPermaLink,attr"`
	Text        string `xml:",chardata"`
}

// feedRows reads the items of an RSS or Atom feed in document order. text is
// already UTF-8 (Decode read the XML declaration), so the declared encoding
// is not applied again. HTML entities such as &nbsp; are accepted.
func feedRows(text string, pageURL *url.URL, st *listStats) ([]ListEntry, error) {
	dec := xml.NewDecoder(strings.NewReader(text))
	dec.Strict = false
	dec.Entity = xml.HTMLEntity
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	var doc feedDoc
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &pageError{msg: "expected an RSS or Atom feed, found no XML element", zh: "页面不是 RSS 或 Atom 订阅源（没有 XML 元素）"}
		}
		return nil, &pageError{msg: "expected an RSS or Atom feed", zh: "页面不是有效的 XML 订阅源（" + err.Error() + "）", err: err}
	}
	var items []feedItem
	switch strings.ToLower(doc.XMLName.Local) {
	case "rss":
		items = doc.Channel.Items
	case "rdf":
		items = doc.Items
	case "feed":
		items = doc.Entries
	default:
		return nil, &pageError{
			msg: "expected an RSS or Atom feed, found <" + doc.XMLName.Local + ">",
			zh:  "页面不是 RSS 或 Atom 订阅源（根元素为 <" + doc.XMLName.Local + ">）",
		}
	}
	var out []ListEntry
	for _, it := range items {
		abs, ok := st.resolve(pageURL, it.link())
		if !ok {
			continue
		}
		e := ListEntry{URL: abs, Title: it.Title.plain()}
		for _, d := range []string{it.PubDate, it.Published, it.Updated, it.DCDate} {
			if t, prec, ok := ParseFeedTime(d); ok {
				e.Date, e.Precision = t, prec
				break
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// link returns the item's page: the RSS <link> text, else an Atom link with
// rel alternate (or none), else a permalink guid or an http(s) Atom id.
func (it feedItem) link() string {
	for _, l := range it.Links {
		if l.XMLName.Space != nsAtom && strings.TrimSpace(l.Text) != "" {
			return strings.TrimSpace(l.Text)
		}
	}
	for _, l := range it.Links {
		if rel := strings.TrimSpace(l.Rel); (rel == "" || rel == "alternate") && strings.TrimSpace(l.Href) != "" {
			return l.Href
		}
	}
	if g := strings.TrimSpace(it.GUID.Text); g != "" && it.GUID.IsPermaLink != "false" && isHTTP(g) {
		return g
	}
	if id := strings.TrimSpace(it.ID); isHTTP(id) {
		return id
	}
	return ""
}

func isHTTP(s string) bool {
	s = strings.ToLower(s)
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// plain is the title as text: Atom type="xhtml" titles lose their markup,
// type="html" titles and RSS titles holding tags are rendered as text.
func (t feedText) plain() string {
	if strings.EqualFold(strings.TrimSpace(t.Type), "xhtml") {
		if n, err := html.Parse(strings.NewReader(t.Inner)); err == nil {
			return collapseHTMLSpace(nodeText(n))
		}
	}
	return plainTitle(t.Text)
}

// ParseFeedTime parses a feed date: RFC 3339 (Atom; with or without
// seconds and fraction), RFC 1123 / RFC 822 (RSS pubDate: optional weekday,
// two- or four-digit year, optional seconds, a numeric zone "+0800" /
// "+08:00" or a name: UT, UTC, GMT, Z, the US zones of RFC 822, and CST
// read as China Standard Time since these are Chinese sources), and every
// ParseTime layout. A value without a zone is Beijing time. The result is in
// Beijing time with second precision when seconds are given, else minute
// (day for a date alone).
func ParseFeedTime(s string) (time.Time, syndicator.Precision, bool) {
	s = collapseSpace(s)
	if s == "" {
		return time.Time{}, "", false
	}
	for _, l := range [...]struct {
		layout string
		prec   syndicator.Precision
	}{
		{time.RFC3339Nano, syndicator.PrecisionSecond},
		{"2006-01-02T15:04Z07:00", syndicator.PrecisionMinute},
	} {
		if t, err := time.Parse(l.layout, s); err == nil {
			return t.In(syndicator.Shanghai), l.prec, true
		}
	}
	if t, prec, ok := parseRFC822(s); ok {
		return t, prec, true
	}
	if t, prec, err := ParseTime(s); err == nil {
		return t, prec, true
	}
	return time.Time{}, "", false
}

// rfc822Zone returns the offset of an RFC 822 §5.1 zone name, except that
// CST is China Standard Time: Chinese feeds mean it by CST.
func rfc822Zone(name string) (offset int, ok bool) {
	const h = 3600
	switch strings.ToUpper(name) {
	case "UT", "UTC", "GMT", "Z":
		return 0, true
	case "EST", "CDT":
		return -5 * h, true
	case "EDT":
		return -4 * h, true
	case "MST":
		return -7 * h, true
	case "MDT":
		return -6 * h, true
	case "PST":
		return -8 * h, true
	case "PDT":
		return -7 * h, true
	case "CST", "BJT":
		return 8 * h, true
	}
	return 0, false
}

// monthAbbr is read only.
var monthAbbr = [...]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

// parseRFC822 reads "[Mon, ]2 Jan 2006 15:04[:05] [zone]".
func parseRFC822(s string) (time.Time, syndicator.Precision, bool) {
	if i := strings.IndexByte(s, '('); i > 0 { // "… +0800 (CST)"
		s = s[:i]
	}
	f := strings.Fields(strings.ReplaceAll(s, ",", " "))
	if len(f) > 0 && len(f[0]) >= 3 && !isDigit(f[0][0]) {
		f = f[1:] // weekday; not checked
	}
	if len(f) < 4 || len(f) > 5 {
		return time.Time{}, "", false
	}
	day, ok1 := atoiN(f[0], 1, 2)
	year, ok2 := atoiN(f[2], 2, 4)
	if !ok1 || !ok2 || len(f[2]) == 3 || len(f[1]) < 3 {
		return time.Time{}, "", false
	}
	month := 0
	for i, m := range monthAbbr {
		if strings.EqualFold(f[1][:3], m) {
			month = i + 1
		}
	}
	if len(f[2]) == 2 {
		year += 1900
		if year < 1969 {
			year += 100
		}
	}
	hms := strings.Split(f[3], ":")
	if month == 0 || len(hms) < 2 || len(hms) > 3 {
		return time.Time{}, "", false
	}
	hour, ok1 := atoiN(hms[0], 1, 2)
	minute, ok2 := atoiN(hms[1], 2, 2)
	sec, ok3, prec := 0, true, syndicator.PrecisionMinute
	if len(hms) == 3 {
		sec, ok3 = atoiN(hms[2], 2, 2)
		prec = syndicator.PrecisionSecond
	}
	if !ok1 || !ok2 || !ok3 || hour > 23 || minute > 59 || sec > 60 {
		return time.Time{}, "", false
	}
	loc := syndicator.Shanghai
	if len(f) == 5 {
		if loc = zoneOf(f[4]); loc == nil {
			return time.Time{}, "", false
		}
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, 0, loc)
	if t.Day() != day {
		return time.Time{}, "", false
	}
	return t.In(syndicator.Shanghai), prec, true
}

// zoneOf reads "+0800", "-05:00", "GMT" or "CST"; nil when unknown.
func zoneOf(z string) *time.Location {
	if off, ok := rfc822Zone(z); ok {
		if off == 8*3600 {
			return syndicator.Shanghai
		}
		return time.FixedZone(strings.ToUpper(z), off)
	}
	if len(z) < 5 || (z[0] != '+' && z[0] != '-') {
		return nil
	}
	digits := strings.Replace(z[1:], ":", "", 1)
	hh, ok1 := atoiN(digits[:min(2, len(digits))], 2, 2)
	mm, ok2 := atoiN(digits[min(2, len(digits)):], 2, 2)
	if !ok1 || !ok2 || hh > 14 || mm > 59 {
		return nil
	}
	off := hh*3600 + mm*60
	if z[0] == '-' {
		off = -off
	}
	return time.FixedZone("", off)
}

// atoiN parses s as a decimal of minLen to maxLen ASCII digits.
func atoiN(s string, minLen, maxLen int) (int, bool) {
	if len(s) < minLen || len(s) > maxLen || !isDigits(s) {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}
