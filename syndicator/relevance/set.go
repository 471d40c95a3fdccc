package relevance

import (
	"fmt"

	"github.com/gyeco/syndicator/syndicator"
)

// NoMatch is the rule name of the fallback decision when no rule holds.
const NoMatch = "无匹配规则"

// Result is the decision of a rule set about one item.
type Result struct {
	Class  syndicator.Class // sync | timely | review | ignore
	Rule   string           // name of the rule that held, or NoMatch
	Column string           // "" = the source's column
	// Score is the keyword hits of the rule that held (a condition holding
	// on regex, in or none alone counts 1); 0 for NoMatch.
	Score float64
}

// compiled is a checked rule; source limits it to one source's items.
type compiled struct {
	name, column, source string
	class                syndicator.Class
	when, any, unless    []cond
}

// Set is a compiled, ordered rule list. It is immutable and safe for
// concurrent use.
type Set struct {
	rules []compiled
}

// With returns a set that tries rules, for items of the given source only,
// before the rules of s: a source's own rules come first, then the global
// ones. s is not changed. Errors are as Compile's.
func (s *Set) With(source string, rules []Rule) (*Set, error) {
	if source == "" {
		return nil, fmt.Errorf("relevance rules of a source: empty source id")
	}
	rs, errs := compileList(rules, source)
	if len(errs) > 0 {
		return nil, errs
	}
	out := make([]compiled, 0, len(rs)+len(s.rules))
	return &Set{rules: append(append(out, rs...), s.rules...)}, nil
}

// Decide applies the rules in order; the first that holds decides. When
// none holds the item is ignored under the rule name NoMatch.
func (s *Set) Decide(it *syndicator.Item) Result {
	v := newView(it)
	for i := range s.rules {
		r := &s.rules[i]
		if r.source != "" && r.source != it.Source {
			continue
		}
		if hits, ok := r.holds(v); ok {
			return Result{Class: r.class, Rule: r.name, Column: r.column, Score: float64(hits)}
		}
	}
	return Result{Class: syndicator.ClassIgnore, Rule: NoMatch}
}

// holds evaluates a rule: all of when, one of any (if given), none of
// unless. Every condition of any is evaluated so the score counts all the
// evidence, not just the first.
func (r *compiled) holds(v *view) (int, bool) {
	hits := 0
	for i := range r.when {
		ok, n := r.when[i].eval(v.get(r.when[i].field))
		if !ok {
			return 0, false
		}
		hits += n
	}
	if len(r.any) > 0 {
		matched := false
		for i := range r.any {
			if ok, n := r.any[i].eval(v.get(r.any[i].field)); ok {
				matched = true
				hits += n
			}
		}
		if !matched {
			return 0, false
		}
	}
	for i := range r.unless {
		if ok, _ := r.unless[i].eval(v.get(r.unless[i].field)); ok {
			return 0, false
		}
	}
	return hits, true
}

// Rules is the number of rules in the set, for logs.
func (s *Set) Rules() int { return len(s.rules) }
