package ledger

import (
	"time"

	"github.com/gyeco/syndicator/syndicator"
)

// recorded is what the recorder decodes of an event: the fields FactOf
// reads, and no more. The item's body, attachments and related documents
// and the capture's headers are skipped, not decoded and dropped.
type recorded struct {
	Kind        syndicator.Kind            `json:"kind"`
	ID          string                     `json:"id"`
	Revision    int                        `json:"revision"`
	Source      string                     `json:"source"`
	Sink        string                     `json:"sink"`
	At          time.Time                  `json:"at"`
	Item        *itemFacts                 `json:"item"`
	ItemRef     string                     `json:"item_ref"`
	Capture     *captureFacts              `json:"capture"`
	ArchiveKeys []string                   `json:"archive_keys"`
	Location    string                     `json:"location"`
	Digest      string                     `json:"digest"`
	Decision    *syndicator.Decision       `json:"decision"`
	Validity    *syndicator.ValidityChange `json:"validity"`
	Reason      string                     `json:"reason"`
	Action      *syndicator.Action         `json:"action"`
}

// itemFacts are the item's fields a Fact records.
type itemFacts struct {
	URL                string               `json:"url"`
	Level              syndicator.Level     `json:"level"`
	DocKey             string               `json:"doc_key"`
	Title              string               `json:"title"`
	DocNumber          string               `json:"doc_number"`
	Column             string               `json:"column"`
	PublishedAt        time.Time            `json:"published_at"`
	PublishedPrecision syndicator.Precision `json:"published_precision"`
	DiscoveredAt       time.Time            `json:"discovered_at"`
	Backfilled         bool                 `json:"backfilled"`
	Baseline           bool                 `json:"baseline"`
	ContentSHA256      string               `json:"content_sha256"`
}

type captureFacts struct {
	SHA256 string `json:"sha256"`
}

// event is the decoded part as a syndicator.Event for FactOf, without
// its item.
func (r *recorded) event() *syndicator.Event {
	ev := &syndicator.Event{
		Kind: r.Kind, ID: r.ID, Revision: r.Revision, Source: r.Source, Sink: r.Sink, At: r.At,
		ItemRef: r.ItemRef, ArchiveKeys: r.ArchiveKeys, Location: r.Location, Digest: r.Digest,
		Decision: r.Decision, Validity: r.Validity, Reason: r.Reason, Action: r.Action,
	}
	if r.Capture != nil {
		ev.Capture = &syndicator.Capture{SHA256: r.Capture.SHA256}
	}
	return ev
}

// item is the decoded part of the inline item, or nil.
func (r *recorded) item() *syndicator.Item {
	f := r.Item
	if f == nil {
		return nil
	}
	return &syndicator.Item{
		ID: r.ID, Source: r.Source, URL: f.URL, Level: f.Level, DocKey: f.DocKey, Title: f.Title,
		DocNumber: f.DocNumber, Column: f.Column, PublishedAt: f.PublishedAt, PublishedPrecision: f.PublishedPrecision,
		DiscoveredAt: f.DiscoveredAt, Backfilled: f.Backfilled, Baseline: f.Baseline, ContentSHA256: f.ContentSHA256,
	}
}
