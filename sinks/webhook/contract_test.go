package webhook_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/gyeco/syndicator/sinks/sinktest"
	"github.com/gyeco/syndicator/sinks/webhook"
	"github.com/gyeco/syndicator/syndicator"
)

// webhookHarness adapts the webhook to the sink contract. Its effect is an
// item revision the CMS applied (create or update); transient is how the
// CMS fails when told to.
type webhookHarness struct {
	e         *env
	transient func(cms *env)
}

func (h *webhookHarness) Event(t *testing.T, id string, rev int) *syndicator.Event {
	ev := decided(id, rev)
	ev.ID, ev.Item.ID = id, id
	return ev
}

func (h *webhookHarness) Handle(ctx context.Context, ev *syndicator.Event, attempt int) error {
	return h.e.sink.Handle(ctx, ev, attempt)
}

func (h *webhookHarness) Effects(t *testing.T, id string, rev int) int {
	doc, _ := h.e.cms.Doc(id)
	n := 0
	for _, a := range doc.Applied {
		if a.Revision == rev && (a.Op == webhook.OpCreate || a.Op == webhook.OpUpdate) {
			n++
		}
	}
	return n
}

func (h *webhookHarness) Current(t *testing.T, id string) int { return h.e.cms.Revision(id) }

func (h *webhookHarness) Fail(t *testing.T, f sinktest.Failure) {
	switch f {
	case sinktest.Transient:
		h.transient(h.e)
	case sinktest.Permanent:
		h.e.cms.RejectNext(1, http.StatusUnprocessableEntity)
	default:
		t.Fatalf("unknown failure %v", f)
	}
}

func TestContract(t *testing.T) {
	t.Parallel()
	for name, transient := range map[string]func(*env){
		"500":         func(e *env) { e.cms.FailNext(1) },
		"429":         func(e *env) { e.cms.ThrottleNext(1, time.Second) },
		"timeout":     func(e *env) { e.cms.HangNext(1, 5*time.Second) },
		"lost answer": func(e *env) { e.cms.LoseNext(1) },
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, 300*time.Millisecond)
			sinktest.Run(t, &webhookHarness{e: e, transient: transient})
			if n := e.cms.BadSignatures() + e.cms.KeyConflicts(); n != 0 {
				t.Errorf("%d bad signatures or key conflicts", n)
			}
		})
	}
}
