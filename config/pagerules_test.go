package config

import (
	"errors"
	"net/netip"
	"slices"
	"testing"
)

// stubRules stands in for the crawler's rule checker (crawler/extract),
// which config's tests may not import: it refuses the selectors named in
// bad and records the rules it was given.
type stubRules struct {
	bad     string
	lists   []ListRule
	details []DetailRule
}

func (s *stubRules) ValidateList(r ListRule) error {
	s.lists = append(s.lists, r)
	if r.Item == s.bad {
		return errors.New("list rule: item: bad selector")
	}
	return nil
}

func (s *stubRules) ValidateDetail(r DetailRule) error {
	s.details = append(s.details, r)
	if slices.Contains(r.Body, s.bad) {
		return errors.New("detail rule: body[0]: bad selector")
	}
	return nil
}

// TestRuleValidatorProblemsNameLineAndKey: what the validator passed in
// refuses is reported like every other problem, at the line of the
// source's list: or detail: key; it is given the rules as resolved, the
// preset with the operator's overrides over it.
func TestRuleValidatorProblemsNameLineAndKey(t *testing.T) {
	const yml = `sources:
  - id: g
    preset: guizhou-szfwj
    list:
      item: "ul["
    detail:
      body: ["ul["]
`
	rules := &stubRules{bad: "ul["}
	_, err := Parse("rules.yml", []byte(yml), WithRuleValidator(rules))
	problemAt(t, err, "rules.yml", 4, "sources[0].list", "list rule: item: bad selector")
	problemAt(t, err, "rules.yml", 6, "sources[0].detail", "detail rule: body[0]: bad selector")
	if len(rules.lists) != 1 || rules.lists[0].Item != "ul[" || rules.lists[0].Kind != KindHTML || len(rules.lists[0].URLs) != 5 {
		t.Errorf("validator got list rules %+v, want the preset's with item overridden", rules.lists)
	}

	if _, err := Parse("rules.yml", []byte(yml)); err != nil {
		t.Errorf("without a validator the rules are taken as written, got %v", err)
	}
}

// TestAllowPrivateParsed: allow_private entries are host:port pairs or
// CIDRs, read here for the crawler's address guard and for validation.
func TestAllowPrivateParsed(t *testing.T) {
	got, err := ParseAllowPrivate([]string{" Mirror.Local:8090 ", "10.1.2.3/16", "[::1]:80"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"mirror.local:8090", "[::1]:80"}; !slices.Equal(got.HostPorts, want) {
		t.Errorf("host:port pairs %q, want %q", got.HostPorts, want)
	}
	if want := []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16")}; !slices.Equal(got.Prefixes, want) {
		t.Errorf("prefixes %v, want %v", got.Prefixes, want)
	}
	for _, bad := range []string{"mirror.local", ":8090", "10.1.2.3/33"} {
		if _, err := ParseAllowPrivate([]string{bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}

	_, err = Parse("allow.yml", []byte("crawler:\n  allow_private: [mirror.local]\n"))
	problemAt(t, err, "allow.yml", 2, "crawler.allow_private", `allow_private entry "mirror.local": want host:port or a CIDR`)
}
