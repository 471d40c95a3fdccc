// Package relevance decides, with ordered named rules over an item's fields,
// whether a policy release is republished in step with the municipal site
// (sync), promptly (timely), after an operator's review (review), or not at
// all (ignore). Rules are plain data, written in the configuration file; the
// built-in set (Default) encodes the committee's mission.
package relevance

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/gyeco/syndicator/syndicator"
	"golang.org/x/text/width"
)

// Rule is one named decision: when its conditions hold for an item, the
// item gets the rule's class (and column). Rules are tried in order; the
// first that holds decides.
type Rule struct {
	// Name identifies the rule in decisions and audit reports; required and
	// unique within one list.
	Name string `yaml:"name"`
	// Class is sync | timely | review | ignore.
	Class syndicator.Class `yaml:"class"`
	// Column is the committee-site column for the item; "" keeps the
	// source's column.
	Column string `yaml:"column"`
	// When: every condition must hold (all-of). May be empty.
	When []Condition `yaml:"when"`
	// Any: when given, at least one condition must hold (any-of).
	Any []Condition `yaml:"any"`
	// Unless: no condition may hold (none-of).
	Unless []Condition `yaml:"unless"`
}

// Condition tests one field of an item. It holds when every test given
// holds; at least one test is required.
type Condition struct {
	// Field is title, body, subject, issuer, doc_number, doc_type, origin,
	// level or source.
	Field string `yaml:"field"`
	// Any: at least MinHits occurrences of these keywords in total.
	Any []string `yaml:"any"`
	// All: every keyword occurs.
	All []string `yaml:"all"`
	// None: no keyword occurs (excluded phrases such as 营商环境).
	None []string `yaml:"none"`
	// Regex (Go RE2 syntax) matches somewhere in the field.
	Regex string `yaml:"regex"`
	// In: the field equals one of these values exactly (levels, sources).
	In []string `yaml:"in"`
	// MinHits is the number of occurrences of Any keywords needed; default 1.
	MinHits int `yaml:"min_hits"`
}

// fieldList names the fields a condition may test, for messages.
const fieldList = "title, body, subject, issuer, doc_number, doc_type, origin, level, source"

// fieldOf reads a named field of an item; ok is false for an unknown name.
func fieldOf(it *syndicator.Item, name string) (string, bool) {
	switch name {
	case "title":
		return it.Title, true
	case "body":
		return it.BodyText, true
	case "subject":
		return it.Subject, true
	case "issuer":
		return it.Issuer, true
	case "doc_number":
		return it.DocNumber, true
	case "doc_type":
		return it.DocType, true
	case "origin":
		return it.Origin, true
	case "level":
		return string(it.Level), true
	case "source":
		return it.Source, true
	}
	return "", false
}

// Error is one problem in a rule list. Cond ("when[0]") and Key ("regex")
// locate it inside the rule, so the configuration can name the YAML key.
type Error struct {
	Index int
	Name  string
	Cond  string // when[i] | any[i] | unless[i]; "" for a rule-level key
	Key   string // name | class | field | any | all | none | regex | in | min_hits; "" for the whole condition
	Msg   string
}

func (e *Error) Error() string {
	s := fmt.Sprintf("rules[%d] %q: ", e.Index, e.Name)
	if e.Cond != "" {
		s += e.Cond + ": "
	}
	return s + e.Msg
}

// Path is the key of the problem relative to the rule list, e.g.
// "[3].when[0].regex", for configuration messages.
func (e *Error) Path() string {
	p := fmt.Sprintf("[%d]", e.Index)
	if e.Cond != "" {
		p += "." + e.Cond
	}
	if e.Key != "" {
		p += "." + e.Key
	}
	return p
}

// Errors is every problem found in one rule list.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Compile checks rules and prepares them for Decide. The error, if any, is
// Errors, listing every problem with the rule's index and name.
func Compile(rules []Rule) (*Set, error) {
	rs, errs := compileList(rules, "")
	if len(errs) > 0 {
		return nil, errs
	}
	return &Set{rules: rs}, nil
}

// compileList compiles rules that apply to items of source only ("" = all).
func compileList(rules []Rule, source string) ([]compiled, Errors) {
	var errs Errors
	seen := map[string]int{}
	out := make([]compiled, 0, len(rules))
	for i, r := range rules {
		fail := func(cond, key, format string, args ...any) {
			errs = append(errs, &Error{Index: i, Name: r.Name, Cond: cond, Key: key, Msg: fmt.Sprintf(format, args...)})
		}
		switch first, dup := seen[r.Name]; {
		case strings.TrimSpace(r.Name) == "":
			fail("", "name", "name missing: every rule needs a unique name")
		case dup:
			fail("", "name", "duplicate rule name (first used by rules[%d])", first)
		default:
			seen[r.Name] = i
		}
		if !validClass(r.Class) {
			fail("", "class", "class %q: want sync, timely, review or ignore", r.Class)
		}
		c := compiled{name: r.Name, class: r.Class, column: r.Column, source: source}
		for _, part := range []struct {
			label string
			in    []Condition
			out   *[]cond
		}{{"when", r.When, &c.when}, {"any", r.Any, &c.any}, {"unless", r.Unless, &c.unless}} {
			for j, cd := range part.in {
				label := fmt.Sprintf("%s[%d]", part.label, j)
				cc, p := compileCond(cd)
				if p != nil {
					fail(label, p.key, "%s", p.msg)
					continue
				}
				*part.out = append(*part.out, cc)
			}
		}
		out = append(out, c)
	}
	return out, errs
}

func validClass(c syndicator.Class) bool {
	switch c {
	case syndicator.ClassSync, syndicator.ClassTimely, syndicator.ClassReview, syndicator.ClassIgnore:
		return true
	}
	return false
}

// condProblem is what is wrong with one condition, and under which key.
type condProblem struct{ key, msg string }

// compileCond checks one condition and folds its keywords, so that full-
// and half-width spellings of ASCII match alike.
func compileCond(c Condition) (cond, *condProblem) {
	if _, ok := fieldOf(&syndicator.Item{}, c.Field); !ok {
		return cond{}, &condProblem{"field", fmt.Sprintf("field %q: want one of %s", c.Field, fieldList)}
	}
	if len(c.Any) == 0 && len(c.All) == 0 && len(c.None) == 0 && c.Regex == "" && len(c.In) == 0 {
		return cond{}, &condProblem{"", "no test: give any, all, none, regex or in"}
	}
	if c.MinHits < 0 || (c.MinHits > 0 && len(c.Any) == 0) {
		return cond{}, &condProblem{"min_hits", fmt.Sprintf("min_hits %d: a positive count of any keywords, given with any", c.MinHits)}
	}
	out := cond{field: c.Field, minHits: max(c.MinHits, 1)}
	for _, v := range c.In {
		out.in = append(out.in, strings.TrimSpace(width.Fold.String(v)))
	}
	for _, kw := range []struct {
		key  string
		list []string
		dst  *[]string
	}{{"any", c.Any, &out.any}, {"all", c.All, &out.all}, {"none", c.None, &out.none}} {
		for _, k := range kw.list {
			if k == "" {
				return cond{}, &condProblem{kw.key, kw.key + ": an empty keyword would match everything"}
			}
			*kw.dst = append(*kw.dst, width.Fold.String(k))
		}
	}
	if c.Regex != "" {
		re, err := regexp.Compile(c.Regex)
		if err != nil {
			return cond{}, &condProblem{"regex", fmt.Sprintf("regex %q: %v", c.Regex, err)}
		}
		out.re = re
	}
	return out, nil
}
