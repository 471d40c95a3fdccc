package site

import (
	"context"
	"encoding/json"
	"fmt"
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

// Indexer keeps the home page, column indexes, feed and sitemap in step
// with the article records, at most one pass per Settle, so a burst of
// new articles costs one pass. A pass renders only the pages a change
// touches and writes only those whose bytes differ from the docroot's
// (DESIGN §8); the first pass after a start renders every page and
// compares it with the docroot, so a restart rewrites nothing unchanged.
type Indexer struct {
	docroot Pages
	watch   Watcher
	render  *render.Renderer
	log     zerolog.Logger
	// Settle is the quiet time before a rebuild. Default 300ms.
	Settle time.Duration
}

// NewIndexer returns an indexer; it does no I/O.
func NewIndexer(docroot Pages, watch Watcher, r *render.Renderer, log zerolog.Logger) *Indexer {
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

	idx := newSiteIndex(x.render, x.render.Columns())
	ready := false
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
			if u.ready {
				ready = true
			} else if err := idx.set(u.key, u.art); err != nil {
				x.log.Warn().Err(err).Str("item_id", u.key).Msg("article left out of the indexes")
			}
			if ready {
				timer.Reset(x.Settle)
			}
		case <-timer.C:
			if !idx.pending() {
				continue
			}
			written, err := idx.pass(ctx, x.docroot)
			if err != nil {
				x.log.Warn().Err(err).Msg("index rebuild failed; retrying")
				timer.Reset(5 * time.Second)
				continue
			}
			x.log.Debug().Int("articles", len(idx.arts)).Int("written", written).Msg("indexes updated")
		}
	}
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
