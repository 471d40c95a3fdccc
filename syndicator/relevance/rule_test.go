package relevance

import (
	"errors"
	"strings"
	"testing"

	"github.com/gyeco/syndicator/syndicator"
)

func TestCompileErrors(t *testing.T) {
	ok := Condition{Field: "title", Any: []string{"生态"}}
	tests := []struct {
		name     string
		rules    []Rule
		wantMsg  string // substring of Error()
		wantPath string
	}{
		{"bad regex", []Rule{{Name: "a", Class: "sync"}, {Name: "b", Class: "sync"}, {Name: "c", Class: "sync"},
			{Name: "x", Class: "sync", When: []Condition{{Field: "title", Regex: "("}}}},
			`rules[3] "x": when[0]: regex "(": `, "[3].when[0].regex"},
		{"unknown class", []Rule{{Name: "x", Class: "publish", Any: []Condition{ok}}}, `rules[0] "x": class "publish": want sync, timely, review or ignore`, "[0].class"},
		{"missing name", []Rule{{Class: "sync"}}, `rules[0] "": name missing`, "[0].name"},
		{"duplicate name", []Rule{{Name: "x", Class: "sync"}, {Name: "x", Class: "review"}}, `rules[1] "x": duplicate rule name (first used by rules[0])`, "[1].name"},
		{"unknown field", []Rule{{Name: "x", Class: "sync", Any: []Condition{ok, {Field: "titel", Any: []string{"a"}}}}}, `rules[0] "x": any[1]: field "titel": want one of title, body`, "[0].any[1].field"},
		{"no test", []Rule{{Name: "x", Class: "sync", Unless: []Condition{{Field: "title"}}}}, `rules[0] "x": unless[0]: no test`, "[0].unless[0]"},
		{"min_hits without any", []Rule{{Name: "x", Class: "sync", When: []Condition{{Field: "body", All: []string{"a"}, MinHits: 3}}}}, `when[0]: min_hits 3`, "[0].when[0].min_hits"},
		{"negative min_hits", []Rule{{Name: "x", Class: "sync", When: []Condition{{Field: "body", Any: []string{"a"}, MinHits: -1}}}}, `min_hits -1`, "[0].when[0].min_hits"},
		{"empty keyword", []Rule{{Name: "x", Class: "sync", When: []Condition{{Field: "body", None: []string{"a", ""}}}}}, `when[0]: none: an empty keyword`, "[0].when[0].none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Compile(tt.rules)
			if err == nil || s != nil {
				t.Fatalf("Compile = %v, %v; want an error", s, err)
			}
			var errs Errors
			if !errors.As(err, &errs) || len(errs) != 1 {
				t.Fatalf("error %v: want one relevance.Error", err)
			}
			if !strings.Contains(errs[0].Error(), tt.wantMsg) {
				t.Errorf("error %q, want it to contain %q", errs[0].Error(), tt.wantMsg)
			}
			if got := errs[0].Path(); got != tt.wantPath {
				t.Errorf("path %q, want %q", got, tt.wantPath)
			}
		})
	}
}

func TestCompileReportsEveryProblem(t *testing.T) {
	_, err := Compile([]Rule{
		{Name: "a", Class: "bad", When: []Condition{{Field: "x", Any: []string{"k"}}}},
		{Name: "b", Class: "sync", Any: []Condition{{Field: "title", Regex: "["}}},
	})
	var errs Errors
	if !errors.As(err, &errs) || len(errs) != 3 {
		t.Fatalf("got %v, want 3 problems", err)
	}
}

func TestCompileAcceptsEmptyList(t *testing.T) {
	s, err := Compile(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Decide(&syndicator.Item{Title: "生态环境"}).Rule; got != NoMatch {
		t.Errorf("empty set decided by %q", got)
	}
}
