package extract

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/crawler/sanitize"
	"github.com/gyeco/syndicator/syndicator"
	"golang.org/x/net/html"
)

// ListEntry is one row of a list page.
type ListEntry struct {
	URL       string               `json:"url"`           // absolute URL to fetch, resolved against the list page URL; NOT canonicalised
	Title     string               `json:"title"`         // as on the source (title attribute preferred over truncated link text)
	Date      time.Time            `json:"date,omitzero"` // zero when absent or unparseable
	Precision syndicator.Precision `json:"precision,omitempty"`
}

// Defaults of config.ListRule fields.
const (
	defaultURLField   = "URL"
	defaultTitleField = "TITLE"
	defaultDateField  = "DOCRELPUBTIME"
	defaultLink       = "a[href]@href"
	defaultListTitle  = "a@title"
	defaultListDate   = "span"
)

// List parses one list page and returns its entries in page order. Rows
// without a usable http(s) link are skipped; rows whose resolved URL path
// does not match rule.LinkPattern are dropped. A page of the wrong shape
// (not JSON, no array at ItemsPath, not a feed) or a rule that does not
// compile is an error naming what was expected; zero rows is not an error.
// ListDiagnose explains, for the operator, why a page gave no entries.
func List(body []byte, contentType string, pageURL *url.URL, rule config.ListRule) ([]ListEntry, error) {
	entries, _, err := readList(body, contentType, pageURL, rule)
	return entries, err
}

// listStats counts what a list page held at each step from rows to
// entries, for ListDiagnose. Counting costs List nothing measurable.
type listStats struct {
	text     string // the decoded page
	rows     int    // html: elements the item selector matched; json: array rows; feed: items
	links    int    // rows whose link (selector, field, feed link) gave a non-empty value
	badLink  string // the first such value that is not a usable http(s) URL
	usable   int    // rows with a usable link
	rejected string // the first URL path link_pattern rejected
}

// resolve counts one row and resolves its raw link against the page; ok is
// false when the row has no usable http(s) link.
func (st *listStats) resolve(pageURL *url.URL, raw string) (string, bool) {
	st.rows++
	if strings.TrimSpace(raw) == "" {
		return "", false
	}
	st.links++
	abs, ok := sanitize.Resolve(pageURL, raw)
	if !ok || strings.HasPrefix(abs, "mailto:") {
		if st.badLink == "" {
			st.badLink = raw
		}
		return "", false
	}
	st.usable++
	return abs, true
}

// pageError is a list page of the wrong shape or a rule that cannot run.
// Error is English for logs; zh is the operator's explanation that
// ListDiagnose returns.
type pageError struct {
	msg, zh string
	err     error
}

func (e *pageError) Error() string {
	if e.err != nil {
		return "extract: list: " + e.msg + ": " + e.err.Error()
	}
	return "extract: list: " + e.msg
}

func (e *pageError) Unwrap() error { return e.err }

// readList is List with the counts ListDiagnose needs.
func readList(body []byte, contentType string, pageURL *url.URL, rule config.ListRule) ([]ListEntry, *listStats, error) {
	st := &listStats{}
	var pattern *regexp.Regexp
	if rule.LinkPattern != "" {
		var err error
		if pattern, err = regexp.Compile(rule.LinkPattern); err != nil {
			return nil, st, &pageError{msg: "link_pattern", zh: "link_pattern 无法编译：" + err.Error(), err: err}
		}
	}
	text, cs, err := Decode(body, contentType)
	if err != nil {
		cause := cmp.Or(errors.Unwrap(err), err)
		return nil, st, &pageError{msg: "decode " + cs, zh: "页面无法按 " + cs + " 解码：" + cause.Error(), err: cause}
	}
	st.text = text
	var rows []ListEntry
	switch rule.Kind {
	case config.KindJSON:
		rows, err = jsonRows(text, pageURL, rule, st)
	case config.KindHTML:
		rows, err = htmlRows(text, pageURL, rule, st)
	case config.KindFeed:
		rows, err = feedRows(text, pageURL, st)
	default:
		err = &pageError{
			msg: fmt.Sprintf("list kind %q is not %q, %q or %q", rule.Kind, config.KindJSON, config.KindHTML, config.KindFeed),
			zh:  fmt.Sprintf("列表类型 %q 不是 json、html 或 feed", rule.Kind),
		}
	}
	if err != nil {
		return nil, st, err
	}
	out := rows[:0]
	for _, e := range rows {
		if pattern != nil {
			u, err := url.Parse(e.URL)
			if err != nil || !pattern.MatchString(u.Path) {
				if st.rejected == "" && err == nil {
					st.rejected = u.Path
				}
				continue
			}
		}
		out = append(out, e)
	}
	return out, st, nil
}

// newEntry builds a ListEntry from a resolved link and raw title and date
// texts (html and json rows).
func newEntry(abs, title, date string) ListEntry {
	e := ListEntry{URL: abs, Title: title}
	if t, prec, ok := parseOrFind(date); ok {
		e.Date, e.Precision = t, prec
	}
	return e
}

// plainTitle removes markup some sources put in titles (search APIs'
// "…的<em>通知</em>", feed titles of type html) and trims; otherwise the
// title is unaltered.
func plainTitle(s string) string {
	if strings.ContainsRune(s, '<') {
		if n, err := html.Parse(strings.NewReader(s)); err == nil {
			s = nodeText(n)
		}
	}
	return collapseHTMLSpace(s)
}

func htmlRows(text string, pageURL *url.URL, rule config.ListRule, st *listStats) ([]ListEntry, error) {
	var errs []error
	parse := func(key, s string) selector {
		sel, err := parseSelector(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", key, err))
		}
		return sel
	}
	item := parse("item", rule.Item)
	link := parse("link", cmp.Or(rule.Link, defaultLink))
	title := parse("title", cmp.Or(rule.Title, defaultListTitle))
	date := parse("date", cmp.Or(rule.Date, defaultListDate))
	if len(errs) == 0 && (item.css == nil || item.label != "" || link.label != "" || title.label != "" || date.label != "") {
		errs = append(errs, errors.New("item must be a CSS selector and label: is not supported in lists"))
	}
	if len(errs) > 0 {
		err := errors.Join(errs...)
		return nil, &pageError{msg: "rule", zh: "列表规则无效：" + err.Error(), err: err}
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(text))
	if err != nil { // only reader errors, impossible with a strings.Reader
		return nil, &pageError{msg: "parse html", zh: "页面无法解析为 HTML：" + err.Error(), err: err}
	}
	var out []ListEntry
	doc.FindMatcher(item.css).Each(func(_ int, row *goquery.Selection) {
		href, linkNode, _ := link.read(row)
		abs, ok := st.resolve(pageURL, href)
		if !ok {
			return
		}
		t, _, _ := title.read(row)
		t = collapseHTMLSpace(t)
		if t == "" && linkNode != nil {
			t = collapseHTMLSpace(nodeText(linkNode))
		}
		d, _, _ := date.read(row)
		out = append(out, newEntry(abs, t, d))
	})
	return out, nil
}
