package main

import (
	"fmt"

	"github.com/gyeco/syndicator/crawler/extract"

	"github.com/gyeco/syndicator/sinks/webhook"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/decide"
	"github.com/gyeco/syndicator/syndicator/lifecycle"
	"github.com/gyeco/syndicator/syndicator/natsbus"
)

// decider wires the relevance rules (each source's own first, then the
// global or default set) and the repeal parser into the decide stage.
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
	classify := func(it *syndicator.Item) decide.Verdict {
		r := set.Decide(it)
		return decide.Verdict{Class: r.Class, Rule: r.Rule, Column: r.Column, Score: r.Score}
	}
	repeals := func(title, body string) []decide.Repeal {
		d, ok := lifecycle.ParseDecision(title, body, extract.DocKey)
		if !ok {
			return nil
		}
		out := make([]decide.Repeal, 0, len(d.Entries))
		for _, e := range d.Entries {
			out = append(out, decide.Repeal{DocKey: e.DocKey, DocNumber: e.DocNumber, Title: e.Title, To: e.To})
		}
		return out
	}
	return decide.New(decide.Options{
		Classify: classify, Repeals: repeals, Levels: levels, WaitForOrigin: cfg.Identity.WaitForOrigin,
	}, bus, bus, a.Log), nil
}

// webhook builds the webhook sink.
func (a *App) webhook(bus *natsbus.Bus) *webhook.Sink {
	w := a.Config.Webhook
	return webhook.New(webhook.Options{URL: w.URL, Secret: []byte(w.Secret.Value()), Timeout: w.Timeout}, bus, bus, a.Log)
}
