package sanitize

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// reference is the sanitizer as it was before it worked on the tree: the
// fragment parsed, its URLs absolutized and rendered, then a bluemonday
// policy applied to the rendered text. The tree walk must write the same
// bytes; the cases it may not are listed in sameAsReference.
type reference struct{ policy *bluemonday.Policy }

func newReference() *reference {
	p := bluemonday.NewPolicy()
	p.AllowElements(
		"p", "br", "h1", "h2", "h3", "h4", "h5", "h6",
		"strong", "b", "em", "i", "u", "sub", "sup", "span", "div",
		"blockquote", "hr", "ul", "ol", "li",
		"table", "caption", "thead", "tbody", "tfoot", "tr", "td", "th",
	)
	p.AllowAttrs("colspan", "rowspan").Matching(reSpan).OnElements("td", "th")
	p.AllowAttrs("align").Matching(reAlign).
		OnElements("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "tr", "table")
	p.AllowAttrs("href", "title").OnElements("a")
	p.AllowAttrs("src", "alt").OnElements("img")
	p.RequireParseableURLs(true)
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowRelativeURLs(true)
	p.SkipElementsContent("embed", "template", "svg", "math", "textarea", "select", "button", "applet")
	return &reference{policy: p}
}

// HTML is the old Sanitizer.HTML but for a nil base, where the fragment
// is parsed and rendered too (the old one handed raw to bluemonday as is).
func (r *reference) HTML(base *url.URL, raw string) string {
	ctx := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(raw), ctx)
	if err != nil {
		return r.policy.Sanitize(raw)
	}
	var b strings.Builder
	for _, n := range nodes {
		if base != nil {
			absolutize(base, n)
		}
		if err := html.Render(&b, n); err != nil {
			return r.policy.Sanitize(raw)
		}
	}
	return r.policy.Sanitize(b.String())
}

func absolutize(base *url.URL, n *html.Node) {
	if n.Type == html.ElementNode {
		kept := n.Attr[:0]
		for _, a := range n.Attr {
			switch a.Key {
			case "href", "src", "cite", "action", "formaction", "background", "poster", "xlink:href":
				if a.Namespace != "" {
					break
				}
				abs, ok := Resolve(base, a.Val)
				if !ok {
					continue
				}
				a.Val = abs
			}
			kept = append(kept, a)
		}
		n.Attr = kept
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		absolutize(base, c)
	}
}

// comparable reports input on which the tree walk and the reference are
// held to the same bytes: not foreign content (svg, math) or plaintext,
// where a rendered tree does not tokenize back into the same tags (both
// drop that content, but may disagree on where the dropping ends).
func comparable(raw string) bool {
	l := strings.ToLower(raw)
	return !strings.Contains(l, "<svg") && !strings.Contains(l, "<math") && !strings.Contains(l, "<plaintext")
}

func TestSameAsReference(t *testing.T) {
	s, ref := New(), newReference()
	base := mustURL(t, "https://www.gov.cn/zhengce/content/202609/content_7080735.htm")
	inputs := map[string]string{}
	for i, in := range referenceCases {
		inputs["case "+string(rune('A'+i))] = in
	}
	files, _ := filepath.Glob("testdata/*.html")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs[f] = string(b)
	}
	for name, in := range inputs {
		for _, b := range []*url.URL{base, nil} {
			want, got := ref.HTML(b, in), s.HTML(b, in)
			if diff := cmp.Diff(want, got); diff != "" && comparable(in) {
				t.Errorf("%s, base %v: HTML(%q) differs from the reference (-want +got):\n%s", name, b, in, diff)
			}
		}
	}
}

var referenceCases = []string{
	`<p>a</p><script>alert(1)</script><p>b</p>`,
	`<scr<script>ipt>alert(1)</script>`,
	`<a name="x"><b>名</b></a><a href="y" title="t">链接</a>`,
	`<a name="x"><p><a href="./z">z</a></p></a>`,
	`<a title="t" href="javascript:alert(1)">x</a><img alt="图"><img src="x.png" alt="a&b">`,
	`<p align="RIGHT">右</p><p align="middle">中</p><td colspan="2">x</td><table><tr><td colspan="1234" rowspan="3">c</td></tr></table>`,
	`<style>p{}</style>after<noscript><p>x</p></noscript><iframe>y</iframe><xmp><b>&amp;</b></xmp>`,
	`<textarea><p>t</p></textarea><select><option>o</select><button>b</button><template><p>t</p></template>`,
	`<object><param name=a><p>inside</p></object>after<embed src=x>`,
	"<p>cr\r\nlf &lt;&gt;&amp;&quot;&#39;</p><pre>\nfirst</pre>",
	`<a href="mailto:a b@c">m</a><a href="mailto:a@b.cn">ok</a><a href="?q=1&amp;r=<x>">q</a><a href="#frag">f</a>`,
	`<img src="//cdn.example/a.png"><img src="data:image/png;base64,AAAA"><a href="HTTPS://X.CN/%zz">bad</a>`,
	`<font color=red><center>c</center></font><form><input value=1><label>l</label></form>`,
	`<table><caption>cap</caption><thead><tr><th align=center>h</th></tr></thead><tfoot></tfoot><tbody><tr><td>d</td></tr></tbody></table>`,
	`<ul><li>1<li>2</ul><ol><li>a</ol><blockquote cite="http://x">q</blockquote><hr><br>`,
	`<!-- c --><p>x<!-- d --></p>`,
	`<a href="x"><a href="y">nested</a></a>`,
	`<p><table><tr><td>in p</td></tr></table>after</p>`,
	`<div><span style="x" class="y">s</span><sub>1</sub><sup>2</sup><u>u</u><i>i</i><em>e</em><strong>s</strong></div>`,
}

func FuzzSameAsReference(f *testing.F) {
	for _, in := range referenceCases {
		f.Add(in)
	}
	s, ref := New(), newReference()
	base := mustURL(f, "https://www.gov.cn/zhengce/content/202609/content_7080735.htm")
	f.Fuzz(func(t *testing.T, raw string) {
		if !comparable(raw) {
			return
		}
		for _, b := range []*url.URL{base, nil} {
			if want, got := ref.HTML(b, raw), s.HTML(b, raw); want != got {
				t.Fatalf("base %v: HTML(%q)\n got %q\nwant %q", b, raw, got, want)
			}
		}
	})
}

// TestInnerSameAsHTML: sanitizing a parsed page's element (Inner) gives
// what sanitizing its rendered content gave (the extractor used to render
// the body and parse it again), on the golden pages. Pages are read in
// no-quirks mode, as a fragment is: in quirks mode (no doctype) a <table>
// may sit inside a <p>, which the old re-parse moved out of it, leaving
// empty paragraphs; Inner keeps the page's own tree.
func TestInnerSameAsHTML(t *testing.T) {
	s := New()
	base := mustURL(t, "https://www.gov.cn/zhengce/content/202609/content_7080735.htm")
	files, _ := filepath.Glob("testdata/*.html")
	more, _ := filepath.Glob("../extract/testdata/*.html")
	for _, f := range append(files, more...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checkInner(t, s, base, string(b))
	}
	for _, in := range referenceCases {
		checkInner(t, s, base, in)
	}
}

func checkInner(t *testing.T, s *Sanitizer, base *url.URL, page string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader("<!DOCTYPE html>" + page))
	if err != nil {
		t.Fatal(err)
	}
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode || n.DataAtom != atom.Body && n.DataAtom != atom.Div && n.DataAtom != atom.Td {
			continue
		}
		var b strings.Builder
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if err := html.Render(&b, c); err != nil {
				return
			}
		}
		if got, want := s.Inner(base, n), s.HTML(base, b.String()); got != want && comparable(page) {
			t.Errorf("Inner(<%s>) differs from HTML of its rendered content:\n got %q\nwant %q", n.Data, got, want)
		}
	}
}

func FuzzInnerSameAsHTML(f *testing.F) {
	for _, in := range referenceCases {
		f.Add(in)
	}
	s := New()
	base := mustURL(f, "https://www.gov.cn/zhengce/content/202609/content_7080735.htm")
	f.Fuzz(func(t *testing.T, page string) {
		checkInner(t, s, base, page)
	})
}
