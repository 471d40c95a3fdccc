package crawler_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
)

var reBody = regexp.MustCompile(`(<div id="UCAP-CONTENT"[^>]*>)`)

// TestPrivateLinksInPagesAreRefused: a list row and an attachment link
// pointing at a loopback address the configuration does not allow are
// never fetched (a canary counts connections), the item with the bad
// detail link fails with a reason naming the refused address, and the
// attachment is recorded as not captured.
func TestPrivateLinksInPagesAreRefused(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	canary := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer canary.Close()
	canaryHost := strings.TrimPrefix(canary.URL, "http://")

	h := newHarness(t, sim.Options{Seed: 53, Items: 6, LargeEvery: -1})
	h.faults.setNext(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.sim.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		switch {
		case strings.HasSuffix(r.URL.Path, ".json"):
			// One extra row whose detail page sits on the canary.
			row := `{"TITLE":"内网地址测试","SUB_TITLE":"","URL":"` + canary.URL + `/zhengce/content/202609/content_1.htm","DOCRELPUBTIME":"2026-09-01"},`
			body = bytes.Replace(body, []byte("["), []byte("["+row), 1)
		case strings.Contains(r.URL.Path, "/content_"):
			// Every detail page gains an attachment on the canary.
			link := `$1<p><a href="` + canary.URL + `/P0secret.pdf">附件：内网.pdf</a></p>`
			body = reBody.ReplaceAll(body, []byte(link))
		}
		for k, v := range rec.Header() {
			if k != "Content-Length" && k != "Etag" && k != "Last-Modified" {
				w.Header()[k] = v
			}
		}
		w.WriteHeader(rec.Code)
		w.Write(body)
	}))
	c := h.crawler(t, source(t, govcnSource, "gov", h.srv.URL), "owner")
	res := poll(t, c)
	if hits.Load() != 0 {
		t.Fatalf("canary on %s received %d requests", canaryHost, hits.Load())
	}
	if res.Failed != 1 || res.New == 0 {
		t.Errorf("poll = %+v, want the canary row failed and the rest announced", res)
	}
	st := sourceState(t, h.bus, "gov")
	if !strings.Contains(st.Reason, "127.0.0.1") || !strings.Contains(st.Reason, "allow_private") {
		t.Errorf("reason %q should name the refused address and the setting", st.Reason)
	}
	captured := 0
	for _, ev := range discovered(t, h.bus, "gov") {
		it, err := h.bus.Item(t.Context(), &ev)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range it.Attachments {
			if strings.HasPrefix(a.URL, canary.URL) {
				if a.SHA256 != "" || !strings.Contains(a.Error, "private") {
					t.Errorf("canary attachment %+v: want not captured, with the refusal recorded", a)
				}
				captured++
			}
		}
	}
	if captured == 0 {
		t.Error("no item carried the canary attachment; the test did not exercise it")
	}
}
