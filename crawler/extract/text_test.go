package extract

import (
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// textLinesReference is textLines as first written: each line's text
// gathered, then split into words and joined. textLines must give the same
// lines without the per-line copies.
func textLinesReference(n *html.Node, mark bool) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if l := strings.Join(strings.Fields(cur.String()), " "); strings.Trim(l, string(elemMark)+" ") != "" {
			out = append(out, l)
		}
		cur.Reset()
	}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			cur.WriteString(n.Data)
			return
		case html.ElementNode:
			switch {
			case skipped(n):
				return
			case breaks(n.DataAtom):
				flush()
				defer flush()
			case n.DataAtom == atom.Td || n.DataAtom == atom.Th:
				cur.WriteByte(' ')
				defer cur.WriteByte(' ')
			case mark:
				cur.WriteRune(elemMark)
				defer cur.WriteRune(elemMark)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	flush()
	return out
}

func checkTextLines(t *testing.T, raw string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	for _, mark := range []bool{false, true} {
		text, got := textLines(doc, mark)
		want := textLinesReference(doc, mark)
		if !slices.Equal(got, want) || text != strings.Join(want, "\n") {
			t.Fatalf("textLines(%q, %v) = %q, %q; want %q", raw, mark, text, got, want)
		}
	}
}

var textLinesCases = []string{
	`<p>  第一段\u3000正文 </p><p>a<b>b</b> c<br>d&nbsp;e</p>`,
	`<table><tr><td>名称</td><td> 值 </td></tr></table><div> </div><div><span></span></div>x`,
	"<p>\u2003国务院\u2003办公厅\u2003</p>\n\n<p>\u3000</p><p>一</p>",
	`<span>发布日期：</span><span>2026-09-01</span><span>来源：</span>新华社`,
	`ab<i>cd</i> <i>ef</i><script>x y</script>gh<p></p>`,
}

func TestTextLines(t *testing.T) {
	for _, raw := range textLinesCases {
		checkTextLines(t, raw)
	}
	for _, tc := range detailCases {
		checkTextLines(t, string(readCase(t, tc.name, nil)))
	}
}

func FuzzTextLines(f *testing.F) {
	for _, raw := range textLinesCases {
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		checkTextLines(t, raw)
	})
}
