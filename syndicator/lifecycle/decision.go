// Package lifecycle reads the documents that change the 有效性 of others:
// decisions that repeal (废止), declare expired (宣布失效) or amend (修改)
// earlier documents, and the closing "《…》同时废止" of an ordinary
// document (sources.md §4.6). It is pure functions over text; matching the
// entries to republished items by doc_key is the decider's work.
//
// Entries are keyed with syndicator.DocKey, the doc_key of DESIGN §6 the
// crawler gives items too, so the keys of entries equal the keys of
// crawled items.
package lifecycle

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/gyeco/syndicator/syndicator"
)

// Entry is one document a decision names, and what becomes of it.
type Entry struct {
	Title     string              `json:"title,omitempty"`      // as printed inside 《》, or the row text without its number
	DocNumber string              `json:"doc_number,omitempty"` // as printed, e.g. 黔府发〔2019〕4号
	DocKey    string              `json:"doc_key,omitempty"`    // syndicator.DocKey of DocNumber; "" without one
	To        syndicator.Validity `json:"to"`                   // repealed | expired | amended
}

// Decision is what a document decides about others, in the order printed.
type Decision struct {
	Entries []Entry `json:"entries"`
}

// ParseDecision reads the entries of a repeal/expiry/amendment decision
// from its title and plain body text (one paragraph a line):
//
//   - sections headed like "一、废止以下行政规范性文件（共2件）",
//     "二、宣布失效以下…", "三、对以下文件作出修改" give their To
//     (废止 repealed, 失效 expired, 修改 amended) to the entries below:
//     lines numbered 1. 1、 （一） (full- or half-width) or starting with
//     《, and table rows ending in a document number (and possibly in a
//     废止/失效/修改 column);
//   - single targets: "决定废止《…》（国发〔2016〕12号）", or the target of a
//     title 《…关于废止〈…〉的决定》;
//   - in any document, "《…》（…号）同时废止" (or 同时失效, 一并废止,
//     自…起废止), the closing clause of an ordinary policy.
//
// Entry.DocKey is syndicator.DocKey of the number. ok reports a decision
// (by its title) or a document with at least one entry; a decision whose
// list could not be read (a table in an attachment) gives ok with no
// entries, so the caller can ask an operator. Ordinary documents that
// mention 废止 in passing give no entries and false.
func ParseDecision(title, bodyText string) (Decision, bool) {
	return parseDecision(title, bodyText, syndicator.DocKey)
}

// parseDecision is ParseDecision with the keying function given: nil leaves
// Entry.DocKey empty, so the tests can show which numbers the printed-form
// grammar alone recognises.
func parseDecision(title, bodyText string, docKey func(string) string) (Decision, bool) {
	p := parser{docKey: docKey, decision: isDecisionTitle(title), seen: map[string]bool{}}
	p.body(joinLines(bodyText))
	if p.decision {
		p.titleTarget(title)
	}
	return Decision{Entries: p.entries}, p.decision || len(p.entries) > 0
}

// reDecisionTitle matches the titles of decisions about other documents:
// …关于废止、宣布失效、修改部分…的决定, …关于废止〈…〉的决定 (white space
// removed; a trailing （第N批） or document number allowed). Notices that
// publish a cleanup result (…废止和失效的规范性文件目录的通知) count too.
var (
	reDecisionTitle = regexp.MustCompile(`关于.*(?:废止|失效|修改|修订|修正).*的决定(?:[（(][^（()）]*[）)])*$`)
	reCleanupTitle  = regexp.MustCompile(`(?:废止|失效).*(?:清理|目录|部分|一批).*的(?:通知|公告)(?:[（(][^（()）]*[）)])*$`)
	// reTitleTarget is the one document a decision title names.
	reTitleTarget = regexp.MustCompile(`关于(?:予以)?(废止|宣布失效|修改|修订)[〈《](.+)[〉》]的决定`)
)

func isDecisionTitle(title string) bool {
	t := stripSpace(title)
	return reDecisionTitle.MatchString(t) || reCleanupTitle.MatchString(t)
}

// stripSpace deletes all white space (U+3000 and U+00A0 included).
func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// parser collects entries, unique by doc_key (else by number, else by
// title); the first mention decides To.
type parser struct {
	docKey   func(string) string // nil: entries get no key
	decision bool
	seen     map[string]bool
	entries  []Entry
}

func (p *parser) add(title, number string, to syndicator.Validity) {
	title = strings.TrimSpace(title)
	number = strings.TrimSpace(number)
	if title == "" && number == "" {
		return
	}
	e := Entry{Title: title, DocNumber: number, To: to}
	if number != "" && p.docKey != nil {
		e.DocKey = p.docKey(number)
	}
	// Same-titled documents (yearly notices) differ by number: the title
	// is the key only of an entry without one.
	var key string
	switch {
	case e.DocKey != "":
		key = "k:" + e.DocKey
	case number != "":
		key = "n:" + stripSpace(number)
	default:
		key = "t:" + stripSpace(title)
	}
	if p.seen[key] {
		return
	}
	p.seen[key] = true
	p.entries = append(p.entries, e)
}

// titleTarget adds the document a title such as 《…关于废止〈X〉的决定》
// names, unless the body already listed it.
func (p *parser) titleTarget(title string) {
	m := reTitleTarget.FindStringSubmatch(strings.TrimSpace(title))
	if m == nil {
		return
	}
	name := m[2]
	for _, e := range p.entries {
		if stripSpace(e.Title) == stripSpace(name) {
			return
		}
	}
	p.add(name, "", verbValidity(m[1]))
}

// verbValidity maps the verb of a heading or sentence to a validity: the
// first of 废止, 失效, 修改/修订/修正 it contains; "" when none.
func verbValidity(s string) syndicator.Validity {
	best, to := -1, syndicator.Validity("")
	for _, v := range []struct {
		word string
		to   syndicator.Validity
	}{
		{"废止", syndicator.ValidityRepealed}, {"失效", syndicator.ValidityExpired},
		{"修改", syndicator.ValidityAmended}, {"修订", syndicator.ValidityAmended}, {"修正", syndicator.ValidityAmended},
	} {
		if i := strings.Index(s, v.word); i >= 0 && (best < 0 || i < best) {
			best, to = i, v.to
		}
	}
	return to
}
