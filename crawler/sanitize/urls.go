package sanitize

import (
	"net/url"
	"strings"
)

// Resolve resolves ref, an attribute value as written in HTML, against base
// the way a browser does: leading and trailing spaces and control characters
// are trimmed and ASCII tabs and newlines removed before parsing. It reports
// false for an empty or unparseable value and for any scheme other than
// http, https and mailto.
func Resolve(base *url.URL, ref string) (string, bool) {
	ref = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, ref)
	ref = strings.TrimFunc(ref, func(r rune) bool { return r <= ' ' })
	if ref == "" {
		return "", false
	}
	var u *url.URL
	var err error
	if base != nil {
		u, err = base.Parse(ref)
	} else {
		u, err = url.Parse(ref)
	}
	if err != nil {
		return "", false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		if u.Host == "" {
			return "", false
		}
	case "mailto":
	default:
		return "", false
	}
	return u.String(), true
}
