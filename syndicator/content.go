package syndicator

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"
)

// ContentSHA256 is the hash of what a reader sees of a document: its
// metadata, normalised body text and attachment links. A change of any of
// them is a new revision; a re-crawl that only changes page chrome is not.
func ContentSHA256(it *Item) string {
	h := sha256.New()
	// One buffer for every field: the words of a value joined by single
	// spaces, built without splitting the body into a slice of words and
	// joining it again (that was most of the hashing's cost).
	var buf []byte
	eachContentField(it, func(name, value string) {
		buf = append(append(slices.Grow(buf[:0], len(name)+len(value)+2), name...), 0)
		first := true
		for w := range strings.FieldsSeq(value) {
			if !first {
				buf = append(buf, ' ')
			}
			buf, first = append(buf, w...), false
		}
		h.Write(append(buf, '\n'))
	})
	return hex.EncodeToString(h.Sum(nil))
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
