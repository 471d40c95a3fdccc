package syndicator

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"time"
	"unicode"
	"unicode/utf8"
)

// ContentSHA256 is the hash of what a reader sees of a document: its
// metadata, normalised body text and attachment links. A change of any of
// them is a new revision; a re-crawl that only changes page chrome is not.
//
// It is computed once per item read, when the attachments are known (their
// digests are part of it).
func ContentSHA256(it *Item) string {
	h := sha256.New()
	// One buffer for every field, holding its canonical form (AppendWords),
	// built without splitting the body into a slice of words and joining it
	// again (that was most of the hashing's cost).
	var buf []byte
	eachContentField(it, func(name, value string) {
		buf = append(append(slices.Grow(buf[:0], len(name)+len(value)+2), name...), 0)
		buf = AppendWords(buf, value)
		h.Write(append(buf, '\n'))
	})
	return hex.EncodeToString(h.Sum(nil))
}

// AppendWords appends the words of s (separated by Unicode white space, as
// strings.Fields splits) joined by single spaces: the canonical form of a
// hashed value, and the way extraction collapses white space. Words are
// copied whole, found a byte at a time: a CJK character is never decoded.
func AppendWords(dst []byte, s string) []byte {
	first := true
	for i := 0; i < len(s); {
		if n := spaceAt(s, i); n > 0 {
			i += n
			continue
		}
		j := i + 1 // a word's bytes: none of them starts white space
		for j < len(s) {
			if c := byteClass[s[j]]; c == classSpace || c == classLead && spaceAt(s, j) > 0 {
				break
			}
			j++
		}
		if !first {
			dst = append(dst, ' ')
		}
		dst, first, i = append(dst, s[i:j]...), false, j
	}
	return dst
}

// spaceAt is the length of the white space character at s[i], 0 when
// there is none.
func spaceAt(s string, i int) int {
	switch byteClass[s[i]] {
	case classWord:
		return 0
	case classSpace:
		return 1
	}
	if r, n := utf8.DecodeRuneInString(s[i:]); unicode.IsSpace(r) {
		return n
	}
	return 0
}

const (
	classWord  = iota // never starts white space
	classSpace        // ASCII white space
	classLead         // may start non-ASCII white space: decode to tell
)

// byteClass sorts bytes for spaceAt. The lead bytes of non-ASCII white
// space (U+0085, U+00A0, U+1680, U+2000–U+205F, U+3000) are 0xC2, 0xE1,
// 0xE2 and 0xE3; continuation bytes and every other lead byte are word
// bytes.
var byteClass = [256]uint8{
	'\t': classSpace, '\n': classSpace, '\v': classSpace, '\f': classSpace, '\r': classSpace, ' ': classSpace,
	0xC2: classLead, 0xE1: classLead, 0xE2: classLead, 0xE3: classLead,
}

// eachContentField calls field with every hashed field, in hash order.
func eachContentField(it *Item, field func(name, value string)) {
	field("title", it.Title)
	field("doc_number", it.DocNumber)
	field("index_number", it.IndexNumber)
	field("issuer", it.Issuer)
	field("subject", it.Subject)
	field("doc_type", it.DocType)
	field("origin", it.Origin)
	field("written_at", it.WrittenAt)
	if !it.PublishedAt.IsZero() {
		field("published_at", it.PublishedAt.UTC().Format(time.RFC3339))
	}
	field("validity", string(it.Validity))
	field("body", it.BodyText)
	for _, a := range it.Attachments {
		field("attachment", a.URL+" "+a.SHA256)
	}
}
