package crawler

import "time"

// Baseline is a source's baseline in its crawl state (KV synd_sources).
//
// The items on a source's lists at its first successful poll are history
// found when the source was added, not new releases: they are announced
// with the item field baseline, archived and (per the rules) republished
// like any item, and timeliness audits do not count them (基线).
//
// A poll is successful when every list's first page was read and at least
// one entry was listed, and the poll was not cut short. Until one is, the
// baseline is pending and every item announced is baseline. It is taken
// only when the state of the successful poll is recorded, after all of its
// items were announced or queued for retry (still marked baseline), so a
// crash during that poll does it again as baseline, and a source whose
// first polls could not read its list takes its baseline at the first
// poll that can.
type Baseline struct {
	// Pending: no poll has succeeded yet.
	Pending bool `json:"pending,omitempty"`
	// TakenAt is when the successful poll was recorded; zero while pending
	// and for an inherited state.
	TakenAt time.Time `json:"taken_at,omitzero"`
	// Note says why no item was marked: BaselineDisabled or
	// BaselineInherited.
	Note string `json:"note,omitempty"`
}

// Notes of a baseline under which no item was marked.
const (
	// BaselineDisabled: the source was configured with baseline: false.
	BaselineDisabled = "disabled"
	// BaselineInherited: the source had been crawled before baselines
	// existed (its state had listed items), so its next poll was normal.
	BaselineInherited = "inherited"
)

// baselineOpen reports whether the baseline of a source with crawl state
// prev (found: there was one) is still to be taken.
func baselineOpen(prev *SourceState, found bool) bool {
	switch {
	case !found:
		return true // a new source
	case prev.Baseline != nil:
		return prev.Baseline.Pending
	default:
		// A state written before baselines: a source that has listed
		// items was being crawled already and its next poll is normal;
		// one that never listed anything has seen nothing yet.
		return !prev.EverListed && len(prev.Recent) == 0
	}
}

// nextBaseline is the baseline to record after a poll. open says whether
// it was pending before the poll, ok whether the poll succeeded.
func (c *Crawler) nextBaseline(prev *Baseline, open, ok bool) *Baseline {
	switch {
	case !open && prev != nil:
		return prev
	case !open:
		c.log.Info().Msg("source state predates baselines: items found from now on are counted as new releases")
		return &Baseline{Note: BaselineInherited}
	case !ok:
		return &Baseline{Pending: true}
	}
	b := &Baseline{TakenAt: c.now()}
	if !c.src.TakesBaseline() {
		b.Note = BaselineDisabled
	}
	return b
}
