package relevance

import (
	"bytes"
	"os"
	"testing"

	"github.com/gyeco/syndicator/syndicator"
	"gopkg.in/yaml.v3"
)

// defaultCase is one realistic item of testdata/default-cases.yaml.
type defaultCase struct {
	Title     string `yaml:"title"`
	DocNumber string `yaml:"doc_number"`
	Issuer    string `yaml:"issuer"`
	Level     string `yaml:"level"`
	Subject   string `yaml:"subject"`
	Body      string `yaml:"body"`
	Source    string `yaml:"source"`
	Want      struct {
		Class syndicator.Class `yaml:"class"`
		Rule  string           `yaml:"rule"`
	} `yaml:"want"`
}

func loadCases(t *testing.T) []defaultCase {
	t.Helper()
	data, err := os.ReadFile("testdata/default-cases.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cases []defaultCase
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cases); err != nil {
		t.Fatalf("testdata/default-cases.yaml: %v", err)
	}
	return cases
}

func defaultSet(t testing.TB) *Set {
	t.Helper()
	s, err := Compile(Default())
	if err != nil {
		t.Fatalf("default rules do not compile: %v", err)
	}
	return s
}

func TestDefaultRules(t *testing.T) {
	s := defaultSet(t)
	cases := loadCases(t)
	if len(cases) < 40 {
		t.Fatalf("only %d cases, want at least 40", len(cases))
	}
	perClass := map[syndicator.Class]int{}
	for _, c := range cases {
		t.Run(c.Title, func(t *testing.T) {
			it := &syndicator.Item{
				Title: c.Title, DocNumber: c.DocNumber, Issuer: c.Issuer, Subject: c.Subject,
				BodyText: c.Body, Level: syndicator.Level(c.Level), Source: c.Source,
			}
			got := s.Decide(it)
			if got.Class != c.Want.Class || got.Rule != c.Want.Rule {
				t.Errorf("Decide = %s/%s (score %v), want %s/%s", got.Class, got.Rule, got.Score, c.Want.Class, c.Want.Rule)
			}
			if got.Rule != NoMatch && got.Score < 1 {
				t.Errorf("score %v for a matching rule, want at least 1", got.Score)
			}
		})
		perClass[c.Want.Class]++
	}
	for _, class := range []syndicator.Class{syndicator.ClassSync, syndicator.ClassTimely, syndicator.ClassReview, syndicator.ClassIgnore} {
		if perClass[class] < 4 {
			t.Errorf("only %d cases of class %s", perClass[class], class)
		}
	}
}

// Every default rule must be reached by some case, so a rule shadowed by
// an earlier one is noticed.
func TestDefaultRulesAllExercised(t *testing.T) {
	used := map[string]bool{}
	for _, c := range loadCases(t) {
		used[c.Want.Rule] = true
	}
	for _, r := range Default() {
		if !used[r.Name] {
			t.Errorf("rule %q has no case in testdata/default-cases.yaml", r.Name)
		}
	}
}

func TestDefaultRulesAreStrictYAML(t *testing.T) {
	rules, err := Parse(DefaultYAML())
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) < 10 {
		t.Fatalf("default set has %d rules", len(rules))
	}
	for _, r := range rules {
		if r.Column != "" {
			t.Errorf("rule %q sets column %q: the default set must keep each source's column", r.Name, r.Column)
		}
	}
	if _, err := Parse([]byte("rules:\n  - {name: x, class: sync, wen: []}\n")); err == nil {
		t.Error("Parse accepted an unknown key")
	}
}

func TestEcologicalBeforeTimely(t *testing.T) {
	s := defaultSet(t)
	eco := &syndicator.Item{Title: "国务院关于印发2030年前碳达峰行动方案的通知", DocNumber: "国发〔2021〕23号", Level: syndicator.LevelNational}
	plain := &syndicator.Item{Title: "国务院关于印发2030年前行动方案的通知", DocNumber: "国发〔2021〕23号", Level: syndicator.LevelNational}
	if got := s.Decide(eco).Class; got != syndicator.ClassSync {
		t.Errorf("国发 碳达峰: class %s, want sync", got)
	}
	if got := s.Decide(plain).Class; got != syndicator.ClassTimely {
		t.Errorf("国发 without ecological terms: class %s, want timely", got)
	}
}

func BenchmarkDecideDefault(b *testing.B) {
	s := defaultSet(b)
	body := make([]byte, 0, 20000)
	for len(body) < 20000 {
		body = append(body, "各地区各部门要坚持以人民为中心的发展思想，推动经济高质量发展。"...)
	}
	it := &syndicator.Item{Title: "交通运输部关于印发《公路工程建设标准管理办法》的通知", DocNumber: "交公路规〔2020〕8号",
		Issuer: "交通运输部", Level: syndicator.LevelNational, BodyText: string(body)}
	b.ResetTimer()
	for b.Loop() {
		s.Decide(it)
	}
}
