package audit

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/ledger"
)

// ColumnFreshness is how recently one committee-site column got a new
// article.
type ColumnFreshness struct {
	Column string `json:"column"`
	// LastArticle is the last first publication of an article up to the
	// reference time; DaysSince the whole days from it to that time (-1
	// when the column never had one).
	LastArticle time.Time `json:"last_article,omitzero"`
	DaysSince   int       `json:"days_since"`
	// Articles are the new articles in the period, PerWeek per 7 days.
	Articles int     `json:"articles"`
	PerWeek  float64 `json:"per_week"`
	// Stale marks DaysSince ≥ Policy.StaleDays, or no article ever.
	Stale bool `json:"stale"`
}

// Freshness reports every column of the committee site (Policy.Sink, the
// site when that is empty) from its publications: new articles only, a
// republished revision is not an update. The period is [from, ref).
func Freshness(entries []ledger.Entry, p Policy, from, ref time.Time) []ColumnFreshness {
	sink := cmp.Or(p.Sink, "site")
	cols := map[string]*ColumnFreshness{}
	get := func(c string) *ColumnFreshness {
		if cols[c] == nil {
			cols[c] = &ColumnFreshness{Column: c, DaysSince: -1}
		}
		return cols[c]
	}
	for _, c := range p.Columns {
		get(c)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		f := &e.Fact
		at := e.When()
		if f.Kind != syndicator.KindPublished || f.Sink != sink || seen[f.ID] || at.After(ref) {
			continue
		}
		seen[f.ID] = true
		col := f.Column
		if col == "" {
			col, _, _ = strings.Cut(strings.TrimPrefix(f.Location, "/"), "/")
		}
		c := get(col)
		if at.After(c.LastArticle) {
			c.LastArticle = at
		}
		if !at.Before(from) {
			c.Articles++
		}
	}
	weeks := ref.Sub(from).Hours() / (7 * 24)
	out := make([]ColumnFreshness, 0, len(cols))
	for _, c := range cols {
		if !c.LastArticle.IsZero() {
			c.DaysSince = int(ref.Sub(c.LastArticle) / (24 * time.Hour))
		}
		if weeks > 0 {
			c.PerWeek = math.Round(float64(c.Articles)/weeks*100) / 100
		}
		c.Stale = c.LastArticle.IsZero() || c.DaysSince >= staleDays(p)
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b ColumnFreshness) int { return cmp.Compare(a.Column, b.Column) })
	return out
}

func staleDays(p Policy) int {
	if p.StaleDays > 0 {
		return p.StaleDays
	}
	return 15
}
