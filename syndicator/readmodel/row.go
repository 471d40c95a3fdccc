package readmodel

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gyeco/syndicator/syndicator"
)

// State is where an item stands on its path, as operators filter by it.
type State string

const (
	StateNew       State = "new"       // discovered, not decided yet
	StateReview    State = "review"    // waiting for an operator
	StateQueued    State = "queued"    // decided for publication, not live yet
	StateHeld      State = "held"      // decided, not published (waiting for the issuer's page)
	StateDuplicate State = "duplicate" // another site's copy of a document published elsewhere
	StateIgnored   State = "ignored"   // the rules said not to republish
	StateRejected  State = "rejected"  // an operator said no
	StatePublished State = "published" // live on a sink
	StateWithdrawn State = "withdrawn" // taken down
)

// Label is the state as the console shows it.
func (s State) Label() string {
	switch s {
	case StateNew:
		return "待判定"
	case StateReview:
		return "待审核"
	case StateQueued:
		return "待发布"
	case StateHeld:
		return "暂缓"
	case StateDuplicate:
		return "重复"
	case StateIgnored:
		return "不转载"
	case StateRejected:
		return "已驳回"
	case StatePublished:
		return "已发布"
	case StateWithdrawn:
		return "已撤下"
	}
	return string(s)
}

// States lists every state in path order, for filters.
func States() []State {
	return []State{StateNew, StateReview, StateQueued, StateHeld, StateDuplicate, StateIgnored, StateRejected, StatePublished, StateWithdrawn}
}

// Row is one item as the read model holds it: the schema's fields of its
// latest revision, and what happened to it.
type Row struct {
	rid                int64
	ID                 string
	Source             string
	Level              syndicator.Level
	URL                string
	DocKey             string
	Title              string
	DocNumber          string
	IndexNumber        string
	Issuer             string
	Subject            string
	DocType            string
	Origin             string
	WrittenAt          string
	PublishedAt        time.Time
	PublishedPrecision syndicator.Precision
	Validity           syndicator.Validity
	ContentSHA256      string
	Revision           int
	Column             string
	FetchedAt          time.Time
	ExtractedBy        string // the latest revision's: "fallback" when the generic readers read it
	DiscoveredAt       time.Time
	Backfilled         bool
	Baseline           bool
	Attachments        []syndicator.Attachment
	Related            []syndicator.Related

	Class       syndicator.Class
	Rule        string
	Publish     bool
	DuplicateOf string
	Reason      string
	DecidedAt   time.Time
	Outcome     syndicator.Outcome
	Reviewer    string
	Comment     string
	ReviewedAt  time.Time

	ArchivedAt        time.Time
	PublishedOnSiteAt time.Time
	Location          string
	WithdrawnAt       time.Time
	WithdrawReason    string
	Gone              bool
	State             State
	// FirstSeq and LastSeq are the stream sequences of the first and the
	// latest event of the item.
	FirstSeq, LastSeq uint64

	dirty   bool  // touched in the current batch
	sortKey int64 // as stored; the rowid of its items_fts row, when it has one
}

// Searches list items by their date: publication at the source, else
// when found; the same minute in the order they were first projected.
// The key packs both, minutes above the low 24 bits of rid, so that it is
// unique (for 16 million items a minute) and orders like the pair.
// Minutes rather than seconds keep the gaps between neighbouring keys, and
// so the full-text index that stores them, small.
const keyRidBits = 24

// key is the item's sort key from its date and rid.
func (r *Row) key() int64 {
	return dateKey(r.date()) | r.rid&(1<<keyRidBits-1)
}

// date is what searches sort and filter items by.
func (r *Row) date() time.Time {
	if !r.PublishedAt.IsZero() {
		return r.PublishedAt
	}
	return r.DiscoveredAt
}

// dateKey is the lowest sort key of the minute of t.
func dateKey(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix() / 60 << keyRidBits
}

// columns is the items table's column list in Row order (rid first).
const columns = `rid, id, source, level, url, doc_key, title, doc_number, index_number, issuer, subject, doc_type, origin,
	written_at, published_at, published_precision, validity, content_sha256, revision, column_id, fetched_at,
	extracted_by, discovered_at, backfilled, baseline, attachments, related, class, rule, publish, duplicate_of, reason, decided_at,
	outcome, reviewer, comment, reviewed_at, archived_at, published_on_site_at, location, withdrawn_at,
	withdraw_reason, gone, state, sort_key, first_seq, last_seq`

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

func scanRow(sc scanner) (*Row, error) {
	var r Row
	var pub, fetched, disc, decided, reviewed, archived, site, withdrawn int64
	var backfilled, baseline, publish, gone int
	var atts, rel string
	var first, last int64
	err := sc.Scan(&r.rid, &r.ID, &r.Source, &r.Level, &r.URL, &r.DocKey, &r.Title, &r.DocNumber, &r.IndexNumber,
		&r.Issuer, &r.Subject, &r.DocType, &r.Origin, &r.WrittenAt, &pub, &r.PublishedPrecision, &r.Validity,
		&r.ContentSHA256, &r.Revision, &r.Column, &fetched, &r.ExtractedBy, &disc, &backfilled, &baseline, &atts, &rel, &r.Class,
		&r.Rule, &publish, &r.DuplicateOf, &r.Reason, &decided, &r.Outcome, &r.Reviewer, &r.Comment, &reviewed,
		&archived, &site, &r.Location, &withdrawn, &r.WithdrawReason, &gone, &r.State, &r.sortKey, &first, &last)
	if err != nil {
		return nil, err
	}
	r.PublishedAt, r.FetchedAt, r.DiscoveredAt = fromNanos(pub), fromNanos(fetched), fromNanos(disc)
	r.DecidedAt, r.ReviewedAt, r.ArchivedAt = fromNanos(decided), fromNanos(reviewed), fromNanos(archived)
	r.PublishedOnSiteAt, r.WithdrawnAt = fromNanos(site), fromNanos(withdrawn)
	r.Backfilled, r.Baseline, r.Publish, r.Gone = backfilled == 1, baseline == 1, publish == 1, gone == 1
	r.FirstSeq, r.LastSeq = uint64(first), uint64(last)
	if atts != "" {
		if err := json.Unmarshal([]byte(atts), &r.Attachments); err != nil {
			return nil, fmt.Errorf("item %s attachments: %w", r.ID, err)
		}
	}
	if rel != "" {
		if err := json.Unmarshal([]byte(rel), &r.Related); err != nil {
			return nil, fmt.Errorf("item %s related: %w", r.ID, err)
		}
	}
	return &r, nil
}

// loadRow reads item id in tx; a missing item is a new Row.
func loadRow(ctx context.Context, b *batch, id string) (*Row, error) {
	r, err := scanRow(b.queryRow(ctx, "SELECT "+columns+" FROM items WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return &Row{ID: id}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read item %s: %w", id, err)
	}
	return r, nil
}

// save writes r, setting its state from what happened to it.
func (r *Row) save(ctx context.Context, b *batch) error {
	r.State = r.state()
	atts, rel := "", ""
	if len(r.Attachments) > 0 {
		b, _ := json.Marshal(r.Attachments)
		atts = string(b)
	}
	if len(r.Related) > 0 {
		b, _ := json.Marshal(r.Related)
		rel = string(b)
	}
	args := []any{r.ID, r.Source, r.Level, r.URL, r.DocKey, r.Title, r.DocNumber, r.IndexNumber, r.Issuer,
		r.Subject, r.DocType, r.Origin, r.WrittenAt, nanos(r.PublishedAt), r.PublishedPrecision, r.Validity,
		r.ContentSHA256, r.Revision, r.Column, nanos(r.FetchedAt), r.ExtractedBy, nanos(r.DiscoveredAt), bit(r.Backfilled),
		bit(r.Baseline), atts, rel, r.Class, r.Rule, bit(r.Publish), r.DuplicateOf, r.Reason, nanos(r.DecidedAt),
		r.Outcome, r.Reviewer, r.Comment, nanos(r.ReviewedAt), nanos(r.ArchivedAt), nanos(r.PublishedOnSiteAt),
		r.Location, nanos(r.WithdrawnAt), r.WithdrawReason, bit(r.Gone), r.State, r.key(),
		int64(r.FirstSeq), int64(r.LastSeq)}
	if r.rid == 0 {
		res, err := b.exec(ctx, insertItem, args...)
		if err != nil {
			return fmt.Errorf("write item %s: %w", r.ID, err)
		}
		r.rid, err = res.LastInsertId()
		return err
	}
	if _, err := b.exec(ctx, updateItem, append(args, r.rid)...); err != nil {
		return fmt.Errorf("write item %s: %w", r.ID, err)
	}
	return nil
}

// Fallback reports whether the generic readers read the item's latest
// revision: the source's selectors matched nothing on its page.
func (r *Row) Fallback() bool { return r.ExtractedBy == syndicator.ExtractedByFallback }

// state is where the item stands, from what happened to it.
func (r *Row) state() State {
	reviewed := r.Outcome == syndicator.OutcomeApproved || r.Outcome == syndicator.OutcomeRejected ||
		r.Outcome == syndicator.OutcomeKeep || r.Outcome == syndicator.OutcomeWithdraw
	switch {
	case !r.WithdrawnAt.IsZero():
		return StateWithdrawn
	case r.Gone && !reviewed && !r.PublishedOnSiteAt.IsZero():
		return StateReview
	case !r.PublishedOnSiteAt.IsZero():
		return StatePublished
	case r.Outcome == syndicator.OutcomeRejected:
		return StateRejected
	case r.Class == syndicator.ClassReview && !reviewed, r.Gone && !reviewed:
		return StateReview
	case r.Class == syndicator.ClassIgnore:
		return StateIgnored
	case r.DuplicateOf != "":
		return StateDuplicate
	case r.Class != "" && r.Publish:
		return StateQueued
	case r.Class != "":
		return StateHeld
	}
	return StateNew
}

// setItem takes the schema's fields of a revision.
func (r *Row) setItem(it *syndicator.Item) {
	r.Source, r.Level, r.URL, r.Title, r.DocNumber = it.Source, it.Level, it.URL, it.Title, it.DocNumber
	if it.DocKey != "" {
		r.DocKey = it.DocKey
	}
	r.IndexNumber, r.Issuer, r.Subject, r.DocType, r.Origin = it.IndexNumber, it.Issuer, it.Subject, it.DocType, it.Origin
	r.WrittenAt, r.PublishedAt, r.PublishedPrecision, r.Validity = it.WrittenAt, it.PublishedAt, it.PublishedPrecision, it.Validity
	r.ContentSHA256, r.Revision, r.FetchedAt = it.ContentSHA256, max(r.Revision, it.Revision), it.FetchedAt
	r.ExtractedBy = it.ExtractedBy
	if r.Column == "" {
		r.Column = it.Column
	}
	if r.DiscoveredAt.IsZero() {
		r.DiscoveredAt = it.DiscoveredAt
	}
	r.Backfilled, r.Baseline = r.Backfilled || it.Backfilled, r.Baseline || it.Baseline
	r.Attachments, r.Related = it.Attachments, it.Related
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func bit(b bool) int {
	if b {
		return 1
	}
	return 0
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
