// Package render turns republished items into the static pages of the
// committee site (DESIGN §8): article pages, column indexes, the home page,
// the Atom feed and the sitemap. It is pure: every method maps values to
// bytes and touches neither the network nor the disk, so the site sink can
// store the result in a directory or a bucket.
//
// Every link inside an HTML page is relative, so the docroot works under any
// URL prefix. Only the canonical link, the feed and the sitemap use
// Site.BaseURL. Pages carry no script at all and load their CSS from
// style.css (see Renderer.Assets), so a strict Content-Security-Policy
// (default-src 'self') holds.
package render

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"time"

	"github.com/gyeco/syndicator/syndicator"
)

// Well-known docroot paths.
const (
	HomePath = "index.html"
	FeedPath = "feed.xml"
	// SitemapPath is the sitemap index, listing the sitemap files.
	SitemapPath = "sitemap.xml"
	StylePath   = "style.css"
)

// Defaults for the zero values of Site.
const (
	DefaultPageSize = 20
	DefaultHomeSize = 8
	// FeedSize is how many of the newest articles the feed carries.
	FeedSize = 50
)

// ErrInvalid is wrapped by every error caused by the input: an unknown
// column, an unsafe id, a missing title or date, a duplicate article. Such
// errors are also marked syndicator.Permanent: rendering is pure, so a retry
// cannot help.
var ErrInvalid = errors.New("invalid input")

//go:embed templates
var templateFS embed.FS

// Site describes the committee site.
type Site struct {
	// Name is the site name, e.g. "贵阳市生态文明委员会" (the SiteName meta tag).
	Name string
	// BaseURL is the absolute http(s) base for the canonical link, the feed
	// and the sitemap, e.g. "http://127.0.0.1:8080/". Empty means pages get
	// no canonical link and the feed and sitemap use root-relative links
	// ("/zcwj/…").
	BaseURL string
	// Columns in menu order. Column.ID is the path segment of the column.
	Columns []Column
	// PageSize is the number of articles on a column index page; default 20.
	PageSize int
	// HomeSize is the number of latest articles per column on the home
	// page; default 8.
	HomeSize int
	// Chrome is the footer furniture of a government website (网站标识码,
	// 备案号, 主办单位, …); empty fields are left out.
	Chrome Chrome
	// Now gives the feed's <updated> when it has no entries; nil means
	// time.Now.
	Now func() time.Time
}

// Column is one column (栏目) of the site.
type Column struct {
	ID   string // path segment: ASCII letters, digits, '-' and '_', e.g. "zcwj"
	Name string // e.g. "政策文件"
}

// Page is one rendered file: its docroot-relative path and its bytes.
type Page struct {
	Path string
	Body []byte
}

// Renderer renders pages of one site. Build it with New; it holds the
// parsed templates and is safe for concurrent use.
type Renderer struct {
	site    Site
	base    string // normalized BaseURL with a trailing slash, or ""
	columns map[string]Column
	tmpl    *template.Template
	css     []byte
}

// New checks the site description, applies defaults and parses the
// templates once.
func New(s Site) (*Renderer, error) {
	if strings.TrimSpace(s.Name) == "" {
		return nil, fmt.Errorf("render: site name is empty: %w", ErrInvalid)
	}
	base, err := normalizeBase(s.BaseURL)
	if err != nil {
		return nil, err
	}
	if s.PageSize == 0 {
		s.PageSize = DefaultPageSize
	}
	if s.HomeSize == 0 {
		s.HomeSize = DefaultHomeSize
	}
	if s.PageSize < 0 || s.HomeSize < 0 {
		return nil, fmt.Errorf("render: negative page size: %w", ErrInvalid)
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	cols := make(map[string]Column, len(s.Columns))
	for _, c := range s.Columns {
		if !safeSegment(c.ID) {
			return nil, fmt.Errorf("render: column id %q is not a safe path segment: %w", c.ID, ErrInvalid)
		}
		if strings.TrimSpace(c.Name) == "" {
			return nil, fmt.Errorf("render: column %q has no name: %w", c.ID, ErrInvalid)
		}
		if _, dup := cols[c.ID]; dup {
			return nil, fmt.Errorf("render: column %q listed twice: %w", c.ID, ErrInvalid)
		}
		cols[c.ID] = c
	}
	s.Columns = append([]Column(nil), s.Columns...)
	tmpl, err := template.ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("render: parse templates: %w", err)
	}
	css, err := templateFS.ReadFile("templates/" + StylePath)
	if err != nil {
		return nil, fmt.Errorf("render: read style: %w", err)
	}
	return &Renderer{site: s, base: base, columns: cols, tmpl: tmpl, css: css}, nil
}

// Assets returns the static files every page refers to: style.css.
func (r *Renderer) Assets() []Page {
	return []Page{{Path: StylePath, Body: bytes.Clone(r.css)}}
}

// Indexes renders every page that lists articles: the home page, all
// pages of every column, the feed, the sitemap (index and files), the
// 网站地图 page and the 404 page, followed by Assets. arts is every
// article on the site, one per item id. Article pages themselves come
// from Article. The site sink's indexer renders the same pages one at a
// time, only those a change touches.
func (r *Renderer) Indexes(arts []Article) ([]Page, error) {
	home, err := r.Home(arts)
	if err != nil {
		return nil, err
	}
	pages := []Page{{Path: HomePath, Body: home}}
	for _, c := range r.site.Columns {
		cp, err := r.ColumnPages(c.ID, arts)
		if err != nil {
			return nil, err
		}
		pages = append(pages, cp...)
	}
	feed, err := r.Feed(arts)
	if err != nil {
		return nil, err
	}
	pages = append(pages, Page{Path: FeedPath, Body: feed})
	sitemaps, err := r.Sitemaps(arts)
	if err != nil {
		return nil, err
	}
	pages = append(pages, sitemaps...)
	static, err := r.Static()
	if err != nil {
		return nil, err
	}
	return append(pages, static...), nil
}

// Static renders the pages that list no article: the 网站地图 page, the
// 404 page and Assets.
func (r *Renderer) Static() ([]Page, error) {
	sitemapPage, err := r.SitemapPage()
	if err != nil {
		return nil, err
	}
	notFound, err := r.NotFound()
	if err != nil {
		return nil, err
	}
	pages := []Page{{Path: SitemapPagePath, Body: sitemapPage}, {Path: NotFoundPath, Body: notFound}}
	return append(pages, r.Assets()...), nil
}

// execute runs the named page template.
func (r *Renderer) execute(name string, data any) ([]byte, error) {
	var buf bytes.Buffer
	if err := r.tmpl.ExecuteTemplate(&buf, name, data); err != nil {
		return nil, fmt.Errorf("render: execute %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// absURL is the URL of a docroot path for the feed and the sitemap:
// absolute under BaseURL, else root-relative.
func (r *Renderer) absURL(p string) string {
	if r.base == "" {
		return "/" + p
	}
	return r.base + p
}

// normalizeBase checks BaseURL and gives it a trailing slash.
func normalizeBase(raw string) (string, error) {
	if raw == "" {
		return "", nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("render: base url %q: %w", raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("render: base url %q is not an absolute http(s) url without query: %w", raw, ErrInvalid)
	}
	s := u.String()
	if !strings.HasSuffix(s, "/") {
		s += "/"
	}
	return s, nil
}

// invalid reports bad input: it wraps ErrInvalid and is permanent.
func invalid(format string, args ...any) error {
	return syndicator.Permanent(fmt.Errorf("render: "+format+": %w", append(args, ErrInvalid)...))
}

// NewestPerColumn is how many of each column's newest articles Home and
// Feed read: given only those, they render what they render given every
// article, so an index kept per column need not pass the whole site.
func (r *Renderer) NewestPerColumn() int { return max(FeedSize, r.site.HomeSize+1) }

// Columns are the site's columns in menu order.
func (r *Renderer) Columns() []Column { return append([]Column(nil), r.site.Columns...) }
