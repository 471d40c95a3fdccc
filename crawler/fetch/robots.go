package fetch

import (
	"bytes"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// This file reads robots.txt as RFC 9309 says: groups of user-agent lines
// followed by rules; the group for our product token, else "*"; the most
// specific (longest) matching rule decides, Allow winning a tie; "*"
// matches any sequence and a final "$" the end of the path. Crawl-delay,
// not in the RFC but common, is read per group.

// robotsTxt is a parsed robots.txt.
type robotsTxt struct {
	groups []robotsGroup
}

type robotsGroup struct {
	agents []string // product tokens, lower case, or "*"
	rules  []robotsRule
	delay  time.Duration
}

type robotsRule struct {
	allow   bool
	pattern string // normalized for matching
	line    string // as written, for messages: "Disallow: /private"
}

// robotsRules are the rules that apply to one crawler.
type robotsRules struct {
	group string // the user-agent group used: our token, "*", or "" (none: all allowed)
	rules []robotsRule
	delay time.Duration // Crawl-delay; 0 if none
}

// maxCrawlDelay bounds a Crawl-delay value, against overflow.
const maxCrawlDelay = 24 * time.Hour

// parseRobots reads a robots.txt body. It never fails: lines it does not
// understand are skipped, as the RFC asks.
func parseRobots(body []byte) *robotsTxt {
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	r := &robotsTxt{}
	var cur *robotsGroup
	inRules := false // the current group has had a rule line: a user-agent line starts a new one
	for len(body) > 0 {
		var line []byte
		if i := bytes.IndexAny(body, "\r\n"); i >= 0 {
			line, body = body[:i], body[i+1:]
		} else {
			line, body = body, nil
		}
		if i := bytes.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		key, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		k := strings.ToLower(strings.TrimSpace(string(key)))
		v := strings.TrimSpace(string(value))
		switch k {
		case "user-agent", "useragent", "user agent":
			if cur == nil || inRules {
				r.groups = append(r.groups, robotsGroup{})
				cur = &r.groups[len(r.groups)-1]
				inRules = false
			}
			if tok := agentToken(v); tok != "" {
				cur.agents = append(cur.agents, tok)
			}
		case "allow", "disallow":
			if cur == nil {
				continue // rules before any user-agent line belong to no group
			}
			inRules = true
			if v == "" {
				continue // "Disallow:" with nothing after it allows everything
			}
			name := "Disallow"
			if k == "allow" {
				name = "Allow"
			}
			cur.rules = append(cur.rules, robotsRule{
				allow: k == "allow", pattern: normalizeRobotsPath(v, false), line: name + ": " + v,
			})
		case "crawl-delay":
			if cur == nil {
				continue
			}
			inRules = true
			if d, err := strconv.ParseFloat(v, 64); err == nil && d >= 0 && !math.IsInf(d, 0) {
				cur.delay = min(time.Duration(min(d, maxCrawlDelay.Seconds())*float64(time.Second)), maxCrawlDelay)
			}
		}
	}
	return r
}

// agentToken reads the product token of a User-agent line: "*", or its
// leading run of letters, "_" and "-", lower-cased ("Googlebot/2.1" →
// "googlebot").
func agentToken(v string) string {
	if strings.HasPrefix(v, "*") {
		return "*"
	}
	end := 0
	for end < len(v) && isTokenChar(v[end]) {
		end++
	}
	return strings.ToLower(v[:end])
}

func isTokenChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '-'
}

// productToken is the name robots.txt groups are matched against, taken
// from a User-Agent: its first product ("syndicator/1.0" → "syndicator"),
// or for "Mozilla/5.0 (compatible; name/1.0; ...)" the name, as crawlers
// presenting a browser-like User-Agent do.
func productToken(ua string) string {
	ua = strings.TrimSpace(ua)
	tok := agentToken(ua)
	if tok == "mozilla" {
		if _, rest, ok := strings.Cut(strings.ToLower(ua), "compatible;"); ok {
			if t := agentToken(strings.TrimSpace(rest)); t != "" && t != "*" {
				return t
			}
		}
	}
	if tok == "*" {
		return ""
	}
	return tok
}

// rulesFor merges the groups naming agent (a lower-case product token); if
// none does, the "*" groups; if none exists either, no rules apply.
func (r *robotsTxt) rulesFor(agent string) *robotsRules {
	for _, want := range []string{agent, "*"} {
		if want == "" {
			continue
		}
		out := &robotsRules{}
		for _, g := range r.groups {
			for _, a := range g.agents {
				if a == want {
					out.group = want
					out.rules = append(out.rules, g.rules...)
					out.delay = max(out.delay, g.delay)
					break
				}
			}
		}
		if out.group != "" {
			return out
		}
	}
	return &robotsRules{}
}

// allowed decides a URL path (with its query) by the most specific
// matching rule. It returns the deciding rule, or nil when none matched.
func (rs *robotsRules) allowed(pathQuery string) (bool, *robotsRule) {
	if pathQuery == "/robots.txt" {
		return true, nil
	}
	path := normalizeRobotsPath(pathQuery, true)
	var best *robotsRule
	for i := range rs.rules {
		rule := &rs.rules[i]
		if best != nil && (len(rule.pattern) < len(best.pattern) || len(rule.pattern) == len(best.pattern) && !rule.allow) {
			continue
		}
		if robotsMatch(rule.pattern, path) {
			best = rule
		}
	}
	return best == nil || best.allow, best
}

// robotsPath is the part of u that rules match: the escaped path and the
// query.
func robotsPath(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.RawQuery != "" || u.ForceQuery {
		p += "?" + u.RawQuery
	}
	return p
}

// robotsMatch reports whether pattern matches a prefix of path (all of it
// if the pattern ends in "$"). It tracks the set of path offsets reachable
// so far, so its time is bounded by len(pattern)*len(path) whatever the
// number of "*".
func robotsMatch(pattern, path string) bool {
	pos := []int{0} // ascending
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case c == '$' && i == len(pattern)-1:
			return pos[len(pos)-1] == len(path)
		case c == '*':
			for i+1 < len(pattern) && pattern[i+1] == '*' {
				i++
			}
			from := pos[0]
			pos = pos[:0]
			for p := from; p <= len(path); p++ {
				pos = append(pos, p)
			}
		default:
			next := pos[:0]
			for _, p := range pos {
				if p < len(path) && path[p] == c {
					next = append(next, p+1)
				}
			}
			if len(next) == 0 {
				return false
			}
			pos = next
		}
	}
	return true
}

// normalizeRobotsPath brings a rule pattern or a URL path to one form so
// that they compare octet by octet (RFC 9309 §2.2.2): bytes outside
// printable ASCII are percent-encoded, escapes of unreserved characters
// decoded, the others upper-cased. In a path (isPath), a literal "*" or
// "$" is encoded too, as a pattern writes them %2A and %24.
func normalizeRobotsPath(s string, isPath bool) string {
	clean := true
	for i := 0; i < len(s) && clean; i++ {
		c := s[i]
		clean = c > ' ' && c < 0x7f && c != '%' && !(isPath && (c == '*' || c == '$'))
	}
	if clean {
		return s
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			v := unhex(s[i+1])<<4 | unhex(s[i+2])
			if isUnreserved(v) {
				b.WriteByte(v)
			} else {
				b.WriteByte('%')
				b.WriteByte(hex[v>>4])
				b.WriteByte(hex[v&15])
			}
			i += 2
		case c <= ' ' || c >= 0x7f || isPath && (c == '*' || c == '$'):
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

func isUnreserved(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}
