package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/relevance"
)

func TestBadRulesNameFileLineAndKey(t *testing.T) {
	tests := []struct {
		file string
		want []string // substrings of one Problem
	}{
		{"testdata/rule-bad-regex.bad.yml", []string{"testdata/rule-bad-regex.bad.yml:12", "rules[0].any[0].regex", `rule "生态环境-标题"`, `regex "^(国发|国办发〔"`, "missing closing )"}},
		{"testdata/rule-unknown-class.bad.yml", []string{"testdata/rule-unknown-class.bad.yml:10", "sources[0].rules[1].class", `class "publish": want sync, timely, review or ignore`}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, err := Load(tt.file)
			var probs Problems
			if !errors.As(err, &probs) {
				t.Fatalf("Load error = %v, want Problems", err)
			}
			if len(probs) != 1 {
				t.Errorf("%d problems, want 1:\n%v", len(probs), err)
			}
			for _, p := range probs {
				if containsAll(p.Error(), tt.want) {
					return
				}
			}
			t.Errorf("no problem mentions all of %q; got:\n%v", tt.want, err)
		})
	}
}

func TestRuleValidation(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{"rules:\n  - {name: x, class: sync, column: nowhere}\n", `r.yml:2: rules[0].column: rule "x": "nowhere" is not a site column`},
		{"rules:\n  - {class: sync}\n", "r.yml:2: rules[0].name: "},
		{"rules:\n  - {name: x, class: sync}\n  - {name: x, class: ignore}\n", "r.yml:3: rules[1].name: "},
		{"rules:\n  - name: x\n    class: sync\n    any:\n      - {field: titel, any: [a]}\n", `r.yml:5: rules[0].any[0].field: rule "x": field "titel"`},
		{"rules:\n  - name: x\n    class: sync\n    unless:\n      - {field: title}\n", `r.yml:5: rules[0].unless[0]: rule "x": no test`},
		// Strict YAML: a misspelt condition key is an unknown key.
		{"rules:\n  - name: x\n    class: sync\n    when:\n      - {field: title, anyy: [a]}\n", `r.yml:5: rules[0].when[0].anyy: unknown key "anyy"`},
	}
	for _, tt := range tests {
		_, err := Parse("r.yml", []byte(tt.yaml))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.yaml, err, tt.want)
		}
	}
}

func TestRulesDefaultAndRuleSet(t *testing.T) {
	c, err := Parse("r.yml", []byte("sources:\n  - {id: g, preset: govcn-zuixin}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Rules) != len(relevance.Default()) || c.Rules[0].Name != relevance.Default()[0].Name {
		t.Errorf("empty rules: got %d rules, want the built-in set", len(c.Rules))
	}

	c, err = Parse("r.yml", []byte(`site:
  columns: [{id: zcwj, name: 政策文件}, {id: sthj, name: 生态环境}]
sources:
  - id: g
    preset: govcn-zuixin
    rules:
      - {name: 本源生态, class: sync, column: sthj, any: [{field: title, any: [生态]}]}
  - {id: gz, preset: guizhou-szfwj}
rules:
  - {name: 全局生态, class: review, any: [{field: title, any: [生态]}]}
`))
	if err != nil {
		t.Fatal(err)
	}
	set, err := c.RuleSet()
	if err != nil {
		t.Fatal(err)
	}
	if got := set.Decide(&syndicator.Item{Source: "g", Title: "生态文明"}); got.Rule != "本源生态" || got.Column != "sthj" || got.Class != syndicator.ClassSync {
		t.Errorf("source g: %+v, want its own rule first", got)
	}
	if got := set.Decide(&syndicator.Item{Source: "gz", Title: "生态文明"}); got.Rule != "全局生态" {
		t.Errorf("source gz: %+v, want the global rule", got)
	}
}
