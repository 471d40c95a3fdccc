package decide

import (
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/relevance"
)

var t0 = time.Date(2026, 9, 1, 2, 0, 0, 0, time.UTC)

func govDoc(source string, level syndicator.Level, n int) *syndicator.Item {
	return &syndicator.Item{
		ID: source + "-id", Source: source, Level: level, URL: "https://example.gov.cn/" + source,
		Title: "国务院关于印发2030年前碳达峰行动方案的通知", DocNumber: "国发〔2021〕23号", Issuer: "国务院",
		DocKey: "国发〔2021〕23号", Revision: n, Validity: syndicator.ValidityUnknown,
	}
}

func in(it *syndicator.Item, class syndicator.Class, now time.Time) placeInput {
	return placeInput{item: it, verdict: relevance.Result{Class: class, Rule: "r-" + string(class), Column: "zcwj"}, now: now, attempt: 1, wait: 2 * time.Hour, originWatched: true}
}

func TestPlaceOriginFirstIsPublishedCopiesAreSightings(t *testing.T) {
	var doc Doc
	p := place(&doc, in(govDoc("govcn", syndicator.LevelNational, 1), syndicator.ClassTimely, t0))
	if !p.canonical || !p.publish || p.wait != 0 {
		t.Fatalf("origin first: %+v", p)
	}
	for _, src := range []struct {
		id    string
		level syndicator.Level
	}{{"guizhou", syndicator.LevelProvincial}, {"guiyang", syndicator.LevelMunicipal}} {
		p = place(&doc, in(govDoc(src.id, src.level, 1), syndicator.ClassTimely, t0.Add(time.Hour)))
		if p.canonical || p.publish || p.duplicateOf != "govcn-id" || p.wait != 0 {
			t.Fatalf("copy on %s: %+v", src.id, p)
		}
	}
	if len(doc.Sightings) != 3 || doc.Canonical != "govcn-id" {
		t.Fatalf("doc = %+v", doc)
	}
	if !doc.Sightings[0].Origin || doc.Sightings[1].Origin || doc.Sightings[2].Origin {
		t.Errorf("origin flags = %v %v %v", doc.Sightings[0].Origin, doc.Sightings[1].Origin, doc.Sightings[2].Origin)
	}
	// A redelivery of a copy changes nothing.
	before := doc.Sightings[1].FirstSeen
	place(&doc, in(govDoc("guizhou", syndicator.LevelProvincial, 1), syndicator.ClassTimely, t0.Add(3*time.Hour)))
	if len(doc.Sightings) != 3 || !doc.Sightings[1].FirstSeen.Equal(before) {
		t.Errorf("redelivery changed the sightings: %+v", doc.Sightings)
	}
}

func TestPlaceCopyFirstWaitsForTheOrigin(t *testing.T) {
	var doc Doc
	copyItem := govDoc("guiyang", syndicator.LevelMunicipal, 1)
	p := place(&doc, in(copyItem, syndicator.ClassTimely, t0))
	if p.wait <= 0 || p.canonical || p.publish {
		t.Fatalf("copy first: %+v", p)
	}
	if p.wait > 30*time.Minute {
		t.Errorf("wait %s: a copy is looked at again at least every 30 minutes", p.wait)
	}
	// The origin arrives while the copy waits: the origin is published.
	if p := place(&doc, in(govDoc("govcn", syndicator.LevelNational, 1), syndicator.ClassTimely, t0.Add(10*time.Minute))); !p.publish {
		t.Fatalf("origin: %+v", p)
	}
	if p := place(&doc, in(copyItem, syndicator.ClassTimely, t0.Add(40*time.Minute))); p.publish || p.duplicateOf != "govcn-id" {
		t.Fatalf("copy after origin: %+v", p)
	}
}

func TestPlaceCopyPublishedWhenTheOriginNeverComes(t *testing.T) {
	var doc Doc
	copyItem := govDoc("guiyang", syndicator.LevelMunicipal, 1)
	place(&doc, in(copyItem, syndicator.ClassTimely, t0))
	p := place(&doc, in(copyItem, syndicator.ClassTimely, t0.Add(2*time.Hour)))
	if !p.canonical || !p.publish || p.reason == "" {
		t.Fatalf("after the wait: %+v", p)
	}
	// Without a watched source of the issuer's level there is no wait.
	var other Doc
	i := in(govDoc("guiyang", syndicator.LevelMunicipal, 1), syndicator.ClassTimely, t0)
	i.originWatched = false
	if p := place(&other, i); !p.publish {
		t.Fatalf("unwatched origin: %+v", p)
	}
	// Nor after many deliveries, whatever their spacing.
	var third Doc
	i = in(govDoc("guiyang", syndicator.LevelMunicipal, 1), syndicator.ClassTimely, t0)
	i.attempt = maxWaitAttempts
	if p := place(&third, i); !p.publish {
		t.Fatalf("attempt %d: %+v", maxWaitAttempts, p)
	}
}

func TestPlaceClasses(t *testing.T) {
	for _, tt := range []struct {
		class            syndicator.Class
		approved, reject bool
		publish, review  bool
	}{
		{syndicator.ClassSync, false, false, true, false},
		{syndicator.ClassTimely, false, false, true, false},
		{syndicator.ClassIgnore, false, false, false, false},
		{syndicator.ClassReview, false, false, false, true},
		{syndicator.ClassReview, true, false, true, false},
		{syndicator.ClassReview, false, true, false, false},
		{syndicator.ClassSync, false, true, false, false},
	} {
		doc := Doc{Approved: tt.approved, Rejected: tt.reject}
		p := place(&doc, in(govDoc("govcn", syndicator.LevelNational, 1), tt.class, t0))
		if p.publish != tt.publish || p.review != tt.review {
			t.Errorf("%s approved=%v rejected=%v: publish %v review %v, want %v %v",
				tt.class, tt.approved, tt.reject, p.publish, p.review, tt.publish, tt.review)
		}
	}
}

func TestObserveValidity(t *testing.T) {
	var doc Doc
	if ch := observeValidity(&doc, syndicator.ValidityEffective); ch != nil || doc.Validity != syndicator.ValidityEffective {
		t.Fatalf("first value: %+v, doc %s", ch, doc.Validity)
	}
	if ch := observeValidity(&doc, syndicator.ValidityUnknown); ch != nil {
		t.Fatalf("unknown is no change: %+v", ch)
	}
	ch := observeValidity(&doc, syndicator.ValidityExpired)
	if ch == nil || ch.From != syndicator.ValidityEffective || ch.To != syndicator.ValidityExpired || ch.Basis != "有效性" {
		t.Fatalf("change: %+v", ch)
	}
	// A page still saying 有效 does not undo a repeal decision.
	doc.Validity, doc.Basis = syndicator.ValidityRepealed, &syndicator.ValidityChange{To: syndicator.ValidityRepealed, BasisID: "x"}
	if ch := observeValidity(&doc, syndicator.ValidityEffective); ch != nil || doc.Validity != syndicator.ValidityRepealed {
		t.Fatalf("undo: %+v, doc %s", ch, doc.Validity)
	}
}

func TestIssuerTier(t *testing.T) {
	for _, tt := range []struct{ number, issuer, want string }{
		{"国发〔2021〕23号", "国务院", tierNational},
		{"国办函〔2024〕1号", "", tierNational},
		{"", "生态环境部", tierNational},
		{"黔府发〔2024〕3号", "贵州省人民政府", tierProvincial},
		{"", "贵州省人民政府办公厅", tierProvincial},
		{"筑府发〔2024〕2号", "", tierMunicipal},
		{"", "贵阳市人民政府", tierMunicipal},
		{"", "某县人民政府", ""},
		{"", "贵州省生态环境厅", tierProvincial},
	} {
		if got := issuerTier(tt.number, tt.issuer); got != tt.want {
			t.Errorf("issuerTier(%q, %q) = %q, want %q", tt.number, tt.issuer, got, tt.want)
		}
	}
}
