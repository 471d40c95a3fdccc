// Package config is syndicator's typed configuration: defaults, strict
// YAML loading (an unknown key is an error naming file:line), secrets given
// as ${ENV} or file:/path, built-in source presets, and validation.
package config

import (
	"path/filepath"
	"time"

	"github.com/gyeco/syndicator/syndicator/relevance"
)

// Config is the whole configuration file (DESIGN §4). Field comments are
// the user documentation; README's configuration reference follows them.
type Config struct {
	// DataDir holds local state: the embedded NATS store, its LOCK file and,
	// by default, the fs archive and site. Relative paths in a file are
	// relative to the file's directory; default "data" beside it (the
	// built-in configuration: ./data in the current directory).
	DataDir string  `yaml:"data_dir"`
	NATS    NATS    `yaml:"nats"`
	Archive Archive `yaml:"archive"`
	Site    Site    `yaml:"site"`
	HTTP    HTTP    `yaml:"http"`
	Crawler Crawler `yaml:"crawler"`
	Webhook Webhook `yaml:"webhook"`
	// Identity configures how sightings of one document on several sites
	// become one article.
	Identity Identity `yaml:"identity"`
	// Sources are the sites watched. Default: the three real sources.
	Sources []Source `yaml:"sources"`
	// Rules are the relevance rules, tried in order for every item after
	// its source's own rules (README "Relevance rules"). Default: the
	// built-in set, relevance.Default().
	Rules []relevance.Rule `yaml:"rules"`
	// SLA is the republication deadline per class, for the audit reports
	// (config/sla.go); Calendar the holidays and make-up working days its
	// working-day deadlines count with.
	SLA      SLA      `yaml:"sla"`
	Calendar Calendar `yaml:"calendar"`

	// File is where the configuration was read from ("" = built in).
	File string `yaml:"-"`
	// lines are the lines of File that set each key path (sources[0].id),
	// recorded when it was read: Settings names them.
	lines map[string]int
}

// NATS says where the event bus is.
type NATS struct {
	// URL of an external NATS server with JetStream; empty runs an embedded
	// server in this process.
	URL Secret `yaml:"url"`
	// StoreDir of the embedded server. Default <data_dir>/nats.
	StoreDir string `yaml:"store_dir"`
	// Port of the embedded server on 127.0.0.1; 0 picks a free one.
	Port int `yaml:"port"`
	// AckWait is how long an event handed to a worker that died (kill -9,
	// lost connection) waits before JetStream hands it to another worker.
	// A live worker extends it while its handler runs, so it does not bound
	// how long a handler may take. Default 30s, at least 1s.
	AckWait time.Duration `yaml:"ack_wait"`
	// Replicas is how many servers of the JetStream cluster at URL hold
	// each stream, bucket and the claim store: 1 (default) to 5. Above 1
	// needs a cluster (url set); 3 keeps working with one node down.
	Replicas int `yaml:"replicas"`
}

// S3 is an S3-compatible bucket (MinIO).
type S3 struct {
	Endpoint  string `yaml:"endpoint"` // host:port
	Bucket    string `yaml:"bucket"`
	Region    string `yaml:"region"`
	AccessKey Secret `yaml:"access_key"`
	SecretKey Secret `yaml:"secret_key"`
	Secure    bool   `yaml:"secure"` // https to the endpoint
	// ObjectLockDays makes archived objects write-once for that many days
	// (the bucket is created with object lock). 0 = off.
	ObjectLockDays int `yaml:"object_lock_days"`
}

// Archive is where originals and their metadata are kept (DESIGN §7).
type Archive struct {
	Backend string `yaml:"backend"` // fs (default) | s3
	Dir     string `yaml:"dir"`     // fs: default <data_dir>/archive
	S3      S3     `yaml:"s3"`
	// AnchorEvery is how often the archive role anchors the audit ledger's
	// head in the archive (only when the head moved). Default 1h.
	AnchorEvery time.Duration `yaml:"anchor_every"`
}

// Site is the committee site's static docroot (DESIGN §8).
type Site struct {
	Backend string `yaml:"backend"` // fs (default) | s3
	Dir     string `yaml:"dir"`     // fs: default <data_dir>/site
	S3      S3     `yaml:"s3"`
	// Name is the SiteName meta tag and page title suffix.
	Name string `yaml:"name"`
	// BaseURL is the public address of the site, for the feed and sitemap.
	BaseURL string `yaml:"base_url"`
	// Columns in menu order. Default: one column "zcwj" named 政策文件.
	Columns  []Column `yaml:"columns"`
	PageSize int      `yaml:"page_size"` // default 20
	// Chrome is the footer furniture the national norms for government
	// websites (政府网站发展指引) ask for. Every key is optional and empty by
	// default; what is not set is left out of the pages.
	Chrome SiteChrome `yaml:"chrome"`
}

// SiteChrome is the government-website furniture shown in every page
// footer of the committee site.
type SiteChrome struct {
	// SiteCode is the 网站标识码 issued for the site, e.g. "5201000047".
	SiteCode string `yaml:"site_code"`
	// ICP is the ICP备案号, e.g. "黔ICP备05002212号-1"; it links to
	// https://beian.miit.gov.cn/.
	ICP string `yaml:"icp"`
	// PoliceRecord is the 公安机关备案号, e.g. "贵公网安备 52010302000123号";
	// it links to http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=<digits>.
	PoliceRecord string `yaml:"police_record"`
	// Sponsor is the 主办单位, Organizer the 承办单位.
	Sponsor   string `yaml:"sponsor"`
	Organizer string `yaml:"organizer"`
	// ConacURL is the 党政机关网站标识 link (https://bszs.conac.cn/…).
	ConacURL string `yaml:"conac_url"`
	// ContactURL is the 联系我们 page: http(s) or mailto:.
	ContactURL string `yaml:"contact_url"`
	// AccessibilityURL is the 无障碍 entry.
	AccessibilityURL string `yaml:"accessibility_url"`
}

// Column is one section of the committee site.
type Column struct {
	ID   string `yaml:"id"` // path segment
	Name string `yaml:"name"`
}

// HTTP configures `serve` (and the serve role of `run`).
type HTTP struct {
	Listen string `yaml:"listen"` // default 127.0.0.1:8080
	// Tokens grant access to the console and the API, sent as
	// "Authorization: Bearer <token>". Without tokens the API answers 401
	// to everyone; the public site is unaffected.
	Tokens []Token `yaml:"tokens"`
	// MaxConnsPerClient caps the connections one remote address may hold
	// open; more are closed at once. Default 64. Behind a reverse proxy
	// every client shares the proxy's address: raise it, or set -1 for no
	// cap.
	MaxConnsPerClient int `yaml:"max_conns_per_client"`
}

// Webhook is the CMS HTTP API the webhook sink republishes to.
type Webhook struct {
	// URL receives every operation as a JSON POST; empty turns the sink off.
	URL string `yaml:"url"`
	// Secret keys the HMAC-SHA256 signature of each request; give it as
	// ${ENV} or file:/path. Required with URL; at least 16 characters.
	Secret Secret `yaml:"secret"`
	// Timeout bounds one request. Default 30s.
	Timeout time.Duration `yaml:"timeout"`
}

// Identity configures cross-site identity (DESIGN §6 doc_key).
type Identity struct {
	// WaitForOrigin is how long a copy seen on another site waits for the
	// issuer's own page (e.g. a 国发 document seen on the Guiyang site
	// first, while gov.cn is watched) before it is published from the
	// copy. Default 2h; the timely deadline is 24h.
	WaitForOrigin time.Duration `yaml:"wait_for_origin"`
}

// Token is one API credential.
type Token struct {
	Name  string `yaml:"name"`  // who holds it; logged, never the token
	Role  string `yaml:"role"`  // operator (may change things) | auditor (read only)
	Token Secret `yaml:"token"` // give as ${ENV} or file:/path; at least 16 characters
}

// Crawler configures fetching, for every source.
type Crawler struct {
	UserAgent    string  `yaml:"user_agent"`
	PerHostRPS   float64 `yaml:"per_host_rps"`   // default 1
	MaxBodyBytes int64   `yaml:"max_body_bytes"` // default 20 MiB, after decompression
	// MaxAttachmentBytes caps one attachment download. Default 100 MiB.
	MaxAttachmentBytes int64 `yaml:"max_attachment_bytes"`
	// Recheck is how often items discovered in the last two days are read
	// again for revisions (6× less often up to 14 days, 24× up to 60 days,
	// then never). Default 1h.
	Recheck time.Duration `yaml:"recheck"`
	Timeout time.Duration `yaml:"timeout"` // per request, default 60s
	// MissingShare is the share of detail pages in a poll that may lack a
	// required field (title, body) before the source is reported degraded;
	// such pages are retried either way. Default 0.2.
	MissingShare float64 `yaml:"missing_share"`
	// AllowPrivate lists host:port pairs or CIDRs that may be fetched
	// although private or loopback (local mirrors, tests). Empty by default.
	AllowPrivate []string `yaml:"allow_private"`
}

// Source is one watched list of policy releases.
type Source struct {
	ID    string `yaml:"id"`
	Name  string `yaml:"name"`
	Level string `yaml:"level"` // national | provincial | municipal | district | department
	// Preset names built-in rules (govcn-zuixin, guizhou-szfwj, ...) or a
	// generic kind (html, json, feed) whose rules are given here.
	Preset string `yaml:"preset"`
	// BaseURL replaces the preset's host, e.g. a mirror or a test server;
	// it may carry a path prefix (http://127.0.0.1:8090/govcn).
	BaseURL string `yaml:"base_url"`
	// List and Detail override the preset's rules field by field: what is
	// given replaces the preset's value, the rest is kept.
	List     *ListRule     `yaml:"list"`
	Detail   *DetailRule   `yaml:"detail"`
	Interval time.Duration `yaml:"interval"` // default 15m
	// Jitter is the largest random delay added to each poll. Default 10% of Interval.
	Jitter time.Duration `yaml:"jitter"`
	Column string        `yaml:"column"` // committee-site column; default the first column
	// IgnoreRobots turns off robots.txt for this source. It must state the
	// reason (e.g. the site owner's written permission), which is logged at
	// every start; empty means robots.txt is obeyed.
	IgnoreRobots string `yaml:"ignore_robots"`
	// Rules are this source's own relevance rules, tried before the global
	// rules for its items only.
	Rules []relevance.Rule `yaml:"rules"`
	// Baseline: the items already on the source's lists at its first
	// successful poll are its baseline, archived and republished like any
	// item but not counted by timeliness audits (item field baseline).
	// Default true; false counts them as newly published.
	Baseline *bool `yaml:"baseline"`

	// Resolved is filled by Load: the preset applied and URLs parsed.
	Resolved Resolved `yaml:"-"`
}

// Defaults is the built-in configuration used when no file is given:
// the three real sources, data under ./data, embedded NATS, fs archive and
// site, serving on 127.0.0.1:8080.
func Defaults() *Config {
	c := &Config{
		Sources: []Source{
			{ID: "govcn-zuixin", Name: "中国政府网 最新政策", Level: "national", Preset: "govcn-zuixin"},
			{ID: "guizhou-szfwj", Name: "贵州省人民政府 省政府文件", Level: "provincial", Preset: "guizhou-szfwj"},
			{ID: "guiyang-gfxwj", Name: "贵阳市人民政府 规范性文件", Level: "municipal", Preset: "guiyang-gfxwj"},
		},
	}
	c.fill()
	return c
}

// fill sets every default that the file left empty.
func (c *Config) fill() {
	if c.DataDir == "" {
		c.DataDir = "data"
	}
	if c.NATS.StoreDir == "" {
		c.NATS.StoreDir = filepath.Join(c.DataDir, "nats")
	}
	if c.Archive.Backend == "" {
		c.Archive.Backend = "fs"
	}
	if c.Archive.Backend == "fs" && c.Archive.Dir == "" {
		c.Archive.Dir = filepath.Join(c.DataDir, "archive")
	}
	if c.Site.Backend == "" {
		c.Site.Backend = "fs"
	}
	if c.Site.Backend == "fs" && c.Site.Dir == "" {
		c.Site.Dir = filepath.Join(c.DataDir, "site")
	}
	if c.Site.Name == "" {
		c.Site.Name = "贵阳市生态文明委员会"
	}
	if len(c.Site.Columns) == 0 {
		c.Site.Columns = []Column{{ID: "zcwj", Name: "政策文件"}}
	}
	if c.Site.PageSize <= 0 {
		c.Site.PageSize = 20
	}
	if c.HTTP.MaxConnsPerClient == 0 {
		c.HTTP.MaxConnsPerClient = 64
	}
	if c.HTTP.Listen == "" {
		c.HTTP.Listen = "127.0.0.1:8080"
	}
	if c.Crawler.UserAgent == "" {
		c.Crawler.UserAgent = "Mozilla/5.0 (compatible; syndicator/1.0; +republishing for 贵阳市生态文明委员会)"
	}
	if c.Crawler.PerHostRPS <= 0 {
		c.Crawler.PerHostRPS = 1
	}
	if c.Crawler.MaxBodyBytes <= 0 {
		c.Crawler.MaxBodyBytes = 20 << 20
	}
	if c.Crawler.Recheck <= 0 {
		c.Crawler.Recheck = time.Hour
	}
	if c.Crawler.MaxAttachmentBytes <= 0 {
		c.Crawler.MaxAttachmentBytes = 100 << 20
	}
	if c.Crawler.MissingShare <= 0 {
		c.Crawler.MissingShare = 0.2
	}
	if c.Webhook.Timeout <= 0 {
		c.Webhook.Timeout = 30 * time.Second
	}
	if c.NATS.AckWait <= 0 {
		c.NATS.AckWait = 30 * time.Second
	}
	if c.NATS.Replicas == 0 {
		c.NATS.Replicas = 1
	}
	if c.Archive.AnchorEvery <= 0 {
		c.Archive.AnchorEvery = time.Hour
	}
	if c.Identity.WaitForOrigin <= 0 {
		c.Identity.WaitForOrigin = 2 * time.Hour
	}
	if len(c.Rules) == 0 {
		c.Rules = relevance.Default()
	}
	if c.Crawler.Timeout <= 0 {
		c.Crawler.Timeout = 60 * time.Second
	}
	c.fillSLA()
	for i := range c.Sources {
		s := &c.Sources[i]
		if s.Interval <= 0 {
			s.Interval = 15 * time.Minute
		}
		if s.Jitter <= 0 {
			s.Jitter = s.Interval / 10
		}
		if s.Column == "" {
			s.Column = c.Site.Columns[0].ID
		}
		if s.Name == "" {
			s.Name = s.ID
		}
		if s.Baseline == nil {
			on := true
			s.Baseline = &on
		}
	}
}

// TakesBaseline reports whether the items on the source's lists at its
// first successful poll are marked as its baseline (the default).
func (s *Source) TakesBaseline() bool {
	return s.Baseline == nil || *s.Baseline
}
