package config

import "testing"

// TestSourceBaseline: a source takes a baseline unless it says
// baseline: false; the default is written into the loaded configuration,
// so what is in force is visible.
func TestSourceBaseline(t *testing.T) {
	yml := `
sources:
  - {id: on-by-default, preset: govcn-zuixin}
  - {id: on, preset: govcn-zuixin, baseline: true}
  - {id: off, preset: govcn-zuixin, baseline: false}
`
	c, err := Parse("baseline.yml", []byte(yml))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"on-by-default": true, "on": true, "off": false}
	for _, s := range c.Sources {
		if s.Baseline == nil || *s.Baseline != want[s.ID] || s.TakesBaseline() != want[s.ID] {
			t.Errorf("source %s: baseline %v (TakesBaseline %v), want %v", s.ID, s.Baseline, s.TakesBaseline(), want[s.ID])
		}
	}
	for _, s := range Defaults().Sources {
		if !s.TakesBaseline() {
			t.Errorf("built-in source %s takes no baseline", s.ID)
		}
	}
	if (&Source{}).TakesBaseline() != true {
		t.Error("a Source built in code without Baseline takes no baseline")
	}
}

func TestSourceBaselineMustBeABool(t *testing.T) {
	_, err := Parse("baseline.yml", []byte("sources:\n  - {id: x, preset: govcn-zuixin, baseline: maybe}\n"))
	if err == nil {
		t.Fatal("baseline: maybe accepted")
	}
}
