package extract

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
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

// Defaults of ListRule fields.
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
// (not JSON, no array at ItemsPath) or a rule that does not compile is an
// error naming what was expected; zero rows is not an error.
func List(body []byte, contentType string, pageURL *url.URL, rule ListRule) ([]ListEntry, error) {
	var pattern *regexp.Regexp
	if rule.LinkPattern != "" {
		var err error
		if pattern, err = regexp.Compile(rule.LinkPattern); err != nil {
			return nil, fmt.Errorf("extract: list link_pattern: %w", err)
		}
	}
	text, _, err := Decode(body, contentType)
	if err != nil {
		return nil, err
	}
	var rows []ListEntry
	switch rule.Kind {
	case KindJSON:
		rows, err = jsonRows(text, pageURL, rule)
	case KindHTML:
		rows, err = htmlRows(text, pageURL, rule)
	default:
		err = fmt.Errorf("extract: list kind %q is not %q or %q", rule.Kind, KindJSON, KindHTML)
	}
	if err != nil {
		return nil, err
	}
	out := rows[:0]
	for _, e := range rows {
		if pattern != nil {
			u, err := url.Parse(e.URL)
			if err != nil || !pattern.MatchString(u.Path) {
				continue
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// entry builds a ListEntry from raw row values; ok is false without a link.
func entry(pageURL *url.URL, rawURL, title, date string) (ListEntry, bool) {
	abs, ok := sanitize.Resolve(pageURL, rawURL)
	if !ok || strings.HasPrefix(abs, "mailto:") {
		return ListEntry{}, false
	}
	e := ListEntry{URL: abs, Title: title}
	if t, prec, ok := parseOrFind(date); ok {
		e.Date, e.Precision = t, prec
	}
	return e, true
}

func jsonRows(text string, pageURL *url.URL, rule ListRule) ([]ListEntry, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("extract: list: expected JSON: %w", err)
	}
	v, ok := lookupPath(doc, rule.ItemsPath)
	arr, isArray := v.([]any)
	if !ok || !isArray {
		where := "top level"
		if rule.ItemsPath != "" {
			where = fmt.Sprintf("items_path %q", rule.ItemsPath)
		}
		return nil, fmt.Errorf("extract: list: expected a JSON array at %s, found %s", where, jsonKind(v, ok))
	}
	urlField := cmpOr(rule.URLField, defaultURLField)
	titleField := cmpOr(rule.TitleField, defaultTitleField)
	dateField := cmpOr(rule.DateField, defaultDateField)
	var out []ListEntry
	for _, row := range arr {
		u, _ := lookupPath(row, urlField)
		t, _ := lookupPath(row, titleField)
		d, _ := lookupPath(row, dateField)
		if e, ok := entry(pageURL, scalar(u), jsonTitle(scalar(t)), scalar(d)); ok {
			out = append(out, e)
		}
	}
	return out, nil
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// lookupPath follows a dotted path ("searchVO.listVO", "data.list.0") into
// a decoded JSON value; "" is the value itself.
func lookupPath(v any, p string) (any, bool) {
	if p == "" {
		return v, true
	}
	for _, key := range strings.Split(p, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[key]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(key)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

func jsonKind(v any, ok bool) string {
	if !ok {
		return "nothing"
	}
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// scalar renders a JSON string or number as text; anything else is "".
func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	}
	return ""
}

// jsonTitle removes the highlighting markup search APIs put in titles
// ("…的<em>通知</em>") and trims; otherwise the title is unaltered.
func jsonTitle(s string) string {
	if strings.ContainsRune(s, '<') {
		if n, err := html.Parse(strings.NewReader(s)); err == nil {
			s = nodeText(n)
		}
	}
	return collapseHTMLSpace(s)
}

func htmlRows(text string, pageURL *url.URL, rule ListRule) ([]ListEntry, error) {
	var errs []error
	parse := func(key, s string) selector {
		sel, err := parseSelector(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", key, err))
		}
		return sel
	}
	item := parse("item", rule.Item)
	link := parse("link", cmpOr(rule.Link, defaultLink))
	title := parse("title", cmpOr(rule.Title, defaultListTitle))
	date := parse("date", cmpOr(rule.Date, defaultListDate))
	if len(errs) > 0 {
		return nil, fmt.Errorf("extract: list rule: %w", errors.Join(errs...))
	}
	if item.css == nil || item.label != "" || link.label != "" || title.label != "" || date.label != "" {
		return nil, errors.New("extract: list rule: item must be a CSS selector and label: is not supported in lists")
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(text))
	if err != nil {
		return nil, fmt.Errorf("extract: list: parse html: %w", err)
	}
	var out []ListEntry
	doc.FindMatcher(item.css).Each(func(_ int, row *goquery.Selection) {
		href, linkNode, ok := link.read(row)
		if !ok {
			return
		}
		t, _, _ := title.read(row)
		t = collapseHTMLSpace(t)
		if t == "" && linkNode != nil {
			t = collapseHTMLSpace(nodeText(linkNode))
		}
		d, _, _ := date.read(row)
		if e, ok := entry(pageURL, href, t, d); ok {
			out = append(out, e)
		}
	})
	return out, nil
}

// NextPageURL returns the URL of list page n (0-based) of a TRS-style
// column whose first page is first: page 0 is first itself, page n is
// index_<n>.html in the same directory (".../" and ".../index.html" give
// ".../index_<n>.html"; another file name "list.htm" gives "list_<n>.htm").
// Query and fragment are dropped from later pages. A nil first gives nil.
func NextPageURL(first *url.URL, n int) *url.URL {
	if first == nil {
		return nil
	}
	u := *first
	if n <= 0 {
		return &u
	}
	u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = "", false, "", ""
	dir, file := path.Split(u.Path)
	if u.Path == "" {
		dir, file = "/", ""
	}
	if file == "" {
		file = "index.html"
	}
	ext := path.Ext(file)
	if ext == "" {
		dir, file, ext = strings.TrimSuffix(u.Path, "/")+"/", "index.html", ".html"
	}
	u.Path = dir + strings.TrimSuffix(file, ext) + "_" + strconv.Itoa(n) + ext
	u.RawPath = ""
	return &u
}
