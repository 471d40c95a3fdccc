package extract

import (
	"cmp"
	"net/url"
	"path"
	"regexp"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/gyeco/syndicator/crawler/sanitize"
	"github.com/gyeco/syndicator/syndicator"
)

// reAttachment matches the path of a link to a document file (sources.md
// §2.6, plus presentations, WPS spreadsheets and 7z).
var reAttachment = regexp.MustCompile(`(?i)\.(?:pdf|docx?|xlsx?|pptx?|wps|et|ofd|zip|rar|7z)$`)

// attachments returns the links below body whose path ends in an
// attachment extension, resolved against base (the detail page, so a TRS
// "./P0….pdf" lands in the article's directory), in document order and
// unique by URL. Name is the link text, else its title, else the file name.
func attachments(body *goquery.Selection, base *url.URL, selSpec string) []syndicator.Attachment {
	sel, err := parseSelector(cmp.Or(selSpec, defaultAttachments))
	if err != nil || sel.label != "" {
		return nil
	}
	attr := cmp.Or(sel.attr, "href")
	seen := map[string]bool{}
	var out []syndicator.Attachment
	sel.find(body).Each(func(_ int, a *goquery.Selection) {
		href, ok := a.Attr(attr)
		if !ok {
			return
		}
		u, ok := resolveHTTP(base, href)
		if !ok || !reAttachment.MatchString(u.Path) {
			return
		}
		u.Fragment, u.RawFragment = "", ""
		abs := u.String()
		if seen[abs] {
			return
		}
		seen[abs] = true
		name := collapseSpace(nodeText(a.Get(0)))
		if name == "" {
			name = collapseSpace(a.AttrOr("title", ""))
		}
		if name == "" {
			name = path.Base(u.Path)
		}
		out = append(out, syndicator.Attachment{Name: strings.TrimSpace(name), URL: abs})
	})
	return out
}

// images returns the images shown in the body (img[src], http(s) only),
// resolved against base, as inline attachments: they are captured and
// archived like documents, and the republished page shows the archived
// copy, but they are not listed under 附件. Images already linked as
// documents are skipped.
func images(body *goquery.Selection, base *url.URL, docs []syndicator.Attachment) []syndicator.Attachment {
	seen := map[string]bool{}
	for _, d := range docs {
		seen[d.URL] = true
	}
	var out []syndicator.Attachment
	body.Find("img[src]").Each(func(_ int, img *goquery.Selection) {
		u, ok := resolveHTTP(base, img.AttrOr("src", ""))
		if !ok {
			return
		}
		u.Fragment, u.RawFragment = "", ""
		abs := u.String()
		if seen[abs] {
			return
		}
		seen[abs] = true
		name := collapseSpace(img.AttrOr("alt", ""))
		if name == "" {
			name = path.Base(u.Path)
		}
		out = append(out, syndicator.Attachment{Name: name, URL: abs, Inline: true})
	})
	return out
}

// resolveHTTP resolves the link raw against base as the sanitizer does
// (so a page links to what its republished copy links to) and parses the
// result; ok is false unless it is an http(s) URL: a mailto: link is
// neither a file nor a document base. The fragment is kept: the base of a
// document passes it on to a bare "#" link.
func resolveHTTP(base *url.URL, raw string) (*url.URL, bool) {
	abs, ok := sanitize.Resolve(base, raw)
	if !ok {
		return nil, false
	}
	u, err := url.Parse(abs)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, false
	}
	return u, true
}
