package site

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
)

// rewriteLinks points the body's links and images at local copies: every
// a[href] and img[src] whose URL is a key of local gets the mapped value.
// Everything else is kept token for token. The body was sanitized by the
// crawler, so tokens are re-serialized, never interpreted.
func rewriteLinks(body string, local map[string]string) string {
	if len(local) == 0 || body == "" {
		return body
	}
	z := html.NewTokenizer(strings.NewReader(body))
	var out bytes.Buffer
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out.String()
		}
		tok := z.Token()
		if tt == html.StartTagToken || tt == html.SelfClosingTagToken {
			for i, a := range tok.Attr {
				if (tok.Data == "a" && a.Key == "href") || (tok.Data == "img" && a.Key == "src") {
					if to, ok := local[a.Val]; ok {
						tok.Attr[i].Val = to
					}
				}
			}
		}
		out.WriteString(tok.String())
	}
}
