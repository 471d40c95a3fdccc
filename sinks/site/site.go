// Package site is the sink that republishes archived items on the
// committee site: one static page per article, attachments copied into the
// docroot, and column indexes, home page, Atom feed and sitemap rebuilt
// from the record of published articles (DESIGN §8).
package site

import (
	"context"
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

// Bus gives the sink claim-checked bytes and lets it announce its work.
type Bus interface {
	Item(ctx context.Context, ev *syndicator.Event) (*syndicator.Item, error)
	GetClaim(ctx context.Context, name string) ([]byte, error)
	Publish(ctx context.Context, ev *syndicator.Event) (duplicate bool, err error)
}

// Records is the sink's record of published articles (KV synd_site), from
// which every index is rebuilt; any number of site instances share it.
type Records interface {
	GetState(ctx context.Context, bucket, key string, v any) (bool, error)
	PutState(ctx context.Context, bucket, key string, v any) error
}

const bucketSite = "synd_site"

// Sink publishes archived items as article pages.
type Sink struct {
	docroot Docroot
	bus     Bus
	records Records
	render  *render.Renderer
	sources map[string]string // source id -> human name
	log     zerolog.Logger
	now     func() time.Time
}

// New returns the site sink; it does no I/O. sourceNames maps source ids
// to the names shown as 来源.
func New(docroot Docroot, bus Bus, records Records, r *render.Renderer, sourceNames map[string]string, log zerolog.Logger) *Sink {
	return &Sink{
		docroot: docroot, bus: bus, records: records, render: r, sources: sourceNames,
		log: log.With().Str("sink", Name).Logger(),
		now: func() time.Time { return time.Now().UTC() },
	}
}

// Subjects are the events the site consumes: only archived items are
// republished, so every attachment link has its archived copy.
func Subjects() []string { return []string{"synd.item.archived.>"} }

// Handle publishes one archived revision. It is idempotent on (id,
// revision): a revision already on the site only repeats the published
// event, which JetStream deduplicates.
func (s *Sink) Handle(ctx context.Context, ev *syndicator.Event, attempt int) error {
	var prev render.Article
	found, err := s.records.GetState(ctx, bucketSite, ev.ID, &prev)
	if err != nil {
		return err
	}
	if found && prev.Item.Revision >= ev.Revision {
		return s.announce(ctx, ev, render.ArticlePath(&prev))
	}
	it, err := s.bus.Item(ctx, ev)
	if err != nil {
		return err
	}
	now := s.now()
	art := render.Article{
		Item: *it, Column: it.Column, SourceName: s.sources[it.Source],
		PublishedAt: now, FirstPublishedAt: now, Updated: found,
	}
	if found {
		art.FirstPublishedAt = prev.FirstPublishedAt
		if art.FirstPublishedAt.IsZero() {
			art.FirstPublishedAt = prev.PublishedAt
		}
	}
	loc := render.ArticlePath(&art)
	// The body links to the archived copies, not to the source site.
	up := strings.Repeat("../", strings.Count(loc, "/"))
	local := map[string]string{}
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
	page, err := s.render.Article(&art)
	if err != nil {
		return err
	}
	if err := s.docroot.Put(ctx, loc, page, "text/html; charset=utf-8"); err != nil {
		return fmt.Errorf("write %s: %w", loc, err)
	}
	// The record keeps what the indexes need, not the body.
	art.Item.BodyHTML, art.Item.BodyText = "", ""
	if err := s.records.PutState(ctx, bucketSite, ev.ID, &art); err != nil {
		return err
	}
	s.log.Info().Str("item_id", ev.ID).Str("source", ev.Source).Int("attempt", attempt).Str("path", loc).Msg("published")
	return s.announce(ctx, ev, loc)
}

func (s *Sink) announce(ctx context.Context, ev *syndicator.Event, loc string) error {
	_, err := s.bus.Publish(ctx, &syndicator.Event{
		Kind: syndicator.KindPublished, Sink: Name, ID: ev.ID, Revision: ev.Revision,
		Source: ev.Source, At: s.now(), Location: loc,
	})
	return err
}

// copyAttachment puts the archived bytes into the docroot under their
// digest, so the page links to a copy that cannot change under it.
func (s *Sink) copyAttachment(ctx context.Context, a syndicator.Attachment) (string, error) {
	data, err := s.bus.GetClaim(ctx, syndicator.AttachmentRef(a.SHA256))
	if err != nil {
		return "", err
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
