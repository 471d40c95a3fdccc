package site

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/gyeco/syndicator/sinks/site/render"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/rs/zerolog"
)

// Watcher streams the records of published articles: every current one,
// then every change, until ctx ends.
type Watcher interface {
	WatchState(ctx context.Context, bucket, pattern string, fn func(key string, value []byte, deleted bool), initialDone func()) error
}

// Indexer rebuilds the home page, column indexes, feed and sitemap from
// the article records whenever they change, at most once per Settle, so a
// burst of new articles costs one rebuild.
type Indexer struct {
	docroot Docroot
	watch   Watcher
	render  *render.Renderer
	log     zerolog.Logger
	// Settle is the quiet time before a rebuild. Default 300ms.
	Settle time.Duration
}

// NewIndexer returns an indexer; it does no I/O.
func NewIndexer(docroot Docroot, watch Watcher, r *render.Renderer, log zerolog.Logger) *Indexer {
	return &Indexer{docroot: docroot, watch: watch, render: r, log: log.With().Str("sink", Name).Logger(), Settle: 300 * time.Millisecond}
}

// Run keeps the indexes current until ctx ends.
func (x *Indexer) Run(ctx context.Context) error {
	type update struct {
		key   string
		art   *render.Article
		ready bool
	}
	updates := make(chan update, 64)
	watchErr := make(chan error, 1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		watchErr <- x.watch.WatchState(ctx, syndicator.BucketSite, ">", func(key string, value []byte, deleted bool) {
			if strings.HasPrefix(key, relPrefix) {
				return // relations, not articles
			}
			u := update{key: key}
			if !deleted {
				var a render.Article
				if err := json.Unmarshal(value, &a); err != nil {
					x.log.Warn().Err(err).Str("item_id", key).Msg("unreadable article record skipped")
					return
				}
				if a.Withdrawn == "" {
					u.art = &a
				} // a withdrawn article leaves the indexes
			}
			select {
			case updates <- u:
			case <-ctx.Done():
			}
		}, func() {
			select {
			case updates <- update{ready: true}:
			case <-ctx.Done():
			}
		})
	}()

	arts := map[string]render.Article{}
	ready, dirty := false, true
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-watchErr:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("site indexer: %w", err)
		case u := <-updates:
			switch {
			case u.ready:
				ready = true
			case u.art == nil:
				delete(arts, u.key)
			default:
				arts[u.key] = *u.art
			}
			dirty = true
			if ready {
				timer.Reset(x.Settle)
			}
		case <-timer.C:
			if !dirty {
				continue
			}
			if err := x.rebuild(ctx, arts); err != nil {
				x.log.Warn().Err(err).Msg("index rebuild failed; retrying")
				timer.Reset(5 * time.Second)
				continue
			}
			dirty = false
		}
	}
}

func (x *Indexer) rebuild(ctx context.Context, arts map[string]render.Article) error {
	list := make([]render.Article, 0, len(arts))
	for _, a := range arts {
		list = append(list, a)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Item.ID < list[j].Item.ID })
	pages, err := x.render.Indexes(list)
	if err != nil {
		return err
	}
	for _, p := range pages {
		if err := x.docroot.Put(ctx, p.Path, p.Body, contentType(p.Path)); err != nil {
			return fmt.Errorf("write %s: %w", p.Path, err)
		}
	}
	x.log.Debug().Int("articles", len(list)).Int("pages", len(pages)).Msg("indexes rebuilt")
	return nil
}

func contentType(p string) string {
	switch {
	case len(p) > 4 && p[len(p)-4:] == ".xml":
		return "application/xml; charset=utf-8"
	case len(p) > 4 && p[len(p)-4:] == ".css":
		return "text/css; charset=utf-8"
	}
	return "text/html; charset=utf-8"
}
