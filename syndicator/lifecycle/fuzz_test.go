package lifecycle_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/lifecycle"
)

// FuzzParseDecision checks that no text makes ParseDecision panic and that
// every entry it returns names a document and a validity it can take.
func FuzzParseDecision(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		title, body, _ := strings.Cut(string(b), "\n")
		f.Add(title, body)
	}
	f.Add("关于废止〈〉的决定", "《》（）同时废止\n一、废止以下文件\n1.《\n（")
	f.Add("", "《《《》》》（（国发〔2016〕12号））予以废止“《甲》")
	f.Fuzz(func(t *testing.T, title, body string) {
		d, ok := lifecycle.ParseDecision(title, body)
		if !ok && len(d.Entries) > 0 {
			t.Fatalf("ok false with %d entries", len(d.Entries))
		}
		for _, e := range d.Entries {
			if strings.TrimSpace(e.Title) == "" && strings.TrimSpace(e.DocNumber) == "" {
				t.Fatalf("entry without title or number: %+v", e)
			}
			switch e.To {
			case syndicator.ValidityRepealed, syndicator.ValidityExpired, syndicator.ValidityAmended:
			default:
				t.Fatalf("entry %+v: to %q", e, e.To)
			}
			if e.DocKey != syndicator.DocKey(e.DocNumber) {
				t.Fatalf("entry %+v: doc_key differs from syndicator.DocKey %q", e, syndicator.DocKey(e.DocNumber))
			}
		}
	})
}
