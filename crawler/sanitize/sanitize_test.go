package sanitize

import (
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// unsafe parses out as a browser would and reports what should never be
// urlAttr reports whether an attribute holds a URL a browser would follow.
func urlAttr(k string) bool {
	switch k {
	case "href", "src", "action", "formaction", "background", "cite", "data", "poster", "srcset", "xlink:href", "longdesc", "usemap":
		return true
	}
	return false
}

// safeScheme reports whether a whitespace-stripped, lower-cased URL is
// relative or uses http, https or mailto. A colon after the first '/', '?'
// or '#' is part of the path, not a scheme ("https://h/javascript:" is safe).
func safeScheme(v string) bool {
	i := strings.IndexAny(v, ":/?#")
	if i < 0 || v[i] != ':' {
		return true // no scheme: relative
	}
	switch v[:i] {
	case "http", "https", "mailto":
		return true
	}
	return false
}

// there: a script-like element, an on* attribute, a style attribute, a URL
// with a scheme other than http, https or mailto.
func unsafe(t testing.TB, out string) []string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(out))
	if err != nil {
		t.Fatalf("re-parse: %v", err)
	}
	var bad []string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "style", "iframe", "object", "embed", "form", "svg", "math", "meta", "link", "base", "frame", "frameset":
				bad = append(bad, "element "+n.Data)
			}
			for _, a := range n.Attr {
				k := strings.ToLower(a.Key)
				v := strings.ToLower(strings.Map(func(r rune) rune {
					if r <= ' ' {
						return -1
					}
					return r
				}, a.Val))
				switch {
				case strings.HasPrefix(k, "on"):
					bad = append(bad, "attribute "+k)
				case k == "style":
					bad = append(bad, "attribute style")
				case urlAttr(k) && !safeScheme(v):
					bad = append(bad, "url "+a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if strings.Contains(strings.ToLower(out), "<script") {
		bad = append(bad, "literal <script")
	}
	return bad
}

func TestHTMLPayloads(t *testing.T) {
	s := New()
	base := mustURL(t, "https://www.gov.cn/zhengce/content/202609/content_7080735.htm")
	payloads := []struct{ name, in string }{
		{"script", `<p>a</p><script>alert(1)</script><p>b</p>`},
		{"script uppercase", `<SCRIPT SRC=//evil/x.js></SCRIPT>`},
		{"script split", `<scr<script>ipt>alert(1)</script>`},
		{"img onerror", `<img src=x onerror=alert(1)>`},
		{"javascript href", `<a href="javascript:alert(1)">x</a>`},
		{"javascript href mixed case and spaces", `<a href="  JaVaScRiPt:alert(1)">x</a>`},
		{"javascript href with tab", "<a href=\"jav\tascript:alert(1)\">x</a>"},
		{"entity encoded javascript", `<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>`},
		{"entity encoded tab", `<a href="jav&#x09;ascript:alert(1)">x</a>`},
		{"entity encoded newline", `<a href="jav&#x0A;ascript:alert(1)">x</a>`},
		{"vbscript", `<a href="vbscript:msgbox(1)">x</a>`},
		{"data url link", `<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>`},
		{"data url image", `<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">`},
		{"iframe", `<iframe src="https://evil.example/"></iframe><p>ok</p>`},
		{"iframe srcdoc", `<iframe srcdoc="<script>alert(1)</script>"></iframe>`},
		{"svg onload", `<svg onload=alert(1)><circle r=1 /></svg>`},
		{"svg script", `<svg><script>alert(1)</script></svg>`},
		{"math mxss", `<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`},
		{"style expression", `<p style="width:expression(alert(1))">x</p>`},
		{"style element", `<style>body{background:url(javascript:alert(1))}</style><p>x</p>`},
		{"form", `<form action="javascript:alert(1)"><input type=submit formaction="javascript:alert(1)"><button>go</button></form>`},
		{"meta refresh", `<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`},
		{"object", `<object data="javascript:alert(1)"></object>`},
		{"embed", `<embed src="javascript:alert(1)">`},
		{"base", `<base href="javascript:alert(1)//">`},
		{"link stylesheet", `<link rel=stylesheet href="javascript:alert(1)">`},
		{"noscript mxss", `<noscript><p title="</noscript><img src=x onerror=alert(1)>">`},
		{"attribute breakout", `<a href="x" title='"><script>alert(1)</script>'>x</a>`},
		{"body onload", `<body onload=alert(1)><p>x</p></body>`},
		{"details ontoggle", `<details open ontoggle=alert(1)>`},
		{"comment", `<!--<script>alert(1)</script>--><p>x</p>`},
		{"cdata", `<![CDATA[<script>alert(1)</script>]]>`},
		{"unclosed", `<p><a href="javascript:alert(1)"`},
		{"protocol relative script", `<script src="//evil.example/x.js"></script>`},
	}
	for _, tc := range payloads {
		t.Run(tc.name, func(t *testing.T) {
			for _, b := range []*url.URL{base, nil} {
				out := s.HTML(b, tc.in)
				if bad := unsafe(t, out); len(bad) > 0 {
					t.Errorf("HTML(%v, %q) = %q\nunsafe: %v", b, tc.in, out, bad)
				}
			}
		})
	}
}

func TestHTMLAbsoluteURLs(t *testing.T) {
	s := New()
	base := mustURL(t, "https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qff/202510/t20251021_88713156.html")
	tests := []struct{ name, in, want string }{
		{"dot relative", `<a href="./P020251021.pdf">附件</a>`,
			`<a href="https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qff/202510/P020251021.pdf">附件</a>`},
		{"parent relative", `<a href="../../qfh/">黔府函</a>`,
			`<a href="https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qfh/">黔府函</a>`},
		{"root relative image", `<img src="/images/a.png" alt="图">`,
			`<img src="https://www.guizhou.gov.cn/images/a.png" alt="图"/>`},
		{"protocol relative", `<a href="//www.gov.cn/x.htm">x</a>`,
			`<a href="https://www.gov.cn/x.htm">x</a>`},
		{"absolute kept", `<a href="http://www.gov.cn/x.htm" title="t">x</a>`,
			`<a href="http://www.gov.cn/x.htm" title="t">x</a>`},
		{"mailto kept", `<a href="mailto:a@b.cn">mail</a>`, `<a href="mailto:a@b.cn">mail</a>`},
		{"fragment", `<a href="#top">top</a>`,
			`<a href="https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qff/202510/t20251021_88713156.html#top">top</a>`},
		{"anchor without href unwrapped", `<a name="x">名</a>`, `名`},
		{"style and class dropped", `<p style="text-indent:2em" class="x" id="y" align="right">国务院办公厅</p>`,
			`<p align="right">国务院办公厅</p>`},
		{"table spans", `<table border="1"><tr><td colspan="2" rowspan="x" width="50">a</td></tr></table>`,
			`<table><tbody><tr><td colspan="2">a</td></tr></tbody></table>`},
		{"font unwrapped", `<p><font color="red">注意</font>PM<sub>2.5</sub></p>`, `<p>注意PM<sub>2.5</sub></p>`},
		{"whitespace in href", "<a href=\" ./a\n.pdf \">a</a>",
			`<a href="https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qff/202510/a.pdf">a</a>`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := s.HTML(base, tc.in)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("HTML(%q) mismatch (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestHTMLNilBase(t *testing.T) {
	got := New().HTML(nil, `<p><a href="./a.pdf">a</a><img src="javascript:x"></p>`)
	want := `<p><a href="./a.pdf">a</a></p>`
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestResolve(t *testing.T) {
	base := mustURL(t, "https://www.gov.cn/zhengce/content/202609/content_7080735.htm")
	tests := []struct {
		ref, want string
		ok        bool
	}{
		{"./P0.pdf", "https://www.gov.cn/zhengce/content/202609/P0.pdf", true},
		{"", "", false},
		{"   ", "", false},
		{"javascript:void(0)", "", false},
		{"java\nscript:alert(1)", "", false},
		{"\x01javascript:alert(1)", "", false},
		{"data:text/html,x", "", false},
		{"ftp://x/y", "", false},
		{"http:///nohost", "", false},
		{"mailto:a@b.cn", "mailto:a@b.cn", true},
		{"HTTPS://WWW.GOV.CN/a", "https://WWW.GOV.CN/a", true},
	}
	for _, tc := range tests {
		got, ok := Resolve(base, tc.ref)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Resolve(%q) = %q, %v; want %q, %v", tc.ref, got, ok, tc.want, tc.ok)
		}
	}
}

func TestHTMLConcurrent(t *testing.T) {
	s := New()
	base := mustURL(t, "https://www.gov.cn/a/b.htm")
	want := s.HTML(base, `<p><a href="c.htm">c</a></p>`)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 50 {
				if got := s.HTML(base, `<p><a href="c.htm">c</a></p>`); got != want {
					t.Errorf("got %q, want %q", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestGolden sanitizes testdata/<case>.html against the URL in
// testdata/<case>.url and compares with testdata/<case>.golden.html.
func TestGolden(t *testing.T) {
	s := New()
	files, err := filepath.Glob("testdata/*.url")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".url")
		t.Run(name, func(t *testing.T) {
			rawURL, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			in, err := os.ReadFile(filepath.Join("testdata", name+".html"))
			if err != nil {
				t.Fatal(err)
			}
			got := s.HTML(mustURL(t, strings.TrimSpace(string(rawURL))), string(in))
			golden := filepath.Join("testdata", name+".golden.html")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
			if bad := unsafe(t, got); len(bad) > 0 {
				t.Errorf("unsafe output: %v", bad)
			}
		})
	}
}

func TestSafeScheme(t *testing.T) {
	for v, want := range map[string]bool{
		"https://www.gov.cn/javascript:": true, "./p0.pdf": true, "/a?b=javascript:x": true, "#top": true,
		"mailto:a@b.cn": true, "javascript:alert(1)": false, "data:text/html,x": false, "vbscript:x": false,
	} {
		if got := safeScheme(v); got != want {
			t.Errorf("safeScheme(%q) = %v, want %v", v, got, want)
		}
	}
}

// TestIndexEscaped checks indexEscaped against strings.IndexAny with each
// byte value at each position of Chinese text.
func TestIndexEscaped(t *testing.T) {
	base := "一二三四五六七八九十"
	for b := 0; b < 256; b++ {
		for pos := range len(base) {
			s := base[:pos] + string([]byte{byte(b)}) + base[pos:]
			if got, want := indexEscaped(s), strings.IndexAny(s, "&'<>\"\r"); got != want {
				t.Fatalf("indexEscaped(%q) = %d, want %d", s, got, want)
			}
		}
	}
}
