package extract

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// A list page may be a shell whose script loads the rows from a JSON file
// or API (gov.cn's column pages call $.ajax({url: "./ZUIXINZHENGCE.json"})).
// `source suggest` reads such a page's script for the URLs it loads and
// tries them as the list.

var (
	// scriptCall is a URL passed to the usual loaders: $.ajax({url: …}),
	// $.get/$.getJSON/$.post(…), fetch(…), axios(…)/axios.get(…).
	scriptCall = regexp.MustCompile(`(?:\burl\s*:\s*|\$\.(?:getJSON|get|post)\(\s*|\bfetch\(\s*|\baxios(?:\.get|\.post)?\(\s*)["']([^"'\s]+)["']`)
	// scriptJSON is any string literal naming a .json file.
	scriptJSON = regexp.MustCompile(`["']([^"'\s]+\.json(?:\?[^"'\s]*)?)["']`)
	// notData are the files scripts also name that hold no rows.
	notData = regexp.MustCompile(`(?i)\.(js|css|png|jpe?g|gif|svg|ico|woff2?|html?|shtml)(\?|$)`)
)

// maxScriptURLs bounds how many loaded URLs suggest tries.
const maxScriptURLs = 5

// ScriptDataURLs returns the http(s) URLs the page's inline scripts load
// data from, resolved against pageURL, in order of appearance, without
// duplicates, at most maxScriptURLs. Script files (src=) are not fetched.
func ScriptDataURLs(body []byte, contentType string, pageURL *url.URL) []string {
	doc, _, err := parsePage(body, contentType)
	if err != nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	add := func(raw string) {
		if len(out) >= maxScriptURLs || notData.MatchString(raw) || strings.HasPrefix(raw, "#") {
			return
		}
		u, err := pageURL.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return
		}
		u.Fragment = ""
		if s := u.String(); !seen[s] && s != pageURL.String() {
			seen[s] = true
			out = append(out, s)
		}
	}
	doc.Find("script:not([src])").Each(func(_ int, s *goquery.Selection) {
		js := s.Text()
		for _, m := range scriptCall.FindAllStringSubmatch(js, -1) {
			add(m[1])
		}
		for _, m := range scriptJSON.FindAllStringSubmatch(js, -1) {
			add(m[1])
		}
	})
	return out
}
