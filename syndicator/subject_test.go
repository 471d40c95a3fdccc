package syndicator

import (
	"slices"
	"testing"
)

// The subjects are the wire format between roles and of stored streams:
// these tests spell them out so that a change to the builders shows.
func TestSubjectBuilders(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{SubjectItem(KindDiscovered, "govcn-zuixin"), "synd.item.discovered.govcn-zuixin"},
		{SubjectItem(KindValidity, "guiyang-gfxwj"), "synd.item.validity.guiyang-gfxwj"},
		{SubjectPublished("site", "govcn-bmwj"), "synd.item.published.site.govcn-bmwj"},
		{(&Event{Kind: KindDecided, Source: "s", Sink: "ignored"}).Subject(), "synd.item.decided.s"},
		{(&Event{Kind: KindPublished, Source: "s", Sink: "webhook"}).Subject(), "synd.item.published.webhook.s"},
		{SubjectHealth("govcn-jiedu"), "synd.source.health.govcn-jiedu"},
		{SubjectDeadLetter("webhook"), "synd.dead.webhook"},
		{SubjectItems, "synd.item.>"},
		{SubjectSources, "synd.source.>"},
		{SubjectAudit, "synd.audit.>"},
		{SubjectAuditEntry, "synd.audit.entry"},
		{SubjectAuditAnchor, "synd.audit.anchor"},
		{SubjectDead, "synd.dead.>"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestItemFilter(t *testing.T) {
	tests := []struct {
		kinds []Kind
		want  []string
	}{
		{nil, []string{}},
		{[]Kind{KindArchived}, []string{"synd.item.archived.>"}},
		{[]Kind{KindDecided, KindValidity, KindWithdrawn}, []string{"synd.item.decided.>", "synd.item.validity.>", "synd.item.withdrawn.>"}},
	}
	for _, tt := range tests {
		if got := ItemFilter(tt.kinds...); !slices.Equal(got, tt.want) {
			t.Errorf("ItemFilter(%v) = %q, want %q", tt.kinds, got, tt.want)
		}
	}
}

func TestParseSubject(t *testing.T) {
	tests := []struct {
		in   string
		want Subject
		ok   bool
	}{
		{"synd.item.discovered.govcn-zuixin", Subject{Kind: KindDiscovered, Source: "govcn-zuixin"}, true},
		{"synd.item.withdrawn.a", Subject{Kind: KindWithdrawn, Source: "a"}, true},
		{"synd.item.published.site.a", Subject{Kind: KindPublished, Sink: "site", Source: "a"}, true},
		// An unknown kind is reported as it is (a newer writer).
		{"synd.item.future.a", Subject{Kind: "future", Source: "a"}, true},
		{"synd.item.published.a", Subject{}, false},     // no sink
		{"synd.item.decided.x.a", Subject{}, false},     // only published has a sink
		{"synd.item.published.x.a.b", Subject{}, false}, // too long
		{"synd.item.decided", Subject{}, false},
		{"synd.item.decided.", Subject{}, false},
		{"synd.item..a", Subject{}, false},
		{"synd.source.health.a", Subject{}, false},
		{"synd.dead.webhook", Subject{}, false},
		{"synd.audit.entry", Subject{}, false},
		{"other.item.decided.a", Subject{}, false},
		{"", Subject{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseSubject(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseSubject(%q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
		if ok && got.String() != tt.in {
			t.Errorf("ParseSubject(%q).String() = %q", tt.in, got.String())
		}
	}
}

func TestParseDeadLetter(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"synd.dead.webhook", "webhook", true},
		{SubjectDeadLetter("archive"), "archive", true},
		{"synd.dead.", "", false},
		{"synd.item.decided.a", "", false},
		{"synd.deadx", "", false},
	}
	for _, tt := range tests {
		got, ok := ParseDeadLetter(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseDeadLetter(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
