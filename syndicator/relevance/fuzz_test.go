package relevance

import (
	"strings"
	"testing"

	"golang.org/x/text/width"

	"github.com/gyeco/syndicator/syndicator"
)

// FuzzDecide: any title, body, doc number and issuer get a decision of one
// of the four classes, named, without a panic.
func FuzzDecide(f *testing.F) {
	s, err := Compile(Default())
	if err != nil {
		f.Fatal(err)
	}
	f.Add("国务院关于印发2030年前碳达峰行动方案的通知", "为实现碳达峰、碳中和目标", "国发〔2021〕23号", "国务院", "national")
	f.Add("贵州省人民政府关于推进法治环境建设的意见", "", "黔府发〔2023〕3号", "贵州省人民政府", "provincial")
	f.Add("关于任免的通知", "生态环境生态环境生态环境生态环境生态环境", "", "", "department")
	f.Add("ＰＭ２．５\x00\xff", "\u3000环境", "环办［2024］３号", "生态环境部", "")
	f.Fuzz(func(t *testing.T, title, body, docNumber, issuer, level string) {
		it := &syndicator.Item{Title: title, BodyText: body, DocNumber: docNumber, Issuer: issuer, Level: syndicator.Level(level)}
		got := s.Decide(it)
		if !validClass(got.Class) {
			t.Fatalf("class %q", got.Class)
		}
		if got.Rule == "" || got.Score < 0 {
			t.Fatalf("result %+v", got)
		}
		if got.Rule == NoMatch && (got.Class != syndicator.ClassIgnore || got.Score != 0) {
			t.Fatalf("fallback result %+v", got)
		}
		// The first default rule: personnel notices are never republished.
		if strings.Contains(width.Fold.String(title), "任免") && got.Rule != "人事任免" {
			t.Fatalf("title %q with 任免 decided by %+v", title, got)
		}
		if again := s.Decide(it); again != got {
			t.Fatalf("not deterministic: %+v then %+v", got, again)
		}
	})
}
