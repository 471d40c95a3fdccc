package relevance

import (
	"bytes"
	_ "embed"
	"fmt"

	"gopkg.in/yaml.v3"
)

// defaultYAML is the built-in rule set; operators copy it into their
// configuration to change it.
//
//go:embed default.yaml
var defaultYAML string

// DefaultYAML returns the built-in rule set as YAML (a `rules:` list).
func DefaultYAML() []byte { return []byte(defaultYAML) }

// Default returns the built-in rule set, which encodes the committee's
// mission: ecological/environmental documents sync, other broad guiding
// policies of the three governments timely, doubtful items review,
// personnel notices, single-project approvals and other department
// documents ignore. It panics only if the embedded file is broken, which
// the package's tests rule out.
func Default() []Rule {
	rules, err := Parse([]byte(defaultYAML))
	if err != nil {
		panic(fmt.Sprintf("relevance: built-in default.yaml: %v", err))
	}
	return rules
}

// Parse reads a YAML document of the shape `rules: [...]` strictly: an
// unknown key is an error.
func Parse(data []byte) ([]Rule, error) {
	var doc struct {
		Rules []Rule `yaml:"rules"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("parse relevance rules: %w", err)
	}
	return doc.Rules, nil
}
