package httpapi

import (
	"context"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/readmodel/readmodeltest"
)

// anchoredEnds is SYND_AUDIT ending with an anchor: its last message is
// past the last ledger entry, which is all the read model projects.
type anchoredEnds struct{ last, lastEntry uint64 }

func (a anchoredEnds) LastSeq(context.Context, string) (uint64, error) { return a.last, nil }

func (a anchoredEnds) LastSeqOf(_ context.Context, _, subject string) (uint64, error) {
	if subject != syndicator.SubjectAuditEntry {
		return a.last, nil
	}
	return a.lastEntry, nil
}

// TestCurrentIgnoresTrailingAnchors: a request does not wait for the
// read model to reach an anchor it never projects (it answered 503 after
// 10 s whenever an anchor was the ledger's last message).
func TestCurrentIgnoresTrailingAnchors(t *testing.T) {
	st, _ := readmodeltest.Ledger(t, [][]byte{[]byte(`{"seq":1,"fact":{"kind":"discovered","id":"0123456789abcdef0123456789abcdef"}}`)})
	s := &Server{index: st, streams: anchoredEnds{last: 2, lastEntry: 1}}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.current(ctx, natsbus.StreamAudit); err != nil {
		t.Fatalf("current with an anchor last in SYND_AUDIT: %v", err)
	}
	s.streams = anchoredEnds{last: 3, lastEntry: 3}
	if err := s.current(ctx, natsbus.StreamAudit); err == nil {
		t.Fatal("current said the read model is current while an entry is missing")
	}
}
