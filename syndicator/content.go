package syndicator

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// ContentSHA256 is the hash of what a reader sees of a document: its
// metadata, normalised body text and attachment links. A change of any of
// them is a new revision; a re-crawl that only changes page chrome is not.
func ContentSHA256(it *Item) string {
	h := sha256.New()
	field := func(name, value string) {
		h.Write([]byte(name))
		h.Write([]byte{0})
		h.Write([]byte(strings.Join(strings.Fields(value), " ")))
		h.Write([]byte{'\n'})
	}
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
	return hex.EncodeToString(h.Sum(nil))
}
