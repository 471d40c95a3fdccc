package extract_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/crawler/extract"
)

// TestValidatorChecksConfig: config reports the rules the extractor cannot
// run, through the validator the program passes in, with file:line, the
// source's list or detail key and what is wrong.
func TestValidatorChecksConfig(t *testing.T) {
	const yml = `sources:
  - id: g
    preset: guizhou-szfwj
    list:
      item: "ul["
    detail:
      related: [{selector: div.x, kind: see_also}]
`
	_, err := config.Parse("rules.yml", []byte(yml), config.WithRuleValidator(extract.Validator{}))
	var probs config.Problems
	if !errors.As(err, &probs) {
		t.Fatalf("error = %v, want Problems", err)
	}
	for _, want := range []string{
		`rules.yml:4: sources[0].list: extract: list rule: item: selector "ul[": `,
		`rules.yml:6: sources[0].detail: extract: detail rule: related[0]: kind: "see_also" is not interpretation, original, repeals or repealed_by`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("problems lack %q:\n%v", want, err)
		}
	}
	if len(probs) != 2 {
		t.Errorf("%d problems, want 2:\n%v", len(probs), err)
	}

	if _, err := config.Load("", config.WithRuleValidator(extract.Validator{})); err != nil {
		t.Errorf("the built-in configuration: %v", err)
	}
}
