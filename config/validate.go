package config

import (
	"fmt"
	"net"
	"net/url"
	"reflect"
	"regexp"
	"strings"
)

// Resolved is a source with its preset applied: what the crawler runs.
type Resolved struct {
	Base   *url.URL // scheme, host and optional path prefix of every list URL
	List   ListRule
	Detail DetailRule
	// ListURLs are the absolute first-page URLs.
	ListURLs []*url.URL
}

var sourceIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// resolve applies presets and validates everything, reporting every
// problem with the line of the offending key.
func (c *Config) resolve(lines map[string]int, o options) error {
	var probs Problems
	add := func(key, format string, args ...any) {
		probs = append(probs, Problem{File: c.File, Line: lineOf(lines, key), Key: key, Msg: fmt.Sprintf(format, args...)})
	}

	if c.NATS.URL.IsSet() {
		// A cluster is given as comma-separated URLs.
		for _, one := range strings.Split(c.NATS.URL.Value(), ",") {
			if u, err := url.Parse(strings.TrimSpace(one)); err != nil || u.Host == "" ||
				!oneOf(u.Scheme, "nats", "tls", "ws", "wss") {
				add("nats.url", "not a NATS URL: want nats://host:4222[,nats://host2:4222] (or leave empty for the embedded server)")
				break
			}
		}
	}
	c.checkStore("archive", c.Archive.Backend, c.Archive.S3, add)
	c.checkStore("site", c.Site.Backend, c.Site.S3, add)
	if c.Site.BaseURL != "" && !absHTTP(c.Site.BaseURL) {
		add("site.base_url", "%q is not an absolute http(s) URL", c.Site.BaseURL)
	}
	c.checkChrome(add)
	if c.Webhook.URL != "" {
		if !absHTTP(c.Webhook.URL) {
			add("webhook.url", "%q is not an absolute http(s) URL", c.Webhook.URL)
		}
		if len(c.Webhook.Secret.Value()) < 16 {
			add("webhook.secret", "the webhook needs a secret of at least 16 characters to sign its requests (give it as ${ENV} or file:/path)")
		}
	}
	columns := map[string]bool{}
	for i, col := range c.Site.Columns {
		key := fmt.Sprintf("site.columns[%d]", i)
		switch {
		case !sourceIDPattern.MatchString(col.ID):
			add(key+".id", "%q: use lower-case letters, digits and '-' (it is a path segment)", col.ID)
		case columns[col.ID]:
			add(key+".id", "duplicate column id %q", col.ID)
		}
		columns[col.ID] = true
	}
	if _, _, err := net.SplitHostPort(c.HTTP.Listen); err != nil {
		add("http.listen", "%q is not host:port, e.g. 127.0.0.1:8080", c.HTTP.Listen)
	}
	names := map[string]bool{}
	for i, tok := range c.HTTP.Tokens {
		key := fmt.Sprintf("http.tokens[%d]", i)
		switch {
		case tok.Name == "" || names[tok.Name]:
			add(key+".name", "each token needs a unique name (it is what the logs show)")
		case !oneOf(tok.Role, "operator", "auditor"):
			add(key+".role", "%q: want operator or auditor", tok.Role)
		case len(tok.Token.Value()) < 16:
			add(key+".token", "shorter than 16 characters: generate one with `openssl rand -hex 24`")
		}
		names[tok.Name] = true
	}
	if c.Crawler.MissingShare > 1 {
		add("crawler.missing_share", "%v: a share between 0 and 1, e.g. 0.2", c.Crawler.MissingShare)
	}
	if _, err := ParseAllowPrivate(c.Crawler.AllowPrivate); err != nil {
		add("crawler.allow_private", "%v", err)
	}

	seen := map[string]string{}
	for i := range c.Sources {
		s := &c.Sources[i]
		key := fmt.Sprintf("sources[%d]", i)
		switch {
		case s.ID == "":
			add(key+".id", "missing: every source needs an id")
		case !sourceIDPattern.MatchString(s.ID):
			add(key+".id", "%q: use lower-case letters, digits and '-' (it becomes a NATS subject token)", s.ID)
		case seen[s.ID] != "":
			add(key+".id", "duplicate source id %q (first defined at %s)", s.ID, seen[s.ID])
		default:
			seen[s.ID] = fmt.Sprintf("%s:%d", c.File, lineOf(lines, key+".id"))
		}
		if s.Level != "" && !oneOf(s.Level, "national", "provincial", "municipal", "district", "department") {
			add(key+".level", "%q: want national, provincial, municipal, district or department", s.Level)
		}
		if r := strings.ToLower(strings.TrimSpace(s.IgnoreRobots)); s.IgnoreRobots != "" && (len([]rune(r)) < 4 || oneOf(r, "true", "yes", "on")) {
			add(key+".ignore_robots", "state the reason robots.txt may be ignored (e.g. 经网站主办单位书面同意), not just %q", s.IgnoreRobots)
		}
		if !columns[s.Column] {
			add(key+".column", "%q is not a site column (site.columns)", s.Column)
		}
		c.resolveSource(s, key, o.rules, add)
	}
	c.checkRules(columns, add)
	c.checkSLA(add)
	if len(probs) > 0 {
		return probs
	}
	return nil
}

func (c *Config) resolveSource(s *Source, key string, rules RuleValidator, add func(string, string, ...any)) {
	p, known := Presets()[s.Preset]
	generic := oneOf(s.Preset, KindHTML, KindJSON, KindFeed)
	switch {
	case s.Preset == "":
		add(key+".preset", "missing: name a preset (%s) or a generic kind (html, json, feed)", strings.Join(PresetNames(), ", "))
		return
	case !known && !generic:
		add(key+".preset", "unknown preset %q (known: %s, html, json, feed)", s.Preset, strings.Join(PresetNames(), ", "))
		return
	}
	if generic && (s.List == nil || s.Detail == nil || s.BaseURL == "") {
		add(key, "a %s source needs base_url, list and detail", s.Preset)
		return
	}
	r := Resolved{List: p.List, Detail: p.Detail}
	base := p.BaseURL
	if s.BaseURL != "" {
		base = s.BaseURL
	}
	if s.List != nil {
		overlay(&r.List, s.List)
	}
	if s.Detail != nil {
		overlay(&r.Detail, s.Detail)
	}
	if generic {
		r.List.Kind = s.Preset
	}
	if s.Level == "" {
		s.Level = p.Level
	}
	u, err := url.Parse(base)
	if err != nil || !absHTTP(base) {
		add(key+".base_url", "%q is not an absolute http(s) URL such as https://www.gov.cn", base)
		return
	}
	r.Base = u
	for j, raw := range r.List.URLs {
		lu, err := joinBase(u, raw)
		if err != nil {
			add(fmt.Sprintf("%s.list.urls[%d]", key, j), "%v", err)
			continue
		}
		r.ListURLs = append(r.ListURLs, lu)
	}
	if len(r.ListURLs) == 0 {
		add(key+".list.urls", "no list URL")
	}
	if rules != nil {
		if err := rules.ValidateList(r.List); err != nil {
			add(key+".list", "%v", err)
		}
		if err := rules.ValidateDetail(r.Detail); err != nil {
			add(key+".detail", "%v", err)
		}
	}
	s.Resolved = r
}

// overlay copies every field the operator set (non-zero) from src over
// dst, so `list: {urls: [...]}` changes a preset's URLs and keeps its
// selectors.
func overlay[T any](dst, src *T) {
	d, sv := reflect.ValueOf(dst).Elem(), reflect.ValueOf(src).Elem()
	for i := range sv.NumField() {
		if f := sv.Field(i); !f.IsZero() {
			d.Field(i).Set(f)
		}
	}
}

// joinBase puts a list path under the base URL, keeping the base's path
// prefix: base http://h:8090/govcn + /zhengce/x.json = http://h:8090/govcn/zhengce/x.json.
func joinBase(base *url.URL, raw string) (*url.URL, error) {
	ref, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("bad list URL %q: %w", raw, err)
	}
	if ref.IsAbs() {
		return ref, nil
	}
	u := *base
	u.Path = strings.TrimRight(base.Path, "/") + "/" + strings.TrimLeft(ref.Path, "/")
	u.RawPath = ""
	u.RawQuery = ref.RawQuery
	return &u, nil
}

func (c *Config) checkStore(name, backend string, s3 S3, add func(string, string, ...any)) {
	switch backend {
	case "fs":
	case "s3":
		if s3.Endpoint == "" || s3.Bucket == "" {
			add(name+".s3", "backend s3 needs endpoint and bucket")
		} else if strings.Contains(s3.Endpoint, "/") {
			add(name+".s3.endpoint", "%q: give host:port without scheme or path (secure: true for https)", s3.Endpoint)
		} else if _, _, err := net.SplitHostPort(s3.Endpoint); err != nil && !strings.Contains(err.Error(), "missing port") {
			add(name+".s3.endpoint", "%q is not host[:port]", s3.Endpoint)
		}
	default:
		add(name+".backend", "%q: want fs or s3", backend)
	}
}

// lineOf finds the line of key, or of its nearest parent that has one.
func lineOf(lines map[string]int, key string) int {
	for key != "" {
		if l, ok := lines[key]; ok {
			return l
		}
		i := strings.LastIndexAny(key, ".[")
		if i < 0 {
			break
		}
		key = key[:i]
	}
	return 0
}

var (
	siteCodePattern     = regexp.MustCompile(`^[0-9A-Za-z]{4,20}$`)
	icpPattern          = regexp.MustCompile(`^\p{Han}{1,2}ICP备[0-9]{4,}号(-[0-9]+)?$`)
	policeRecordPattern = regexp.MustCompile(`^\p{Han}{1,2}公网安备\s*[0-9]{6,}号?$`)
)

// checkChrome validates site.chrome: each key is optional, but what is set
// must be a real value, not a placeholder.
func (c *Config) checkChrome(add func(key, format string, args ...any)) {
	ch := &c.Site.Chrome
	if v := strings.TrimSpace(ch.SiteCode); v != "" && !siteCodePattern.MatchString(v) {
		add("site.chrome.site_code", "%q is not a 网站标识码 (letters and digits, e.g. 5201000047)", v)
	}
	if v := strings.TrimSpace(ch.ICP); v != "" && !icpPattern.MatchString(v) {
		add("site.chrome.icp", "%q is not an ICP备案号 like 黔ICP备05002212号-1", v)
	}
	if v := strings.TrimSpace(ch.PoliceRecord); v != "" && !policeRecordPattern.MatchString(v) {
		add("site.chrome.police_record", "%q is not a 公安机关备案号 like 贵公网安备 52010302000123号", v)
	}
	if strings.ContainsAny(ch.Sponsor, "\r\n") {
		add("site.chrome.sponsor", "must be one line")
	}
	if strings.ContainsAny(ch.Organizer, "\r\n") {
		add("site.chrome.organizer", "must be one line")
	}
	if v := strings.TrimSpace(ch.ConacURL); v != "" && !absHTTP(v) {
		add("site.chrome.conac_url", "%q is not an absolute http(s) URL (the 党政机关网站标识 link, https://bszs.conac.cn/…)", v)
	}
	if v := strings.TrimSpace(ch.ContactURL); v != "" && !absHTTP(v) && !mailto(v) {
		add("site.chrome.contact_url", "%q is not an absolute http(s) URL or mailto:", v)
	}
	if v := strings.TrimSpace(ch.AccessibilityURL); v != "" && !absHTTP(v) {
		add("site.chrome.accessibility_url", "%q is not an absolute http(s) URL", v)
	}
}

func mailto(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Scheme == "mailto" && strings.Contains(u.Opaque, "@")
}

func absHTTP(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func oneOf(s string, options ...string) bool {
	for _, o := range options {
		if s == o {
			return true
		}
	}
	return false
}

// IsSourceID reports whether id is a valid source id (lowercase letters,
// digits and hyphens, at most 63 characters).
func IsSourceID(id string) bool { return sourceIDPattern.MatchString(id) }
