package render

import (
	"fmt"
	"html/template"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/gyeco/syndicator/syndicator"
)

// Article is what the site needs to render and index one republished item.
type Article struct {
	// Item is the item as read from its source: the title unaltered, the
	// body_html already sanitized upstream.
	Item syndicator.Item
	// Column is the column ID; empty means Item.Column.
	Column string
	// SourceName is the human name of the source site, e.g. "中国政府网";
	// shown as 来源 together with Item.Origin or Item.Issuer.
	SourceName string
	// Attachments link to the archived copies on this site: Href relative
	// to the docroot (e.g. "attachments/<sha256>.pdf"), or absolute http(s).
	Attachments []Link
	// PublishedAt is when the committee republished this revision; used by
	// the 更新 note and as the feed's <updated>.
	PublishedAt time.Time
	// FirstPublishedAt is when the first revision went live, shown as
	// 转载时间: the time auditors measure timeliness by. Zero means
	// PublishedAt (a first revision).
	FirstPublishedAt time.Time
	// Updated shows the 更新 note (revision > 1) with PublishedAt, or
	// Item.FetchedAt when PublishedAt is zero.
	Updated bool
	// Basis links the decision that repealed, expired or amended the
	// document (本文件已废止（依据《…》）); Href as for Attachments.
	Basis *Link
	// Related are the policy's interpretations and the interpretation's
	// policy, by kind (syndicator.RelInterpretation, RelOriginal).
	Related []RelatedLink
	// Withdrawn, when set, is the notice of a copy taken down by an
	// operator; the page stays, the indexes drop it.
	Withdrawn string
}

// RelatedLink is a link to a related document; Href as for Attachments.
type RelatedLink struct {
	Kind string
	Link
}

// Link is a named link.
type Link struct{ Name, Href string }

// column is the column ID of the article.
func (a *Article) column() string {
	if a.Column != "" {
		return a.Column
	}
	return a.Item.Column
}

// updatedAt is when the article last changed on the site: the later of
// the republication time and the source's publication time.
func (a *Article) updatedAt() time.Time {
	if a.PublishedAt.After(a.Item.PublishedAt) {
		return a.PublishedAt
	}
	return a.Item.PublishedAt
}

// articleView is the data of the article template.
type articleView struct {
	Page        pageView
	Title       string
	Banner      *banner
	Updated     string
	Rows        []row
	Body        template.HTML
	Attachments []Link
	Related     []relatedGroup
	Withdrawn   string
	ColumnName  string
	ColumnHref  string
}

// relatedGroup is one 相关解读 / 相关文件 box.
type relatedGroup struct {
	Kind, Heading string
	Links         []Link
}

// row is one labelled row of the attribution block; Href makes the value
// a link.
type row struct{ Label, Value, Href string }

// Article renders the article page, to be stored at ArticlePath(a).
func (r *Renderer) Article(a *Article) ([]byte, error) {
	col, err := r.check(a)
	if err != nil {
		return nil, err
	}
	v, err := r.articleView(a, col)
	if err != nil {
		return nil, err
	}
	return r.execute("article.html", v)
}

func (r *Renderer) articleView(a *Article, col Column) (articleView, error) {
	p, it := ArticlePath(a), &a.Item
	meta := []metaTag{
		{Name: "ArticleTitle", Content: it.Title},
		{Name: "PubDate", Content: pubDateMeta(it.PublishedAt, it.PublishedPrecision)},
		{Name: "ContentSource", Content: contentSource(a)},
		{Name: "ColumnName", Content: col.Name},
	}
	v := articleView{
		Page:       r.page(p, it.Title+"_"+r.site.Name, col.ID, meta),
		Title:      it.Title,
		Banner:     validityBanner(it.Validity),
		Rows:       attributionRows(a),
		ColumnName: col.Name,
		ColumnHref: relPath(p, ColumnPagePath(col.ID, 0)),
		// BodyHTML was sanitized upstream by the crawler (an allow-list
		// sanitizer: no script, no event handlers, no javascript: URLs), so
		// it is inserted as trusted HTML.
		Body: template.HTML(it.BodyHTML),
	}
	v.Page.Canonical = r.canonical(p)
	if a.Updated {
		at := a.PublishedAt
		if at.IsZero() {
			at = it.FetchedAt
		}
		if at.IsZero() {
			return articleView{}, invalid("article %s is updated but has no time", it.ID)
		}
		v.Updated = "更新：" + beijing(at).Format(layoutCNMinute)
		if it.Revision > 0 {
			v.Updated += fmt.Sprintf("（第%d版）", it.Revision)
		}
	}
	v.Withdrawn = a.Withdrawn
	if v.Banner != nil && a.Basis != nil {
		href, err := linkFrom(p, a.Basis.Href)
		if err != nil {
			return articleView{}, invalid("article %s: validity basis: %v", it.ID, err)
		}
		v.Banner.Basis = &Link{Name: a.Basis.Name, Href: href}
	}
	for _, kind := range []string{syndicator.RelInterpretation, syndicator.RelOriginal} {
		g := relatedGroup{Kind: kind, Heading: "相关解读"}
		if kind == syndicator.RelOriginal {
			g.Heading = "相关文件"
		}
		for _, l := range a.Related {
			if l.Kind != kind {
				continue
			}
			href, err := linkFrom(p, l.Href)
			if err != nil {
				return articleView{}, invalid("article %s: related: %v", it.ID, err)
			}
			g.Links = append(g.Links, Link{Name: l.Name, Href: href})
		}
		if len(g.Links) > 0 {
			v.Related = append(v.Related, g)
		}
	}
	for _, l := range a.Attachments {
		href, err := linkFrom(p, l.Href)
		if err != nil {
			return articleView{}, invalid("article %s: attachment: %v", it.ID, err)
		}
		name := strings.TrimSpace(l.Name)
		if name == "" {
			name = path.Base(l.Href)
		}
		v.Attachments = append(v.Attachments, Link{Name: name, Href: href})
	}
	// Attachments are listed once, in the 附件 block: the body's own list
	// of them goes.
	if len(v.Attachments) > 0 {
		hrefs := make(map[string]bool, len(v.Attachments))
		for _, l := range v.Attachments {
			hrefs[l.Href] = true
		}
		v.Body = template.HTML(dropAttachmentList(it.BodyHTML, hrefs))
	}
	return v, nil
}

// attributionRows lists 来源, 原文链接, 发文字号, 索引号, 发文机关, 成文日期,
// 发布日期, 有效性 and 转载时间. 来源, 原文链接 and 发布日期 are always
// there; 有效性 when it is known; the others only when they have a value.
func attributionRows(a *Article) []row {
	it := &a.Item
	rows := []row{
		{Label: "来源", Value: sourceLabel(a)},
		{Label: "原文链接", Value: it.URL, Href: it.URL},
	}
	optional := []row{
		{Label: "发文字号", Value: it.DocNumber},
		{Label: "索引号", Value: it.IndexNumber},
		{Label: "发文机关", Value: it.Issuer},
		{Label: "成文日期", Value: writtenDateCN(it.WrittenAt)},
	}
	for _, o := range optional {
		if strings.TrimSpace(o.Value) != "" {
			rows = append(rows, o)
		}
	}
	rows = append(rows, row{Label: "发布日期", Value: pubDateCN(it.PublishedAt, it.PublishedPrecision)})
	// An unknown validity is left out rather than shown as 未知.
	if known(it.Validity) {
		rows = append(rows, row{Label: "有效性", Value: it.Validity.Label()})
	}
	first := a.FirstPublishedAt
	if first.IsZero() {
		first = a.PublishedAt
	}
	if !first.IsZero() {
		rows = append(rows, row{Label: "转载时间", Value: beijing(first).Format(layoutCNMinute)})
	}
	return rows
}

// check validates what every page needs from an article and returns its
// column.
func (r *Renderer) check(a *Article) (Column, error) {
	it := &a.Item
	if !safeSegment(it.ID) {
		return Column{}, invalid("article id %q is not a safe path segment", it.ID)
	}
	if it.Title == "" {
		return Column{}, invalid("article %s has no title", it.ID)
	}
	if it.PublishedAt.IsZero() {
		return Column{}, invalid("article %s has no publication time", it.ID)
	}
	if u, err := url.Parse(it.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Column{}, invalid("article %s: original url %q is not absolute http(s)", it.ID, it.URL)
	}
	if contentSource(a) == "" {
		return Column{}, invalid("article %s has no source to attribute", it.ID)
	}
	col, ok := r.columns[a.column()]
	if !ok {
		return Column{}, invalid("article %s: unknown column %q", it.ID, a.column())
	}
	return col, nil
}

// checkAll validates a list of articles: each one, and one per item id.
func (r *Renderer) checkAll(arts []Article) error {
	seen := make(map[string]bool, len(arts))
	for i := range arts {
		if _, err := r.check(&arts[i]); err != nil {
			return err
		}
		id := arts[i].Item.ID
		if seen[id] {
			return invalid("article %s listed twice", id)
		}
		seen[id] = true
	}
	return nil
}
