package config

import (
	"errors"
	"fmt"

	"github.com/gyeco/syndicator/syndicator/relevance"
)

// checkRules validates the global relevance rules and each source's own:
// what relevance.Compile rejects (name, class, field, tests, regex), and a
// column that is not one of site.columns. Each problem names the YAML key,
// e.g. rules[3].when[0].regex or sources[1].rules[0].class.
func (c *Config) checkRules(columns map[string]bool, add func(key, format string, args ...any)) {
	checkRuleList("rules", c.Rules, columns, add)
	for i, s := range c.Sources {
		checkRuleList(fmt.Sprintf("sources[%d].rules", i), s.Rules, columns, add)
	}
}

func checkRuleList(key string, rules []relevance.Rule, columns map[string]bool, add func(key, format string, args ...any)) {
	if _, err := relevance.Compile(rules); err != nil {
		var errs relevance.Errors
		if !errors.As(err, &errs) {
			add(key, "%v", err)
			return
		}
		for _, e := range errs {
			add(key+e.Path(), "rule %q: %s", e.Name, e.Msg)
		}
	}
	for i, r := range rules {
		if r.Column != "" && !columns[r.Column] {
			add(fmt.Sprintf("%s[%d].column", key, i), "rule %q: %q is not a site column (site.columns)", r.Name, r.Column)
		}
	}
}

// RuleSet compiles the relevance rules: each source's own rules, for its
// items only, before the global rules. Load has validated them, so an
// error here means the configuration was changed after loading.
func (c *Config) RuleSet() (*relevance.Set, error) {
	set, err := relevance.Compile(c.Rules)
	if err != nil {
		return nil, fmt.Errorf("relevance rules: %w", err)
	}
	for _, s := range c.Sources {
		if len(s.Rules) == 0 {
			continue
		}
		if set, err = set.With(s.ID, s.Rules); err != nil {
			return nil, fmt.Errorf("relevance rules of source %s: %w", s.ID, err)
		}
	}
	return set, nil
}
