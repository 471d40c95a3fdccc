package sanitize

import (
	"os"
	"path/filepath"
	"testing"
)

func FuzzHTML(f *testing.F) {
	seeds := []string{
		`<p>正文</p>`,
		`<a href="./P0.pdf">附件</a><img src=x onerror=alert(1)>`,
		`<a href="jav&#x09;ascript:alert(1)">x</a>`,
		`<noscript><p title="</noscript><img src=x onerror=alert(1)>">`,
		`<svg><script>alert(1)</script></svg>`,
		`<table><tr><td colspan=2>a</td></tr></table>`,
	}
	if files, err := filepath.Glob("testdata/*.html"); err == nil {
		for _, name := range files {
			if b, err := os.ReadFile(name); err == nil {
				seeds = append(seeds, string(b))
			}
		}
	}
	for _, s := range seeds {
		f.Add(s)
	}
	s := New()
	base := mustURL(f, "https://www.gov.cn/zhengce/content/202609/content_7080735.htm")
	f.Fuzz(func(t *testing.T, raw string) {
		out := s.HTML(base, raw)
		if bad := unsafe(t, out); len(bad) > 0 {
			t.Fatalf("HTML(%q) = %q\nunsafe: %v", raw, out, bad)
		}
	})
}
