package syndicator

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"time"
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
			if j+8 <= len(s) && !mayStartSpace(s[j:j+8]) {
				j += 8
				continue
			}
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

// mayStartSpace reports whether any of the 8 bytes of s is one that may
// start white space: a byte below 0x21 (ASCII white space among them), 0xC2
// or 0xE0–0xE3 (a superset of the lead bytes of byteClass). Eight bytes
// are tested at once (the zero-byte test of "Bit Twiddling Hacks"); in
// Chinese text most blocks have none and are copied without a look at
// each byte.
func mayStartSpace(s string) bool {
	_ = s[7]
	x := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	below := (x - 0x21*ones) &^ x & highs // some byte < 0x21
	c2 := x ^ 0xC2*ones
	e0 := x&(0xFC*ones) ^ 0xE0*ones
	zero := (c2-ones)&^c2&highs | (e0-ones)&^e0&highs // some byte 0xC2, or 0xE0–0xE3
	return below|zero != 0
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
	return leadSpace(s[i:])
}

// leadSpace is the length of the non-ASCII white space character s starts
// with, 0 when there is none. Its bytes are compared rather than decoded:
// CJK punctuation (U+3001, U+3002, …) and quotation marks (U+201C, …) share
// the lead bytes of white space, and decoding each of them was most of
// the cost of collapsing Chinese text. Every Unicode white space character
// above ASCII is listed (unicode.IsSpace; TestLeadSpaceIsUnicodeSpace).
func leadSpace(s string) int {
	if len(s) < 2 {
		return 0
	}
	switch s[0] {
	case 0xC2: // U+0085, U+00A0
		if s[1] == 0x85 || s[1] == 0xA0 {
			return 2
		}
		return 0
	}
	if len(s) < 3 {
		return 0
	}
	switch b1, b2 := s[1], s[2]; s[0] {
	case 0xE1: // U+1680
		if b1 == 0x9A && b2 == 0x80 {
			return 3
		}
	case 0xE2: // U+2000–U+200A, U+2028, U+2029, U+202F; U+205F
		if b1 == 0x80 && (b2 >= 0x80 && b2 <= 0x8A || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF) ||
			b1 == 0x81 && b2 == 0x9F {
			return 3
		}
	case 0xE3: // U+3000
		if b1 == 0x80 && b2 == 0x80 {
			return 3
		}
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
