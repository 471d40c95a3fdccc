package syndicator

import "strings"

// The NATS vocabulary (DESIGN §5): every subject and bucket name the roles
// share is spelled here, next to the events, so that a publisher, its
// consumers, the ledger and /metrics cannot drift apart.

// KV buckets and the claim-check object store.
const (
	BucketItems    = "synd_items"    // crawler: item state by id
	BucketSources  = "synd_sources"  // crawler: per-source crawl state and health
	BucketLeases   = "synd_leases"   // crawler: which instance owns a source
	BucketSite     = "synd_site"     // site sink: published articles by item id
	BucketDocs     = "synd_docs"     // decider: documents by doc_key
	BucketReview   = "synd_review"   // decider: review queue and operator decisions
	BucketWebhook  = "synd_webhook"  // webhook sink: what the CMS has accepted
	BucketControl  = "synd_control"  // console: sources paused or to poll now
	BucketPolls    = "synd_polls"    // crawler: when each source was last polled (memory)
	ObjectCaptures = "synd_captures" // claim checks: originals, attachments, large items
)

// Subject prefixes and the fixed subjects.
const (
	subjectItem   = "synd.item."
	subjectSource = "synd.source."
	subjectHealth = subjectSource + "health."
	subjectAudit  = "synd.audit."
	subjectDead   = "synd.dead."

	// SubjectItems matches every item event (stream SYND_EVENTS).
	SubjectItems = subjectItem + ">"
	// SubjectSources matches every source event (stream SYND_EVENTS).
	SubjectSources = subjectSource + ">"
	// SubjectAudit matches the ledger (stream SYND_AUDIT).
	SubjectAudit = subjectAudit + ">"
	// SubjectAuditEntry carries ledger entries.
	SubjectAuditEntry = subjectAudit + "entry"
	// SubjectAuditAnchor indexes the anchors written to the archive, which
	// cannot be listed there.
	SubjectAuditAnchor = subjectAudit + "anchor"
	// SubjectDead matches every dead-letter record (stream SYND_DEAD).
	SubjectDead = subjectDead + ">"
)

// Subject is the parsed form of an item event's subject:
// synd.item.<kind>.<source>, or synd.item.published.<sink>.<source>.
type Subject struct {
	Kind   Kind
	Sink   string // published only
	Source string
}

// String is the subject an event with these fields is published on.
func (s Subject) String() string {
	if s.Kind == KindPublished {
		return subjectItem + string(s.Kind) + "." + s.Sink + "." + s.Source
	}
	return subjectItem + string(s.Kind) + "." + s.Source
}

// SubjectItem is the subject of an item event of kind from source; use
// SubjectPublished for published events, which also name their sink.
func SubjectItem(kind Kind, source string) string {
	return Subject{Kind: kind, Source: source}.String()
}

// SubjectPublished is the subject of a published event: sink put the
// item from source live.
func SubjectPublished(sink, source string) string {
	return Subject{Kind: KindPublished, Sink: sink, Source: source}.String()
}

// ItemFilter is the consumer filter for the item events of the given
// kinds, from every source (and for published, every sink).
func ItemFilter(kinds ...Kind) []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = subjectItem + string(k) + ".>"
	}
	return out
}

// ParseSubject reads an item event's subject. The kind token is not
// checked against the known kinds, so that a reader older than the
// stream's writers still reports what it finds.
func ParseSubject(s string) (Subject, bool) {
	rest, ok := strings.CutPrefix(s, subjectItem)
	if !ok {
		return Subject{}, false
	}
	parts := strings.Split(rest, ".")
	for _, p := range parts {
		if p == "" {
			return Subject{}, false
		}
	}
	switch {
	case len(parts) == 3 && parts[0] == string(KindPublished):
		return Subject{Kind: KindPublished, Sink: parts[1], Source: parts[2]}, true
	case len(parts) == 2 && parts[0] != string(KindPublished):
		return Subject{Kind: Kind(parts[0]), Source: parts[1]}, true
	}
	return Subject{}, false
}

// SubjectHealth is the subject of a source's health changes.
func SubjectHealth(source string) string { return subjectHealth + source }

// SubjectDeadLetter is the subject of the dead-letter records of a
// consumer.
func SubjectDeadLetter(consumer string) string { return subjectDead + consumer }

// ParseDeadLetter returns the consumer a dead-letter subject names.
func ParseDeadLetter(s string) (consumer string, ok bool) {
	c, ok := strings.CutPrefix(s, subjectDead)
	if !ok || c == "" {
		return "", false
	}
	return c, true
}
