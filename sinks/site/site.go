// Package site is the sink that republishes decided items on the
// committee site: one static page per article, attachments copied into the
// docroot, and column indexes, home page, Atom feed and sitemap rebuilt
// from the record of published articles (DESIGN §8).
package site

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/gyeco/syndicator/sinks/site/render"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/rs/zerolog"
)

// Name is the sink's name: its consumer, its log key and the <sink> token
// of synd.item.published.<sink>.<source>.
const Name = "site"

// Docroot is where pages go (blob.FS or blob.S3).
type Docroot interface {
	Put(ctx context.Context, key string, data []byte, contentType string) error
	PutNew(ctx context.Context, key string, data []byte, contentType string) (created bool, err error)
}

// Bus gives the sink the items of events and lets it announce its work.
type Bus interface {
	Item(ctx context.Context, ev *syndicator.Event) (*syndicator.Item, error)
	Publish(ctx context.Context, ev *syndicator.Event) (duplicate bool, err error)
}

// Archive is where the sink reads what the archive kept before the
// decision to publish: the attachments (once by content,
// Attachment.ArchiveKey) and each revision's item.json, from which a page
// is rendered again (a validity change, a new related document).
type Archive interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

// Claims is the claim-check store, where articles published before the
// sink read items from the archive have their item (record.ItemRef) until
// it expires.
type Claims interface {
	GetClaim(ctx context.Context, name string) ([]byte, error)
}

// Records is the sink's record of published articles (KV synd_site), from
// which every index is rebuilt; any number of site instances share it.
type Records interface {
	GetState(ctx context.Context, bucket, key string, v any) (bool, error)
	PutState(ctx context.Context, bucket, key string, v any) error
	UpdateState(ctx context.Context, bucket, key string, v any, change func(found bool) (bool, error)) error
}

// Sink publishes decided items as article pages.
type Sink struct {
	docroot Docroot
	archive Archive
	bus     Bus
	claims  Claims
	records Records
	render  *render.Renderer
	sources map[string]string // source id -> human name
	log     zerolog.Logger
	now     func() time.Time
}

// Deps are what the sink works with.
type Deps struct {
	Docroot Docroot
	Archive Archive
	Bus     Bus
	Claims  Claims
	Records Records
	Render  *render.Renderer
	// SourceNames maps source ids to the names shown as 来源.
	SourceNames map[string]string
	Log         zerolog.Logger
	// Now stamps publications; nil means time.Now. Tests advance it
	// instead of sleeping through service levels.
	Now func() time.Time
}

// New returns the site sink; it does no I/O.
func New(d Deps) *Sink {
	now := d.Now
	if now == nil {
		now = time.Now
	}
	return &Sink{
		docroot: d.Docroot, archive: d.Archive, bus: d.Bus, claims: d.Claims, records: d.Records,
		render: d.Render, sources: d.SourceNames,
		log: d.Log.With().Str("sink", Name).Logger(),
		now: func() time.Time { return now().UTC() },
	}
}

// Subjects are the events the site consumes: decisions to publish (made
// after archiving, so every attachment link has its archived copy),
// validity changes and withdrawals.
func Subjects() []string {
	return syndicator.ItemFilter(syndicator.KindDecided, syndicator.KindValidity, syndicator.KindWithdrawn)
}

// Handle applies one event. It is idempotent on (id, revision): a revision
// already on the site only repeats the published event, which JetStream
// deduplicates; a validity change or withdrawal already shown is a no-op.
func (s *Sink) Handle(ctx context.Context, ev *syndicator.Event, attempt int) error {
	switch ev.Kind {
	case syndicator.KindDecided:
		if ev.Decision == nil || !ev.Decision.Publish {
			return nil // not for the site: ignored, a duplicate, or rejected
		}
		return s.publish(ctx, ev, attempt)
	case syndicator.KindValidity:
		if ev.Validity == nil || ev.Validity.Gone {
			return nil // a disappeared source page waits for an operator
		}
		return s.changeValidity(ctx, ev)
	case syndicator.KindWithdrawn:
		return s.withdraw(ctx, ev)
	}
	return nil
}

// record is what the sink keeps per article: the index data. The full
// item, to render the page again, is the revision's item.json in the
// archive.
type record struct {
	render.Article
	// ItemRef names the item in the claim-check store on records written
	// before the archive's item.json was read instead; new records leave
	// it empty.
	ItemRef string `json:"item_ref,omitempty"`
	// PageSHA256 is the sha256 of the page as last written: the evidence
	// of what the committee site shows.
	PageSHA256 string `json:"page_sha256,omitempty"`
}

func (s *Sink) publish(ctx context.Context, ev *syndicator.Event, attempt int) error {
	// A redelivery of a revision already on the site only repeats its
	// announcement: no item to read, nothing to store.
	var rec record
	if found, err := s.records.GetState(ctx, syndicator.BucketSite, ev.ID, &rec); err != nil {
		return err
	} else if found && rec.Item.Revision >= ev.Revision {
		return s.announce(ctx, ev, render.ArticlePath(&rec.Article), rec.PageSHA256)
	}
	it, err := s.bus.Item(ctx, ev)
	if err != nil {
		return err
	}
	if ev.Decision.Column != "" {
		it.Column = ev.Decision.Column
	}
	already := false
	// Compare-and-set: a validity change or a related article rendered
	// at the same time is never overwritten; the loser renders again.
	err = s.records.UpdateState(ctx, syndicator.BucketSite, ev.ID, &rec, func(found bool) (bool, error) {
		already = found && rec.Item.Revision >= ev.Revision
		if already {
			return false, nil
		}
		prev := rec
		now := s.now()
		rec = record{Article: render.Article{
			Item: *it, Column: it.Column, SourceName: s.sources[it.Source],
			PublishedAt: now, FirstPublishedAt: now, Updated: found,
		}}
		if found {
			rec.FirstPublishedAt = prev.FirstPublishedAt
			if rec.FirstPublishedAt.IsZero() {
				rec.FirstPublishedAt = prev.PublishedAt
			}
			// A later revision keeps what happened to the document meanwhile.
			rec.Item.Validity, rec.Basis = keepValidity(&prev, it)
			rec.Item.Related = syndicator.MergeRelated(it.Related, prev.Item.Related...)
			rec.Withdrawn = prev.Withdrawn
		}
		return true, s.write(ctx, &rec, it)
	})
	if err != nil {
		return err
	}
	if !already {
		s.log.Info().Str("item_id", ev.ID).Str("source", ev.Source).Int("attempt", attempt).
			Str("path", render.ArticlePath(&rec.Article)).Msg("published")
		if err := s.linkRelated(ctx, &rec); err != nil {
			return err
		}
	}
	return s.announce(ctx, ev, render.ArticlePath(&rec.Article), rec.PageSHA256)
}

// write renders the article from the full item, puts the page, and fills
// the record for the caller to store (without the body, which the item in
// the claim store keeps).
func (s *Sink) write(ctx context.Context, rec *record, it *syndicator.Item) error {
	art := rec.Article
	art.Item.BodyHTML = it.BodyHTML
	loc := render.ArticlePath(&art)
	// The body links to the archived copies, not to the source site.
	up := strings.Repeat("../", strings.Count(loc, "/"))
	local := map[string]string{}
	art.Attachments = nil
	for _, a := range it.Attachments {
		if a.SHA256 == "" {
			continue // not captured: the page keeps the source link
		}
		href, err := s.copyAttachment(ctx, a)
		if err != nil {
			return err
		}
		local[a.URL] = up + href
		if !a.Inline {
			art.Attachments = append(art.Attachments, render.Link{Name: attachmentName(a), Href: href})
		}
	}
	art.Item.BodyHTML = rewriteLinks(art.Item.BodyHTML, local)
	var err error
	if art.Related, art.Basis, err = s.links(ctx, &art.Item); err != nil {
		return err
	}
	page, err := s.render.Article(&art)
	if err != nil {
		return err
	}
	if err := s.docroot.Put(ctx, loc, page, "text/html; charset=utf-8"); err != nil {
		return fmt.Errorf("write %s: %w", loc, err)
	}
	rec.Attachments, rec.Related, rec.Basis = art.Attachments, art.Related, art.Basis
	sum := sha256.Sum256(page)
	rec.PageSHA256 = hex.EncodeToString(sum[:])
	// The record keeps what the indexes need, not the body.
	rec.Item.BodyHTML, rec.Item.BodyText = "", ""
	return nil
}

func (s *Sink) announce(ctx context.Context, ev *syndicator.Event, loc, digest string) error {
	_, err := s.bus.Publish(ctx, &syndicator.Event{
		Kind: syndicator.KindPublished, Sink: Name, ID: ev.ID, Revision: ev.Revision,
		Source: ev.Source, At: s.now(), Location: loc, Digest: digest,
	})
	return err
}

// copyAttachment puts the archived bytes into the docroot under their
// digest, so the page links to a copy that cannot change under it. The
// bytes come from the archive, which kept them before the decision; an
// archive without them (another archive configured for this role than for
// the archive role) is retried, then dead-lettered with that reason.
func (s *Sink) copyAttachment(ctx context.Context, a syndicator.Attachment) (string, error) {
	src := cmp.Or(a.ArchiveKey, syndicator.AttachmentArchiveKey(a.SHA256))
	data, err := s.archive.Get(ctx, src)
	if err != nil {
		return "", fmt.Errorf("read attachment %s from the archive (check that this role's archive settings match the archive role's): %w", src, err)
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != a.SHA256 {
		return "", syndicator.Permanent(fmt.Errorf("archived attachment %s does not have the sha256 the item records (%s)", src, a.SHA256))
	}
	key := "attachments/" + a.SHA256 + extension(a.URL)
	if _, err := s.docroot.PutNew(ctx, key, data, a.ContentType); err != nil {
		return "", fmt.Errorf("write %s: %w", key, err)
	}
	return key, nil
}

var reExt = regexp.MustCompile(`^\.[a-z0-9]{1,5}$`)

// extension keeps a short, safe file extension from the source link so the
// browser opens the copy with the right program.
func extension(rawURL string) string {
	ext := strings.ToLower(path.Ext(strings.SplitN(rawURL, "?", 2)[0]))
	if reExt.MatchString(ext) {
		return ext
	}
	return ""
}

func attachmentName(a syndicator.Attachment) string {
	if strings.TrimSpace(a.Name) != "" {
		return strings.TrimSpace(a.Name)
	}
	return path.Base(a.URL)
}
