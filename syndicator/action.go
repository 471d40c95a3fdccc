package syndicator

import (
	"fmt"
	"strings"
	"time"
)

// KindOperator is the kind of the events that record what an operator did
// by hand outside the review queue (retry or discard a dead letter, pause,
// resume or poll a source, reload the configuration). They are item-stream
// events so that the ledger records each one, with its actor, in the same
// chain as the items it affects; no sink consumes them.
const KindOperator Kind = "operator"

// ActionName is what an operator did.
type ActionName string

const (
	ActionRetry   ActionName = "retry"   // a dead letter handed back to its consumer
	ActionDiscard ActionName = "discard" // a dead letter given up on, with a reason
	ActionPause   ActionName = "pause"   // a source stops being polled
	ActionResume  ActionName = "resume"  // a paused source is polled again
	ActionPoll    ActionName = "poll"    // a source polled at once
	ActionReload  ActionName = "reload"  // the configuration file read again
)

// Label is the action's name in the console and the ledger's readers.
func (a ActionName) Label() string {
	switch a {
	case ActionRetry:
		return "重试死信"
	case ActionDiscard:
		return "丢弃死信"
	case ActionPause:
		return "暂停来源"
	case ActionResume:
		return "恢复来源"
	case ActionPoll:
		return "立即抓取"
	case ActionReload:
		return "重新加载配置"
	}
	return string(a)
}

// SystemSource is the source token of actions that concern no one source
// (a configuration reload).
const SystemSource = "_"

// Action is set on operator events: who did what, to what, and why.
type Action struct {
	Name ActionName `json:"name"`
	// Actor is the name of the token that signed in; Role its role.
	Actor string `json:"actor"`
	Role  string `json:"role,omitempty"`
	// Consumer and DeadSeq name a dead letter (retry, discard): the
	// consumer that gave up and the record's sequence in SYND_DEAD.
	Consumer string `json:"consumer,omitempty"`
	DeadSeq  uint64 `json:"dead_seq,omitempty"`
	// Reason is the operator's comment (required to discard).
	Reason string `json:"reason,omitempty"`
	// Outcome says what came of it (a reload: the sources added, removed,
	// changed; a refused reload: why), in Chinese.
	Outcome string `json:"outcome,omitempty"`
	// Failed is set when the action was refused (an invalid configuration
	// file): the attempt is recorded too.
	Failed bool `json:"failed,omitempty"`
}

// NewActionEvent is the operator event for act at time at: on the item's
// source when it concerns an item (id may be ""), on SystemSource when
// source is "".
func NewActionEvent(act Action, id, source string, at time.Time) *Event {
	if source == "" {
		source = SystemSource
	}
	return &Event{V: EventVersion, Kind: KindOperator, ID: id, Source: source, At: at.UTC(), Action: &act}
}

// actionMsgID is the Nats-Msg-Id of an operator event: one per action and
// instant, so a retried publish of the same action is dropped but the
// same action done again later is not.
func actionMsgID(e *Event) string {
	var b strings.Builder
	fmt.Fprintf(&b, "op.%s.%s.%s", e.Action.Name, e.Source, e.At.UTC().Format("20060102T150405.000000000"))
	if e.Action.DeadSeq != 0 {
		fmt.Fprintf(&b, ".%s.%d", e.Action.Consumer, e.Action.DeadSeq)
	}
	return b.String()
}

// SubjectRetry is where a dead letter is handed back to one consumer: it
// alone reads it, so no other sink, the ledger or the read model sees the
// event twice.
func SubjectRetry(consumer string) string { return subjectRetry + consumer }

// SubjectRetries matches every retry (stream SYND_EVENTS).
const SubjectRetries = subjectRetry + ">"

const subjectRetry = "synd.retry."

// HeaderSubject carries the original subject of a retried event, so that a
// retry that fails again is dead-lettered under its first subject.
const HeaderSubject = "Synd-Subject"

// SourceControl is what operators asked of a source, in KV synd_control
// under the source id: every crawler instance watches it.
type SourceControl struct {
	Paused   bool      `json:"paused"`
	PausedBy string    `json:"paused_by,omitempty"`
	PausedAt time.Time `json:"paused_at,omitzero"`
	Reason   string    `json:"reason,omitempty"`
	// PollAt is when an operator last asked for a poll now; the crawler
	// holding the source's lease polls at once when it changes.
	PollAt time.Time `json:"poll_at,omitzero"`
	PollBy string    `json:"poll_by,omitempty"`
}
