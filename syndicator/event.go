package syndicator

import (
	"fmt"
	"strconv"
	"time"
)

// Kind names what happened to an item; it is the subject token after synd.item.
type Kind string

const (
	KindDiscovered Kind = "discovered"
	KindRevised    Kind = "revised"
	KindValidity   Kind = "validity"
	KindDecided    Kind = "decided"
	KindArchived   Kind = "archived"
	KindPublished  Kind = "published"
	KindWithdrawn  Kind = "withdrawn"
)

// EventVersion is the "v" of every event.
const EventVersion = 1

// Event is the JSON body of every synd.item.* message. The item travels
// inline without its body when the body is large: BodyRef then names the
// body (body_html and body_text) in the claim-check store, once per revision, so the several
// events of one revision stay a few KB and a reader that does not need
// the body never decodes it. An item too large even so travels whole by
// claim check: ItemRef names it and Item is nil. The original page always
// travels by claim check. Readers take the whole item from Bus.Item.
type Event struct {
	V        int       `json:"v"`
	Kind     Kind      `json:"kind"`
	ID       string    `json:"id"`
	Revision int       `json:"revision"`
	Source   string    `json:"source"`
	Sink     string    `json:"sink,omitempty"`
	At       time.Time `json:"at"`
	Item     *Item     `json:"item,omitempty"`
	ItemRef  string    `json:"item_ref,omitempty"`
	// BodyRef names the item's body_html and body_text in the claim-check
	// store (BodyRefName); Item then carries both empty.
	BodyRef string `json:"body_ref,omitempty"`
	// Capture is the original page as served, set on discovered and revised.
	Capture *Capture `json:"capture,omitempty"`
	// Attachments are the captured attachment downloads, same events.
	Attachments []Capture `json:"attachments,omitempty"`
	// ArchiveKeys lists the objects written, set on archived.
	ArchiveKeys []string `json:"archive_keys,omitempty"`
	// Location is where the copy went live, set on published; Digest is
	// the sha256 of what was published there (the page, the CMS request).
	Location string `json:"location,omitempty"`
	Digest   string `json:"digest,omitempty"`
	// Decision is set on decided events.
	Decision *Decision `json:"decision,omitempty"`
	// Validity is set on validity events.
	Validity *ValidityChange `json:"validity,omitempty"`
	// Reason says why, in Chinese, on withdrawn events.
	Reason string `json:"reason,omitempty"`
	// Action is set on operator events.
	Action *Action `json:"action,omitempty"`
}

// Capture describes the bytes of a fetched page, held in the claim-check
// store under Ref; the bytes themselves never ride in an event.
type Capture struct {
	Ref       string              `json:"ref"`
	URL       string              `json:"url"`
	Status    int                 `json:"status"`
	Proto     string              `json:"proto,omitempty"`
	Header    map[string][]string `json:"header"`
	Request   map[string][]string `json:"request_header,omitempty"`
	FetchedAt time.Time           `json:"fetched_at"`
	SHA256    string              `json:"sha256"`
	Size      int64               `json:"size"`
	Charset   string              `json:"charset,omitempty"`
}

// Subject is where the event is published: synd.item.<kind>.<source>, and
// synd.item.published.<sink>.<source> for published.
func (e *Event) Subject() string {
	return Subject{Kind: e.Kind, Sink: e.Sink, Source: e.Source}.String()
}

// MsgID is the Nats-Msg-Id that lets JetStream drop a repeated publish:
// item id + revision + event kind (+ sink for published).
// A decision adds its step (rules, review), a validity change its new
// state, so that an operator's decision or a later change is not taken for
// a repeat of the first.
func (e *Event) MsgID() string {
	if e.Kind == KindOperator && e.Action != nil {
		return actionMsgID(e)
	}
	base := fmt.Sprintf("%s.r%d.%s", e.ID, e.Revision, e.Kind)
	switch {
	case e.Kind == KindPublished:
		return base + "." + e.Sink
	case e.Kind == KindDecided && e.Decision != nil:
		if e.Decision.Step == StepReview {
			return base + ".review." + e.Decision.ReviewedAt.UTC().Format("20060102T150405.000000000")
		}
		return base + "." + string(e.Decision.Step)
	case e.Kind == KindValidity && e.Validity != nil:
		if e.Validity.Gone {
			return fmt.Sprintf("%s.gone%d", base, e.Validity.Status)
		}
		return base + "." + string(e.Validity.To) + "." + e.Validity.BasisID
	}
	return base
}

// Claim-check names are content-addressed: an event always finds exactly
// the bytes it was published with, even when a restarted crawler fetches
// the page again and the copy differs.

// CaptureRef is the claim-check name of an original page: revision rev of
// item id, as served. The item and revision are in the name so that no two
// events share a page claim, and the archive may delete it once the
// revision is archived (two pages with the same bytes would otherwise share
// one object, and the first archived would take the other's claim away).
func CaptureRef(id string, rev int, sha256hex string) string {
	return "page/" + id + "/r" + strconv.Itoa(rev) + "/" + sha256hex
}

// ItemRefName is the claim-check name of an item too large to ride inline.
func ItemRefName(sha256hex string) string { return "item/" + sha256hex }

// BodyRefName is the claim-check name of the body of revision rev of item
// id. Like a page claim it names the item and revision, so that no two
// items share one (the sweeper may delete it once that revision's events
// are passed while another item is about to name the same bytes).
func BodyRefName(id string, rev int, sha256hex string) string {
	return "body/" + id + "/r" + strconv.Itoa(rev) + "/" + sha256hex
}

// AttachmentRef is the claim-check name of attachment bytes. Items that
// link the same file share it; once one of them is archived, the others
// read the bytes from the archive's content-addressed copy.
func AttachmentRef(sha256hex string) string {
	return "attachment/" + sha256hex
}

// HealthEvent is the body of synd.source.health.<source>.
type HealthEvent struct {
	V      int       `json:"v"`
	Source string    `json:"source"`
	State  string    `json:"state"` // ok | degraded | failing
	Reason string    `json:"reason,omitempty"`
	At     time.Time `json:"at"`
}
