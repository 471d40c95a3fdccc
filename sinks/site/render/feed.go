package render

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"time"
)

// summaryRunes is the length of an entry summary taken from the body text.
const summaryRunes = 200

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomPerson  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      string         `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published"`
	Links      []atomLink     `xml:"link"`
	Categories []atomCategory `xml:"category"`
	Summary    string         `xml:"summary,omitempty"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr"`
}

// EntryID is the Atom entry id of an item: urn:syndicator:item:<id>. It
// depends on the item id only, so it survives revisions and a change of
// BaseURL.
func EntryID(itemID string) string { return "urn:syndicator:item:" + itemID }

// Feed renders feed.xml, Atom 1.0, with the FeedSize newest articles (same
// order as the column indexes). An entry's <published> is the source's
// publication time, its <updated> the republication time (Article.
// PublishedAt) when later. The feed's <updated> is the latest entry
// <updated>, or Site.Now() without entries. Links are absolute under
// BaseURL, else root-relative.
func (r *Renderer) Feed(arts []Article) ([]byte, error) {
	if err := r.checkAll(arts); err != nil {
		return nil, err
	}
	all := newest(arts, func(*Article) bool { return true })
	f := atomFeed{
		ID:    r.feedID(),
		Title: r.site.Name,
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: r.absURL(FeedPath)},
			{Rel: "alternate", Type: "text/html", Href: r.absURL("")},
		},
		Author: atomPerson{Name: r.site.Name},
	}
	var updated time.Time
	for _, a := range all[:min(len(all), FeedSize)] {
		col := r.columns[a.column()]
		u := a.updatedAt()
		if u.After(updated) {
			updated = u
		}
		f.Entries = append(f.Entries, atomEntry{
			ID:        EntryID(a.Item.ID),
			Title:     a.Item.Title,
			Updated:   atomTime(u),
			Published: atomTime(a.Item.PublishedAt),
			Links: []atomLink{
				{Rel: "alternate", Type: "text/html", Href: r.absURL(ArticlePath(a))},
				{Rel: "via", Href: a.Item.URL},
			},
			Categories: []atomCategory{{Term: col.ID, Label: col.Name}},
			Summary:    summary(a.Item.BodyText, summaryRunes),
		})
	}
	if updated.IsZero() {
		updated = r.site.Now()
	}
	f.Updated = atomTime(updated)
	return marshalXML(f)
}

// feedID is the feed's URL under BaseURL, or without one a URN derived
// from the site name.
func (r *Renderer) feedID() string {
	if r.base != "" {
		return r.base + FeedPath
	}
	sum := sha256.Sum256([]byte(r.site.Name))
	return "urn:syndicator:feed:" + hex.EncodeToString(sum[:8])
}

// atomTime formats t as RFC 3339 in Beijing time.
func atomTime(t time.Time) string { return beijing(t).Format(time.RFC3339) }

// marshalXML encodes v as an indented UTF-8 XML document.
func marshalXML(v any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("render: encode xml: %w", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}
