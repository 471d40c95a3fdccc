package crawler_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/crawler"
	"github.com/gyeco/syndicator/crawler/fetch"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
)

func healthEvents(t *testing.T, bus *natsbus.Bus, sourceID string) []syndicator.HealthEvent {
	t.Helper()
	var hs []syndicator.HealthEvent
	readAll(t, bus, "synd.source.health."+sourceID, func(data []byte) error {
		var h syndicator.HealthEvent
		if err := json.Unmarshal(data, &h); err != nil {
			return err
		}
		hs = append(hs, h)
		return nil
	})
	return hs
}

func states(hs []syndicator.HealthEvent) []string {
	var out []string
	for _, h := range hs {
		out = append(out, h.State)
	}
	return out
}

// TestHealthFollowsTheList walks a source through ok, failing, degraded
// and back to ok, polling twice in every condition: the state in
// synd_sources follows each poll, and a health event goes out once per
// change, not once per poll.
func TestHealthFollowsTheList(t *testing.T) {
	t.Parallel()
	h := newHarness(t, sim.Options{Seed: 11, Items: 4, LargeEvery: -1})
	src := source(t, guizhouSource, "gz", h.srv.URL)
	c := h.crawler(t, src, "owner-1")
	qff := src.Resolved.ListURLs[0]

	steps := []struct {
		name       string
		fault      func()
		wantState  string
		wantReason string // a substring of the reason; "" means no reason
	}{
		{"good list", func() {}, crawler.HealthOK, ""},
		{"list answers 500", func() { h.faults.set(qff.Path, http.StatusInternalServerError) },
			crawler.HealthFailing, qff.String()},
		{"list markup renamed", func() { h.faults.set(qff.Path, 0); h.faults.setRename(true) },
			crawler.HealthDegraded, "选择器"},
		{"list restored", func() { h.faults.setRename(false) }, crawler.HealthOK, ""},
	}
	var wantEvents []string
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			step.fault()
			for range 2 {
				poll(t, c)
			}
			st := sourceState(t, h.bus, "gz")
			if st.State != step.wantState {
				t.Errorf("state %q (reason %q), want %q", st.State, st.Reason, step.wantState)
			}
			if step.wantReason == "" && st.Reason != "" || !strings.Contains(st.Reason, step.wantReason) {
				t.Errorf("reason %q, want one containing %q", st.Reason, step.wantReason)
			}
			if st.State == crawler.HealthOK && !st.LastOK.Equal(st.LastPoll) {
				t.Errorf("ok poll at %v left last_ok at %v", st.LastPoll, st.LastOK)
			}
			wantEvents = append(wantEvents, step.wantState)
			hs := healthEvents(t, h.bus, "gz")
			if diff := cmp.Diff(wantEvents, states(hs)); diff != "" {
				t.Errorf("health events (-want +got):\n%s", diff)
			}
			if last := hs[len(hs)-1]; last.Source != "gz" || last.Reason != st.Reason || last.V != 1 {
				t.Errorf("last health event %+v, want v1 for gz with reason %q", last, st.Reason)
			}
		})
	}
}

func TestHealthFailingWhenTheListCannotBeRead(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(h *harness) (baseURL string)
		// wantErr is in the chain of the poll error; nil means any error.
		wantErr error
	}{
		{"list not found", func(h *harness) string { return h.srv.URL + "/nowhere" }, nil},
		{"list answers 500", func(h *harness) string {
			h.faults.set("/govcn/zhengce/zuixin/ZUIXINZHENGCE.json", http.StatusInternalServerError)
			return h.srv.URL + "/govcn"
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, sim.Options{Seed: 2, Items: 3, LargeEvery: -1})
			src := source(t, govcnSource, "gov", tt.setup(h))
			c := h.crawler(t, src, "owner-1")
			listURL := src.Resolved.ListURLs[0].String()

			for range 2 {
				res := poll(t, c)
				if res.Err == nil || res.New != 0 || res.Listed != 0 {
					t.Fatalf("poll = %+v, want a list error and nothing new", res)
				}
				var se *fetch.StatusError
				if !errors.As(res.Err, &se) {
					t.Errorf("poll error %v, want a *fetch.StatusError", res.Err)
				}
			}
			st := sourceState(t, h.bus, "gov")
			if st.State != crawler.HealthFailing || !strings.Contains(st.Reason, listURL) {
				t.Errorf("state %q reason %q, want %q naming %s", st.State, st.Reason, crawler.HealthFailing, listURL)
			}
			if diff := cmp.Diff([]string{crawler.HealthFailing}, states(healthEvents(t, h.bus, "gov"))); diff != "" {
				t.Errorf("health events after two failing polls (-want +got):\n%s", diff)
			}
			if got := len(discovered(t, h.bus, "gov")); got != 0 {
				t.Errorf("%d items announced, want 0", got)
			}
		})
	}
}

// TestListOnLoopbackNotAllowedIsRefused: a source pointing at a loopback
// address that allow_private does not list is never contacted.
func TestListOnLoopbackNotAllowedIsRefused(t *testing.T) {
	h := newHarness(t, sim.Options{Seed: 2, Items: 3, LargeEvery: -1})
	var hits atomic.Int64
	canary := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		h.sim.ServeHTTP(w, r)
	}))
	t.Cleanup(canary.Close)

	src := source(t, govcnSource, "canary", canary.URL+"/govcn")
	c := h.crawler(t, src, "owner-1") // allows govsim's host:port only

	res := poll(t, c)
	if !errors.Is(res.Err, fetch.ErrPrivateAddress) || !syndicator.IsPermanent(res.Err) {
		t.Errorf("poll error %v, want a permanent fetch.ErrPrivateAddress", res.Err)
	}
	if res.New != 0 || res.Listed != 0 {
		t.Errorf("poll = %+v, want nothing listed", res)
	}
	if got := hits.Load(); got != 0 {
		t.Errorf("the refused server received %d requests, want 0", got)
	}
	st := sourceState(t, h.bus, "canary")
	if listURL := src.Resolved.ListURLs[0].String(); st.State != crawler.HealthFailing || !strings.Contains(st.Reason, listURL) {
		t.Errorf("state %q reason %q, want %q naming %s", st.State, st.Reason, crawler.HealthFailing, listURL)
	}
	if diff := cmp.Diff([]string{crawler.HealthFailing}, states(healthEvents(t, h.bus, "canary"))); diff != "" {
		t.Errorf("health events (-want +got):\n%s", diff)
	}
}
