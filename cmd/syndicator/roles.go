package main

import (
	"context"

	"github.com/gyeco/syndicator/sinks/archive"
	"github.com/gyeco/syndicator/sinks/site"
	"github.com/gyeco/syndicator/sinks/webhook"
	"github.com/gyeco/syndicator/syndicator/decide"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/readmodel"
)

// role is one role's components on bus; dec is the decider of this
// connection (the crawl role classifies with it).
func (p *roleParts) role(r Role, bus *natsbus.Bus, dec *decide.Decider) []component {
	switch r {
	case RoleCrawl:
		return p.crawlRole(bus, dec)
	case RoleArchive:
		return p.archiveRole(bus)
	case RoleSite:
		return p.siteRole(bus)
	case RoleServe:
		return p.serveRole(bus)
	case RoleWebhook:
		return p.webhookRole(bus)
	}
	return nil
}

// consumer is a component that waits until ready (nil: at once), then
// consumes spec's events on bus with h.
func (p *roleParts) consumer(bus *natsbus.Bus, spec natsbus.ConsumerSpec, ready func(context.Context) error, h natsbus.Handler) func(context.Context) error {
	spec.AckWait = p.app.Config.NATS.AckWait
	return func(ctx context.Context) error {
		if ready != nil {
			if err := ready(ctx); err != nil {
				return err
			}
		}
		return bus.Consume(ctx, spec, h)
	}
}

// crawlRole: the source controls, the crawlers, and classifying, the
// crawl role's last step (DESIGN §1) after the archive has kept the
// original, with the decider in force (a reload replaces it, reload.go).
func (p *roleParts) crawlRole(bus *natsbus.Bus, dec *decide.Decider) []component {
	a := p.app
	out := a.crawlers(bus, p.fetcher)
	return append(out, component{"decide", p.consumer(bus, natsbus.ConsumerSpec{Durable: decide.Name, Subjects: decide.Subjects()}, nil, a.decideLive(dec))})
}

// archiveRole: the archive sink, the audit ledger (recorded beside the
// archive, where its chain head is anchored) and the claim sweeper (the
// ledger is one of the readers it waits for).
func (p *roleParts) archiveRole(bus *natsbus.Bus) []component {
	a := p.app
	st, ready := p.archive.store, p.archive.ready
	sink := archive.New(st, bus, bus, a.Log).WithClock(a.now)
	out := []component{{"archive", p.consumer(bus, natsbus.ConsumerSpec{Durable: archive.Name, Subjects: archive.Subjects()}, ready, sink.Handle)}}
	out = append(out, a.ledgerComponents(bus, st, ready)...)
	return append(out, component{"claim-sweeper", natsbus.NewSweeper(bus, a.SweepEvery, a.Log).Run})
}

// siteRole: the site sink and the indexer of its column pages.
func (p *roleParts) siteRole(bus *natsbus.Bus) []component {
	a := p.app
	st, ready := p.site.store, p.site.ready
	sink := site.New(site.Deps{
		Docroot: st, Archive: p.archive.store, Bus: bus, Claims: bus, Records: bus,
		Render: p.site.rend, SourceNames: p.site.names, Log: a.Log, Now: a.now,
	})
	idx := site.NewIndexer(st, bus, p.site.rend, a.Log)
	return []component{
		{"site", p.consumer(bus, natsbus.ConsumerSpec{Durable: site.Name, Subjects: site.Subjects()}, ready, sink.Handle)},
		{"site-indexer", func(ctx context.Context) error {
			if err := ready(ctx); err != nil {
				return err
			}
			return idx.Run(ctx)
		}},
	}
}

// serveRole: the projection of the streams into serve's read model (the
// server itself runs beside the connection: startServe).
func (p *roleParts) serveRole(bus *natsbus.Bus) []component {
	if p.index == nil {
		return nil
	}
	return []component{{"readmodel", readmodel.NewProjector(p.index, bus, p.app.Log).Run}}
}

// webhookRole: the webhook sink to the CMS.
func (p *roleParts) webhookRole(bus *natsbus.Bus) []component {
	sink := p.app.webhook(bus)
	return []component{{"webhook", p.consumer(bus, natsbus.ConsumerSpec{Durable: webhook.Name, Subjects: webhook.Subjects()}, nil, sink.Handle)}}
}
