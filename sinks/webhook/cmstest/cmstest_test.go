package cmstest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/gyeco/syndicator/sinks/webhook"
	"github.com/gyeco/syndicator/sinks/webhook/cmstest"
	"github.com/gyeco/syndicator/syndicator"
)

var secret = []byte("cms-secret-0123456789")

// post sends body signed with key and returns the status and answer.
func post(t *testing.T, cms *cmstest.CMS, key string, req webhook.Request, sign []byte) (int, []byte) {
	t.Helper()
	body, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	hr, _ := http.NewRequest(http.MethodPost, cms.URL, bytes.NewReader(body))
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set(webhook.HeaderIdempotency, key)
	hr.Header.Set(webhook.HeaderTimestamp, ts)
	hr.Header.Set(webhook.HeaderSignature, webhook.Sign(sign, ts, body))
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

func create(id string, rev int) webhook.Request {
	return webhook.Request{Op: webhook.OpCreate, ID: id, Revision: rev, Source: "govcn",
		Item: &syndicator.Item{ID: id, Title: "通知", Revision: rev, Validity: syndicator.ValidityEffective}}
}

func TestCMS(t *testing.T) {
	cms := cmstest.New(secret)
	defer cms.Close()

	if code, _ := post(t, cms, "a.r1.create", create("a", 1), []byte("wrong-secret-000000")); code != http.StatusUnauthorized {
		t.Errorf("bad signature: %d, want 401", code)
	}
	if cms.BadSignatures() != 1 || cms.Creates("a") != 0 {
		t.Errorf("bad signatures %d creates %d, want 1 0", cms.BadSignatures(), cms.Creates("a"))
	}

	code, first := post(t, cms, "a.r1.create", create("a", 1), secret)
	if code != http.StatusCreated {
		t.Fatalf("create: %d %s", code, first)
	}
	var resp webhook.Response
	if err := json.Unmarshal(first, &resp); err != nil || resp.ID == "" || resp.URL == "" {
		t.Errorf("create answer %s: %v", first, err)
	}
	code, again := post(t, cms, "a.r1.create", create("a", 1), secret)
	if code != http.StatusCreated || !bytes.Equal(first, again) || cms.Creates("a") != 1 || cms.Replays() != 1 {
		t.Errorf("repeat: %d %s, creates %d replays %d; want the stored answer and no second create", code, again, cms.Creates("a"), cms.Replays())
	}
	other := create("a", 1)
	other.Item.Title = "另一个标题"
	if code, _ := post(t, cms, "a.r1.create", other, secret); code != http.StatusUnprocessableEntity || cms.KeyConflicts() != 1 {
		t.Errorf("key reused with another body: %d, conflicts %d", code, cms.KeyConflicts())
	}

	// An older revision never wins.
	up := create("a", 3)
	up.Op = webhook.OpUpdate
	post(t, cms, "a.r3.update", up, secret)
	old := create("a", 2)
	old.Op = webhook.OpUpdate
	post(t, cms, "a.r2.update", old, secret)
	if cms.Revision("a") != 3 || cms.Regressions() != 1 {
		t.Errorf("revision %d regressions %d, want 3 1", cms.Revision("a"), cms.Regressions())
	}

	// Operations on an unknown article are refused.
	v := webhook.Request{Op: webhook.OpValidity, ID: "nope", Revision: 1, Validity: &syndicator.ValidityChange{To: syndicator.ValidityRepealed}}
	if code, _ := post(t, cms, "nope.r1.validity.repealed", v, secret); code != http.StatusNotFound {
		t.Errorf("validity of an unknown article: %d, want 404", code)
	}

	// Faults: a hang applies the effect; a rejection does not.
	cms.HangNext(1, 200*time.Millisecond)
	start := time.Now()
	if code, _ := post(t, cms, "b.r1.create", create("b", 1), secret); code != http.StatusCreated || time.Since(start) < 200*time.Millisecond {
		t.Errorf("hang: %d after %s", code, time.Since(start))
	}
	cms.RejectNext(1, http.StatusBadRequest)
	if code, _ := post(t, cms, "c.r1.create", create("c", 1), secret); code != http.StatusBadRequest || cms.Creates("c") != 0 {
		t.Errorf("reject: %d, creates %d", code, cms.Creates("c"))
	}
	if cms.Creates("b") != 1 {
		t.Errorf("hung create applied %d times, want 1", cms.Creates("b"))
	}
}
