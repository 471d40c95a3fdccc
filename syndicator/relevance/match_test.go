package relevance

import (
	"testing"

	"github.com/gyeco/syndicator/syndicator"
)

// decideOne compiles a single rule with the given condition under any and
// reports whether it holds for it, and its score.
func decideOne(t *testing.T, c Condition, it *syndicator.Item) (bool, float64) {
	t.Helper()
	s, err := Compile([]Rule{{Name: "r", Class: syndicator.ClassSync, Any: []Condition{c}}})
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	res := s.Decide(it)
	return res.Rule == "r", res.Score
}

func TestConditionKinds(t *testing.T) {
	item := &syndicator.Item{
		Title:     "关于加强ＰＭ２．５与臭氧协同控制的通知",
		BodyText:  "生态环境保护……生态环境质量……生态环境部门",
		Subject:   `城乡建设、环境保护\环境监测、保护与治理`,
		Issuer:    "生态环境部",
		DocNumber: "环大气〔2023〕1号",
		DocType:   "通知",
		Origin:    "生态环境部网站",
		Level:     syndicator.LevelDepartment,
		Source:    "govcn-bmwj",
	}
	tests := []struct {
		name      string
		cond      Condition
		wantHold  bool
		wantScore float64
	}{
		{"any one keyword", Condition{Field: "title", Any: []string{"臭氧", "噪声"}}, true, 1},
		{"any none present", Condition{Field: "title", Any: []string{"噪声", "固废"}}, false, 0},
		{"any counts occurrences", Condition{Field: "body", Any: []string{"生态环境"}}, true, 3},
		{"min_hits reached", Condition{Field: "body", Any: []string{"生态环境"}, MinHits: 3}, true, 3},
		{"min_hits not reached", Condition{Field: "body", Any: []string{"生态环境"}, MinHits: 4}, false, 0},
		{"min_hits sums keywords", Condition{Field: "body", Any: []string{"保护", "质量"}, MinHits: 2}, true, 2},
		{"all present", Condition{Field: "title", All: []string{"臭氧", "协同"}}, true, 2},
		{"all one missing", Condition{Field: "title", All: []string{"臭氧", "噪声"}}, false, 0},
		{"none absent holds alone", Condition{Field: "title", None: []string{"营商环境"}}, true, 1},
		{"none present fails", Condition{Field: "title", Any: []string{"臭氧"}, None: []string{"协同控制"}}, false, 0},
		{"regex", Condition{Field: "doc_number", Regex: `^环\p{Han}*〔\d{4}〕`}, true, 1},
		{"regex no match", Condition{Field: "doc_number", Regex: `^国发`}, false, 0},
		{"in level", Condition{Field: "level", In: []string{"provincial", "department"}}, true, 1},
		{"in is exact", Condition{Field: "source", In: []string{"govcn"}}, false, 0},
		{"in source", Condition{Field: "source", In: []string{"govcn-bmwj"}}, true, 1},
		{"subject", Condition{Field: "subject", Any: []string{"环境保护"}}, true, 1},
		{"issuer", Condition{Field: "issuer", Any: []string{"生态环境"}}, true, 1},
		{"doc_type", Condition{Field: "doc_type", In: []string{"通知"}}, true, 1},
		{"origin", Condition{Field: "origin", Any: []string{"生态环境部"}}, true, 1},
		{"all tests must hold", Condition{Field: "title", Any: []string{"臭氧"}, Regex: "^国务院"}, false, 0},
		// Full-width ASCII in the item matches half-width keywords and regexes.
		{"width-folded keyword", Condition{Field: "title", Any: []string{"PM2.5"}}, true, 1},
		{"full-width keyword", Condition{Field: "title", Any: []string{"ＰＭ２．５"}}, true, 1},
		{"width-folded regex", Condition{Field: "title", Regex: `PM2\.5`}, true, 1},
		{"raw regex still tried", Condition{Field: "title", Regex: `ＰＭ２`}, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hold, score := decideOne(t, tt.cond, item)
			if hold != tt.wantHold || score != tt.wantScore {
				t.Errorf("holds %v score %v, want %v %v", hold, score, tt.wantHold, tt.wantScore)
			}
		})
	}
}

func TestRuleParts(t *testing.T) {
	title := func(kw ...string) Condition { return Condition{Field: "title", Any: kw} }
	it := &syndicator.Item{Title: "贵州省人民政府关于全面推行河长制的实施意见", DocNumber: "黔府发〔2017〕5号"}
	tests := []struct {
		name string
		rule Rule
		want bool
	}{
		{"empty rule holds", Rule{}, true},
		{"when all hold", Rule{When: []Condition{title("河长制"), title("贵州")}}, true},
		{"when one fails", Rule{When: []Condition{title("河长制"), title("贵阳")}}, false},
		{"any one holds", Rule{Any: []Condition{title("湖长制"), title("河长制")}}, true},
		{"any none holds", Rule{Any: []Condition{title("湖长制"), title("林长制")}}, false},
		{"unless holds", Rule{Any: []Condition{title("河长制")}, Unless: []Condition{{Field: "doc_number", Regex: "^黔府"}}}, false},
		{"unless does not hold", Rule{Any: []Condition{title("河长制")}, Unless: []Condition{title("任免")}}, true},
		{"when and any", Rule{When: []Condition{title("河长制")}, Any: []Condition{title("林长制")}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.rule.Name, tt.rule.Class = "r", syndicator.ClassSync
			s, err := Compile([]Rule{tt.rule})
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Decide(it).Rule == "r"; got != tt.want {
				t.Errorf("holds = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestScoreSumsHeldConditions(t *testing.T) {
	s, err := Compile([]Rule{{Name: "r", Class: syndicator.ClassReview, Column: "sthj",
		When: []Condition{{Field: "title", Any: []string{"生态"}}},
		Any:  []Condition{{Field: "body", Any: []string{"污染"}}, {Field: "body", Any: []string{"噪声"}}, {Field: "body", Regex: "碳"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	got := s.Decide(&syndicator.Item{Title: "生态文明建设", BodyText: "水污染、大气污染和土壤污染；碳排放"})
	want := Result{Class: syndicator.ClassReview, Rule: "r", Column: "sthj", Score: 1 + 3 + 1}
	if got != want {
		t.Errorf("Decide = %+v, want %+v", got, want)
	}
}

func TestFirstRuleDecidesAndFallback(t *testing.T) {
	s, err := Compile([]Rule{
		{Name: "first", Class: syndicator.ClassTimely, Any: []Condition{{Field: "doc_number", Regex: "^国发"}}},
		{Name: "second", Class: syndicator.ClassSync, Any: []Condition{{Field: "title", Any: []string{"碳"}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Decide(&syndicator.Item{Title: "碳达峰", DocNumber: "国发〔2021〕23号"}).Rule; got != "first" {
		t.Errorf("rule = %q, want first", got)
	}
	if got := s.Decide(&syndicator.Item{Title: "碳达峰"}).Rule; got != "second" {
		t.Errorf("rule = %q, want second", got)
	}
	got := s.Decide(&syndicator.Item{Title: "其他"})
	if got != (Result{Class: syndicator.ClassIgnore, Rule: NoMatch}) {
		t.Errorf("fallback = %+v", got)
	}
}

func TestWithPutsSourceRulesFirst(t *testing.T) {
	global, err := Compile([]Rule{{Name: "全局", Class: syndicator.ClassTimely, Any: []Condition{{Field: "title", Any: []string{"通知"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := global.With("county", []Rule{{Name: "县级", Class: syndicator.ClassSync, Column: "qx", Any: []Condition{{Field: "title", Any: []string{"通知"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Decide(&syndicator.Item{Source: "county", Title: "通知"}); got.Rule != "县级" || got.Column != "qx" {
		t.Errorf("county item: %+v, want rule 县级 column qx", got)
	}
	if got := s.Decide(&syndicator.Item{Source: "govcn-zuixin", Title: "通知"}); got.Rule != "全局" {
		t.Errorf("other source: %+v, want rule 全局", got)
	}
	if got := global.Decide(&syndicator.Item{Source: "county", Title: "通知"}); got.Rule != "全局" {
		t.Errorf("With changed the global set: %+v", got)
	}
	if _, err := global.With("county", []Rule{{Name: "x", Class: "publish"}}); err == nil {
		t.Error("With accepted a bad class")
	}
	if _, err := global.With("", nil); err == nil {
		t.Error("With accepted an empty source id")
	}
}
