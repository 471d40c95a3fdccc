package readmodel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gyeco/syndicator/syndicator"
)

// Query selects items. Zero fields select everything.
type Query struct {
	// Text is searched in title, 发文字号 and body: each space-separated
	// term of three characters or more must occur in one of them; a
	// shorter term (two Chinese characters are common) in title or
	// 发文字号 only.
	Text     string
	Source   string
	Class    syndicator.Class
	State    State
	Validity syndicator.Validity
	// ExtractedBy selects the items whose latest revision was read so:
	// syndicator.ExtractedByFallback for those the generic readers read.
	ExtractedBy string
	// From and To bound the item's date (its publication at the source,
	// else when it was found), to the minute: From <= date < To.
	From, To time.Time
	// Page counts from 1; PerPage defaults to 50, at most 200.
	Page, PerPage int
}

// CountCap is the most matches a search counts.
const CountCap = 1000

// Page is one page of a search.
type Page struct {
	Items []*Row
	// Total counts the matches up to CountCap; More says there are more.
	Total   int
	More    bool
	Page    int
	PerPage int
}

// Pages is how many pages the search has.
func (p Page) Pages() int {
	if p.PerPage == 0 {
		return 0
	}
	return (p.Total + p.PerPage - 1) / p.PerPage
}

// Search returns one page of the items q selects, newest first.
func (s *Store) Search(ctx context.Context, q Query) (Page, error) {
	q.PerPage = min(max(q.PerPage, 0), 200)
	if q.PerPage == 0 {
		q.PerPage = 50
	}
	q.Page = max(q.Page, 1)
	from, where, args := q.filter()
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	// Counting stops past CountCap: "more than 1,000" is all a person
	// needs, and counting every match of a common word is most of a
	// search's time.
	var total int
	if err := s.r.QueryRowContext(ctx, "SELECT count(*) FROM (SELECT 1 FROM "+from+cond+" LIMIT ?)", append(args, CountCap+1)...).Scan(&total); err != nil {
		return Page{}, fmt.Errorf("search items: %w", err)
	}
	// Newest first by sort key: with text, FTS5 walks its matches in
	// rowid (sort key) order and stops at the page.
	order := " ORDER BY items.sort_key DESC"
	if strings.Contains(from, "items_fts") {
		order = " ORDER BY items_fts.rowid DESC"
	}
	rows, err := s.r.QueryContext(ctx, "SELECT "+qualifiedColumns+" FROM "+from+cond+order+" LIMIT ? OFFSET ?",
		append(args, q.PerPage, (q.Page-1)*q.PerPage)...)
	if err != nil {
		return Page{}, fmt.Errorf("search items: %w", err)
	}
	defer rows.Close()
	out := Page{Total: min(total, CountCap), More: total > CountCap, Page: q.Page, PerPage: q.PerPage, Items: []*Row{}}
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return Page{}, fmt.Errorf("search items: %w", err)
		}
		out.Items = append(out.Items, r)
	}
	return out, rows.Err()
}

// filter is q as a FROM clause (items, joined to their full-text index
// when q has text to look up there) and conditions.
func (q Query) filter() (from string, where []string, args []any) {
	from = "items"
	var phrases []string
	for _, term := range strings.Fields(q.Text) {
		if utf8.RuneCountInString(term) >= 3 {
			phrases = append(phrases, `"`+strings.ReplaceAll(term, `"`, `""`)+`"`)
		}
	}
	if len(phrases) > 0 {
		from = "items_fts JOIN items ON items.sort_key = items_fts.rowid"
		where = append(where, "items_fts MATCH ?")
		args = append(args, strings.Join(phrases, " AND "))
	}
	eq := func(col string, v string) {
		if v != "" {
			where = append(where, "items."+col+" = ?")
			args = append(args, v)
		}
	}
	eq("source", q.Source)
	eq("class", string(q.Class))
	eq("state", string(q.State))
	eq("validity", string(q.Validity))
	eq("extracted_by", q.ExtractedBy)
	// Dates bound the sort key; with text, the full-text index's rowid
	// (the same key), so that FTS5 reads only the matches in the period.
	key := "items.sort_key"
	if len(phrases) > 0 {
		key = "items_fts.rowid"
	}
	if !q.From.IsZero() {
		where = append(where, key+" >= ?")
		args = append(args, dateKey(q.From))
	}
	if !q.To.IsZero() {
		where = append(where, key+" < ?")
		args = append(args, dateKey(q.To))
	}
	for _, term := range strings.Fields(q.Text) {
		if utf8.RuneCountInString(term) < 3 {
			like := "%" + escapeLike(term) + "%"
			where = append(where, `(items.title LIKE ? ESCAPE '\' OR items.doc_number LIKE ? ESCAPE '\')`)
			args = append(args, like, like)
		}
	}
	return from, where, args
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// ErrNotFound is returned for an item the read model does not hold.
var ErrNotFound = errors.New("not in the read model")

// Item is one item by id.
func (s *Store) Item(ctx context.Context, id string) (*Row, error) {
	r, err := scanRow(s.r.QueryRowContext(ctx, "SELECT "+columns+" FROM items WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("item %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("item %s: %w", id, err)
	}
	return r, nil
}

// Revision is the text of one revision of an item.
type Revision struct {
	Revision      int
	Title         string
	BodyText      string
	ContentSHA256 string
	ExtractedBy   string // "fallback" when the generic readers read this revision
	At            time.Time
	Seq           uint64
}

// Fallback reports whether the generic readers read this revision.
func (r Revision) Fallback() bool { return r.ExtractedBy == syndicator.ExtractedByFallback }

// Revisions are the item's revisions, oldest first.
func (s *Store) Revisions(ctx context.Context, id string) ([]Revision, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT revision, title, body_text, content_sha256, extracted_by, at, seq FROM revisions WHERE item_id = ? ORDER BY revision", id)
	if err != nil {
		return nil, fmt.Errorf("revisions of %s: %w", id, err)
	}
	defer rows.Close()
	var out []Revision
	for rows.Next() {
		var r Revision
		var at, seq int64
		if err := rows.Scan(&r.Revision, &r.Title, &r.BodyText, &r.ContentSHA256, &r.ExtractedBy, &at, &seq); err != nil {
			return nil, fmt.Errorf("revisions of %s: %w", id, err)
		}
		r.At, r.Seq = fromNanos(at), uint64(seq)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Sightings are the items of the same document (same doc_key), this one
// included, oldest first.
func (s *Store) Sightings(ctx context.Context, id string) ([]*Row, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT "+columns+` FROM items WHERE id = ? OR (doc_key != '' AND doc_key = (SELECT doc_key FROM items WHERE id = ?)) ORDER BY first_seq`, id, id)
	if err != nil {
		return nil, fmt.Errorf("sightings of %s: %w", id, err)
	}
	defer rows.Close()
	var out []*Row
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return nil, fmt.Errorf("sightings of %s: %w", id, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
