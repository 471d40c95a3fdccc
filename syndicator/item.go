// Package syndicator holds the domain core shared by every role: the item
// schema (DESIGN §6), the document numbers and doc_key that identify a
// document across sites, the events that carry items between roles (§5),
// their subjects, and the error kinds that let a consumer choose between
// retry and dead letter.
package syndicator

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// Precision says how much of a source time is real. A date-only value is
// kept as 00:00 Beijing time with PrecisionDay; no time of day is invented.
type Precision string

const (
	PrecisionDay    Precision = "day"
	PrecisionMinute Precision = "minute"
	PrecisionSecond Precision = "second"
)

// Validity is the 有效性 of a document.
type Validity string

const (
	ValidityEffective Validity = "effective"
	ValidityAmended   Validity = "amended"
	ValidityRepealed  Validity = "repealed"
	ValidityExpired   Validity = "expired"
	ValidityUnknown   Validity = "unknown"
)

// Label is the 有效性 as readers see it (sources.md §7.5), one wording
// for the site's pages and for `source test`: anything but the four known
// values reads 未知.
func (v Validity) Label() string {
	switch v {
	case ValidityEffective:
		return "有效"
	case ValidityAmended:
		return "已修改"
	case ValidityRepealed:
		return "已废止"
	case ValidityExpired:
		return "已失效"
	}
	return "未知"
}

// Label is how precise a publication time is, in Chinese: "精确到" + it.
func (p Precision) Label() string {
	switch p {
	case PrecisionDay:
		return "日"
	case PrecisionMinute:
		return "分钟"
	case PrecisionSecond:
		return "秒"
	}
	return string(p)
}

// Level is the administrative level of a source.
type Level string

const (
	LevelNational   Level = "national"
	LevelProvincial Level = "provincial"
	LevelMunicipal  Level = "municipal"
	LevelDistrict   Level = "district"
	LevelDepartment Level = "department"
)

// Label is the level in Chinese.
func (l Level) Label() string {
	switch l {
	case LevelNational:
		return "国家级"
	case LevelProvincial:
		return "省级"
	case LevelMunicipal:
		return "市级"
	case LevelDistrict:
		return "区县级"
	case LevelDepartment:
		return "部门"
	}
	return string(l)
}

// Item is one policy release, as read from its source (DESIGN §6, schema v1).
type Item struct {
	ID                 string       `json:"id"`
	Source             string       `json:"source"`
	Level              Level        `json:"level"`
	URL                string       `json:"url"`
	DocKey             string       `json:"doc_key,omitempty"`
	Title              string       `json:"title"`
	DocNumber          string       `json:"doc_number,omitempty"`
	IndexNumber        string       `json:"index_number,omitempty"`
	Issuer             string       `json:"issuer,omitempty"`
	Subject            string       `json:"subject,omitempty"`
	DocType            string       `json:"doc_type,omitempty"`
	Origin             string       `json:"origin,omitempty"`
	WrittenAt          string       `json:"written_at,omitempty"`
	PublishedAt        time.Time    `json:"published_at"`
	PublishedPrecision Precision    `json:"published_precision"`
	Validity           Validity     `json:"validity"`
	BodyHTML           string       `json:"body_html"`
	BodyText           string       `json:"body_text"`
	Attachments        []Attachment `json:"attachments"`
	ContentSHA256      string       `json:"content_sha256"`
	Revision           int          `json:"revision"`
	Column             string       `json:"column,omitempty"`
	FetchedAt          time.Time    `json:"fetched_at"`
	// ExtractedBy is "fallback" when the source's selectors matched nothing
	// on the page and the body (by its text density) or the metadata (by
	// its labels) were read by the generic readers; empty when its rules
	// read it.
	ExtractedBy  string    `json:"extracted_by,omitempty"`
	DiscoveredAt time.Time `json:"discovered_at"`
	// Backfilled marks an item imported from history by `backfill`, not
	// found by a regular poll: timeliness audits do not count it as late.
	Backfilled bool `json:"backfilled,omitempty"`
	// Baseline marks an item that was already on the source's lists at
	// the source's first successful poll: history found when the source
	// was added, not a new release. It is archived and republished like
	// any item, but timeliness audits do not count it (shown as 基线).
	Baseline  bool       `json:"baseline,omitempty"`
	Relevance *Relevance `json:"relevance,omitempty"`
	Related   []Related  `json:"related,omitempty"`
}

// Attachment is a file linked from the body. SHA256, Size and ContentType are
// filled once the crawler has captured the bytes; ArchiveKey once archived.
type Attachment struct {
	Name        string `json:"name"`
	URL         string `json:"url"`
	SHA256      string `json:"sha256,omitempty"`
	Size        int64  `json:"size,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	ArchiveKey  string `json:"archive_key,omitempty"`
	// Inline marks an image shown in the body rather than a document
	// listed under 附件; it is captured and archived all the same.
	Inline bool `json:"inline,omitempty"`
	// Error says why the bytes could not be captured; the item still flows.
	Error string `json:"error,omitempty"`
}

// Relevance is the outcome of the relevance rules.
type Relevance struct {
	Class Class   `json:"class"`
	Rule  string  `json:"rule"`
	Score float64 `json:"score"`
}

// Related links an item to another document.
type Related struct {
	Kind string `json:"kind"`
	ID   string `json:"id,omitempty"`
	URL  string `json:"url"`
	// Title and DocNumber name the other document where known, so a page
	// can say 依据《…》 without reading it.
	Title     string `json:"title,omitempty"`
	DocNumber string `json:"doc_number,omitempty"`
}

// Related kinds (DESIGN §6).
const (
	RelInterpretation = "interpretation"
	RelOriginal       = "original"
	RelRepeals        = "repeals"
	RelRepealedBy     = "repealed_by"
)

// CanonicalURL resolves raw against base (the page it was found on; nil when
// raw is absolute) and normalises it (sources.md §2.5): lower-case host, no
// credentials, query or fragment. Government hosts (*.gov.cn) serve https on
// the default port, so their links are forced to https without a port; other
// hosts (mirrors, test servers) keep their scheme and port, so the canonical
// URL still works as the 原文链接.
func CanonicalURL(raw string, base *url.URL) (string, error) {
	raw = strings.TrimSpace(raw)
	var u *url.URL
	var err error
	if base != nil {
		u, err = base.Parse(raw)
	} else {
		u, err = url.Parse(raw)
	}
	if err != nil {
		return "", fmt.Errorf("canonical url %q: %w", raw, err)
	}
	if u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", fmt.Errorf("canonical url %q: not an absolute http(s) url", raw)
	}
	host := strings.ToLower(u.Hostname())
	u.User = nil
	u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = "", false, "", ""
	if host == "gov.cn" || strings.HasSuffix(host, ".gov.cn") {
		u.Scheme, u.Host = "https", host
		return u.String(), nil
	}
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	switch {
	case port != "":
		u.Host = net.JoinHostPort(host, port)
	case strings.Contains(host, ":"): // IPv6 literal
		u.Host = "[" + host + "]"
	default:
		u.Host = host
	}
	return u.String(), nil
}

// ItemID is the hex sha256 of the canonical URL, first 16 bytes.
func ItemID(canonicalURL string) string {
	sum := sha256.Sum256([]byte(canonicalURL))
	return hex.EncodeToString(sum[:16])
}

// IsItemID reports whether s has the form ItemID returns: 32 lowercase hex
// digits. Ids that come from outside (API paths, CLI arguments) are checked
// with it before they reach NATS, whose control line a long key overflows.
func IsItemID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// ArchivePrefix is the archive folder of one revision (DESIGN §7):
// <source>/<yyyy>/<mm>/<id>/r<revision>/, dated by publication in Beijing time.
func (it *Item) ArchivePrefix() string {
	t := it.PublishedAt
	if t.IsZero() {
		t = it.FetchedAt
	}
	t = t.In(Shanghai)
	return fmt.Sprintf("%s/%04d/%02d/%s/r%d/", it.Source, t.Year(), int(t.Month()), it.ID, it.Revision)
}

// AttachmentArchiveKey is where the archive keeps an attachment: once, by
// content (DESIGN §7).
func AttachmentArchiveKey(sha256hex string) string { return "attachments/" + sha256hex }

// ExtractedByFallback marks an item the generic readers read (Item.ExtractedBy).
const ExtractedByFallback = "fallback"
