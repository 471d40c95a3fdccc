package decide

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/gyeco/syndicator/syndicator"
)

// Doc is one document however many sites carry it (KV synd_docs): every
// sighting with its time, the sighting the committee site republishes, the
// decision and the document's validity.
type Doc struct {
	Key       string     `json:"key"`
	Title     string     `json:"title,omitempty"`
	DocNumber string     `json:"doc_number,omitempty"`
	Issuer    string     `json:"issuer,omitempty"`
	Sightings []Sighting `json:"sightings,omitempty"`
	// Canonical is the item republished (or waiting for review): the
	// issuer's own page when it was seen in time, else the first copy.
	Canonical string           `json:"canonical,omitempty"`
	Class     syndicator.Class `json:"class,omitempty"`
	Rule      string           `json:"rule,omitempty"`
	Score     float64          `json:"score,omitempty"`
	Column    string           `json:"column,omitempty"`
	// Operator decisions (review step).
	Approved  bool `json:"approved,omitempty"`
	Rejected  bool `json:"rejected,omitempty"`
	Withdrawn bool `json:"withdrawn,omitempty"`
	// Validity is the document's 有效性 as far as syndicator knows; Basis
	// is the decision that changed it, if any.
	Validity syndicator.Validity        `json:"validity,omitempty"`
	Basis    *syndicator.ValidityChange `json:"basis,omitempty"`
}

// Sighting is one site's page of a document.
type Sighting struct {
	ItemID       string               `json:"item_id"`
	Source       string               `json:"source"`
	Level        syndicator.Level     `json:"level"`
	URL          string               `json:"url"`
	PublishedAt  time.Time            `json:"published_at"`
	Precision    syndicator.Precision `json:"published_precision"`
	DiscoveredAt time.Time            `json:"discovered_at"`
	// FirstSeen is when the decider first handled the sighting.
	FirstSeen time.Time `json:"first_seen"`
	Revision  int       `json:"revision"`
	// Origin marks the issuer's own site.
	Origin bool `json:"origin,omitempty"`
}

// sighting returns the sighting of item id, or nil.
func (d *Doc) sighting(id string) *Sighting {
	for i := range d.Sightings {
		if d.Sightings[i].ItemID == id {
			return &d.Sightings[i]
		}
	}
	return nil
}

// canonicalSighting returns the sighting republished, or nil.
func (d *Doc) canonicalSighting() *Sighting {
	if d.Canonical == "" {
		return nil
	}
	return d.sighting(d.Canonical)
}

// docKeyOf is the item's cross-site identity; an item without a doc_key is
// a document of its own.
func docKeyOf(it *syndicator.Item) string {
	if it.DocKey != "" {
		return it.DocKey
	}
	return "id:" + it.ID
}

// docRecordKey turns a doc_key (Chinese text) into a KV key.
func docRecordKey(docKey string) string {
	sum := sha256.Sum256([]byte(docKey))
	return "d." + hex.EncodeToString(sum[:16])
}

// itemRecordKey points from an item id to its document.
func itemRecordKey(id string) string { return "i." + id }

// Tiers group levels that publish the same issuers' documents: gov.cn
// carries the State Council's and the ministries' documents.
const (
	tierNational   = "national"
	tierProvincial = "provincial"
	tierMunicipal  = "municipal"
)

func levelTier(l syndicator.Level) string {
	switch l {
	case syndicator.LevelNational, syndicator.LevelDepartment:
		return tierNational
	case syndicator.LevelProvincial:
		return tierProvincial
	case syndicator.LevelMunicipal:
		return tierMunicipal
	}
	return ""
}

// issuerTier says whose site is a document's own, from its number or its
// issuer; "" when neither tells.
func issuerTier(docNumber, issuer string) string {
	switch {
	case strings.HasPrefix(docNumber, "国"):
		return tierNational
	case strings.HasPrefix(docNumber, "黔"):
		return tierProvincial
	case strings.HasPrefix(docNumber, "筑"):
		return tierMunicipal
	case strings.HasPrefix(issuer, "国务院"), strings.HasPrefix(issuer, "中共中央"),
		strings.HasSuffix(issuer, "部") && !strings.ContainsAny(issuer, "省市县区"):
		return tierNational
	case strings.HasPrefix(issuer, "贵州省"), strings.HasPrefix(issuer, "中共贵州省"):
		return tierProvincial
	case strings.HasPrefix(issuer, "贵阳市"), strings.HasPrefix(issuer, "中共贵阳市"):
		return tierMunicipal
	}
	return ""
}

// isOrigin reports whether the item is on its issuer's own site.
func isOrigin(it *syndicator.Item) bool {
	t := issuerTier(it.DocNumber, it.Issuer)
	return t == "" || t == levelTier(it.Level)
}
