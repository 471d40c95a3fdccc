// Package record is what every contender writes for a detail page and what
// the truth file holds: the six fields a gov.cn Template A page is read for
// and a digest of its body text, in the forms the checker compares.
package record

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"
)

// Record is one detail page: a line of the truth file or of a contender's
// output (JSON lines).
type Record struct {
	URL        string `json:"url"` // compared by path: the truth does not know the server's port
	Title      string `json:"title"`
	DocNumber  string `json:"doc_number"`
	Issuer     string `json:"issuer"`
	Written    string `json:"written"`   // 成文日期, YYYY-MM-DD
	Published  string `json:"published"` // 发布 time, RFC 3339 (compared as an instant)
	BodySHA256 string `json:"body_sha256"`
	BodyRunes  int    `json:"body_runes"`
}

// BodyDigest is the sha256 and rune count of a body's text with every
// white-space rune removed. Contenders render text differently (goquery's
// Text keeps the markup's newlines, syndicator puts one line per block and
// a space between table cells), so only the characters a reader sees are
// compared, in order: a dropped or added paragraph, cell or link still shows.
func BodyDigest(text string) (sum string, runes int) {
	var b strings.Builder
	b.Grow(len(text))
	for _, r := range text {
		if unicode.IsSpace(r) {
			continue
		}
		b.WriteRune(r)
		runes++
	}
	h := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(h[:]), runes
}
