package syndicator

import "time"

// Class is a relevance class (DESIGN §6). The class decides the
// republication deadline (issue 6) and whether an item is published at all.
type Class string

const (
	ClassSync   Class = "sync"   // ecological/environmental: in step with the municipal site
	ClassTimely Class = "timely" // broad guiding policies: promptly (24 h benchmark)
	ClassReview Class = "review" // an operator decides
	ClassIgnore Class = "ignore" // not republished
)

// Step is who decided: the relevance rules, then (for class review, or a
// source page that disappeared) an operator.
type Step string

const (
	StepRules  Step = "rules"
	StepReview Step = "review"
)

// Outcome is an operator's review decision.
type Outcome string

const (
	OutcomeApproved Outcome = "approved"
	OutcomeRejected Outcome = "rejected"
	OutcomeWithdraw Outcome = "withdraw" // a disappeared source page: take the copy down
	OutcomeKeep     Outcome = "keep"     // a disappeared source page: keep the copy
)

// Decision is carried by synd.item.decided.<source>: what the relevance
// rules or an operator decided about one revision of one item, and whether
// the committee site should carry it.
type Decision struct {
	Step   Step    `json:"step"`            // rules | review
	Class  Class   `json:"class"`           // sync | timely | review | ignore
	Rule   string  `json:"rule"`            // name of the rule that matched
	Score  float64 `json:"score,omitempty"` // keyword hits of the matching rule
	Column string  `json:"column,omitempty"`
	DocKey string  `json:"doc_key,omitempty"`
	// Publish says the sinks republish this revision of this item: its class
	// is sync or timely (or an operator approved it), and it is the
	// document's canonical sighting.
	Publish bool `json:"publish"`
	// DuplicateOf is the id of the canonical sighting when this item is
	// another site's copy of the same document; it is not published again.
	DuplicateOf string `json:"duplicate_of,omitempty"`
	// Reason explains a decision in Chinese for operators and auditors.
	Reason string `json:"reason,omitempty"`
	// Review step only.
	Outcome    Outcome   `json:"outcome,omitempty"`
	Reviewer   string    `json:"reviewer,omitempty"`
	Comment    string    `json:"comment,omitempty"`
	ReviewedAt time.Time `json:"reviewed_at,omitzero"`
}

// ValidityChange is carried by synd.item.validity.<source>: the 有效性 of
// the item changed, or (Gone) its source page disappeared.
type ValidityChange struct {
	From Validity `json:"from,omitempty"`
	To   Validity `json:"to"`
	// Basis names what changed it: "有效性" (the page's own field) or the
	// title of the repeal/expiry decision; BasisDocNumber, BasisID and
	// BasisURL identify that decision.
	Basis          string `json:"basis,omitempty"`
	BasisDocNumber string `json:"basis_doc_number,omitempty"`
	BasisID        string `json:"basis_id,omitempty"`
	BasisURL       string `json:"basis_url,omitempty"`
	// Gone marks a source page answering Status (404/410) on Polls polls in
	// a row; the item goes to review, nothing is deleted.
	Gone   bool `json:"gone,omitempty"`
	Status int  `json:"status,omitempty"`
	Polls  int  `json:"polls,omitempty"`
}

// Label is the class in Chinese, one wording for the audit report and
// the console.
func (c Class) Label() string {
	switch c {
	case ClassSync:
		return "同步（生态环境）"
	case ClassTimely:
		return "及时（综合政策）"
	case ClassReview:
		return "人工审核"
	case ClassIgnore:
		return "不相关"
	case "":
		return "未判定"
	}
	return string(c)
}

// Label is the outcome in Chinese ("pending", the review queue's own
// state, reads 待审核).
func (o Outcome) Label() string {
	switch o {
	case OutcomeApproved:
		return "通过"
	case OutcomeRejected:
		return "驳回"
	case OutcomeKeep:
		return "保留"
	case OutcomeWithdraw:
		return "撤回"
	case "pending":
		return "待审核"
	}
	return string(o)
}
