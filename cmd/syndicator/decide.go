package main

import (
	"fmt"

	"github.com/gyeco/syndicator/sinks/webhook"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/decide"
	"github.com/gyeco/syndicator/syndicator/natsbus"
)

// decider builds the decide stage from the relevance rules (each source's
// own first, then the global or default set).
func (a *App) decider(bus *natsbus.Bus) (*decide.Decider, error) {
	cfg := a.Config
	set, err := cfg.RuleSet()
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	var levels []syndicator.Level
	for _, src := range cfg.Sources {
		levels = append(levels, syndicator.Level(src.Level))
	}
	return decide.New(decide.Options{
		Rules: set, Levels: levels, WaitForOrigin: cfg.Identity.WaitForOrigin, Now: a.now,
	}, bus, bus, a.Log), nil
}

// webhook builds the webhook sink.
func (a *App) webhook(bus *natsbus.Bus) *webhook.Sink {
	w := a.Config.Webhook
	return webhook.New(webhook.Options{URL: w.URL, Secret: []byte(w.Secret.Value()), Timeout: w.Timeout}, bus, bus, a.Log)
}
