package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gyeco/syndicator/sinks/webhook"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/rs/zerolog"
)

// recorder is a CMS that answers status and keeps what it was sent.
type recorder struct {
	mu      sync.Mutex
	status  int
	header  http.Header
	answer  string
	bodies  [][]byte
	headers []http.Header
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bodies, r.headers = append(r.bodies, body), append(r.headers, req.Header.Clone())
	for k, v := range r.header {
		w.Header()[k] = v
	}
	w.WriteHeader(r.status)
	_, _ = io.WriteString(w, r.answer)
}

func TestHeadersAndBody(t *testing.T) {
	bus := connect(t)
	rec := &recorder{status: http.StatusInternalServerError}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	// The retry is a second later on the sink's clock: a new timestamp.
	now := time.Now()
	clock := func() time.Time { return now }
	sink := webhook.New(webhook.Options{URL: srv.URL, Secret: []byte(secret), Now: clock}, bus, bus, zerolog.Nop())
	ev := decided("4", 1)
	for attempt := 1; attempt <= 2; attempt++ {
		if err := sink.Handle(context.Background(), ev, attempt); err == nil {
			t.Fatal("Handle succeeded against a 500")
		}
		now = now.Add(time.Second)
	}
	if len(rec.bodies) != 2 {
		t.Fatalf("%d requests, want 2", len(rec.bodies))
	}
	if !bytes.Equal(rec.bodies[0], rec.bodies[1]) {
		t.Errorf("the retry sent other bytes:\n%s\n%s", rec.bodies[0], rec.bodies[1])
	}
	h := rec.headers[1]
	if h.Get(webhook.HeaderTimestamp) == rec.headers[0].Get(webhook.HeaderTimestamp) {
		t.Error("the retry kept the first timestamp")
	}
	for name, want := range map[string]string{
		"Content-Type": "application/json", "Idempotency-Key": ev.ID + ".r1.create",
		"X-Syndicator-Signature": webhook.Sign([]byte(secret), h.Get(webhook.HeaderTimestamp), rec.bodies[1]),
	} {
		if got := h.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	var body map[string]any
	if err := json.Unmarshal(rec.bodies[0], &body); err != nil {
		t.Fatal(err)
	}
	wantKeys := []string{"column", "id", "item", "op", "revision", "sent_at", "source"}
	if diff := cmp.Diff(wantKeys, slices.Sorted(maps.Keys(body))); diff != "" {
		t.Errorf("body fields (-want +got):\n%s", diff)
	}
	if body["op"] != "create" || body["sent_at"] != "2026-09-01T03:05:01Z" || body["column"] != "sthj" {
		t.Errorf("body %s", rec.bodies[0])
	}
}

func TestClassifiesAnswers(t *testing.T) {
	bus := connect(t)
	tests := []struct {
		status     int
		header     http.Header
		permanent  bool
		retryAfter time.Duration
	}{
		{http.StatusOK, nil, false, 0},
		{http.StatusAccepted, nil, false, 0},
		{http.StatusBadRequest, nil, true, 0},
		{http.StatusUnauthorized, nil, true, 0},
		{http.StatusNotFound, nil, true, 0},
		{http.StatusConflict, nil, true, 0},
		{http.StatusUnprocessableEntity, nil, true, 0},
		{http.StatusFound, http.Header{"Location": {"/elsewhere"}}, true, 0},
		{http.StatusRequestTimeout, nil, false, 0},
		{http.StatusTooEarly, nil, false, 0},
		{http.StatusTooManyRequests, nil, false, 0},
		{http.StatusTooManyRequests, http.Header{"Retry-After": {"7"}}, false, 7 * time.Second},
		{http.StatusServiceUnavailable, http.Header{"Retry-After": {"120"}}, false, 2 * time.Minute},
		{http.StatusInternalServerError, nil, false, 0},
		{http.StatusBadGateway, nil, false, 0},
	}
	for i, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			rec := &recorder{status: tt.status, header: tt.header, answer: `{"error":"字段 title 不能为空"}`}
			srv := httptest.NewServer(rec)
			defer srv.Close()
			sink := webhook.New(webhook.Options{URL: srv.URL, Secret: []byte(secret)}, bus, bus, zerolog.Nop())
			err := sink.Handle(context.Background(), decided(string(rune('a'+i)), 1), 1)
			if tt.status < 300 {
				if err != nil {
					t.Fatalf("Handle = %v, want success", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Handle succeeded")
			}
			if got := syndicator.IsPermanent(err); got != tt.permanent {
				t.Errorf("IsPermanent(%v) = %v, want %v", err, got, tt.permanent)
			}
			if d, ok := syndicator.RetryAfter(err); d != tt.retryAfter || ok != (tt.retryAfter > 0) {
				t.Errorf("RetryAfter = %s %v, want %s", d, ok, tt.retryAfter)
			}
			if !strings.Contains(err.Error(), http.StatusText(tt.status)) || !strings.Contains(err.Error(), "字段 title 不能为空") {
				t.Errorf("error %q does not give the status and the answer", err)
			}
		})
	}
}

func TestConnectionErrorsAreTransient(t *testing.T) {
	bus := connect(t)
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + "/hook?token=s3cr3t"
	srv.Close() // nothing listens there now
	sink := webhook.New(webhook.Options{URL: url, Secret: []byte(secret), Timeout: time.Second}, bus, bus, zerolog.Nop())
	err := sink.Handle(context.Background(), decided("5", 1), 1)
	if err == nil || syndicator.IsPermanent(err) {
		t.Fatalf("Handle = %v, want a transient error", err)
	}
	if strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("error %q shows the URL's token", err)
	}
}

func TestNoURLIsPermanent(t *testing.T) {
	sink := webhook.New(webhook.Options{Secret: []byte(secret)}, nil, nil, zerolog.Nop())
	if err := sink.Handle(context.Background(), decided("6", 1), 1); !syndicator.IsPermanent(err) {
		t.Errorf("Handle = %v, want a permanent error", err)
	}
}
