package webhook_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"testing"
	"time"

	"github.com/gyeco/syndicator/sinks/webhook"
)

func TestSignIsHMACOfTimestampAndBody(t *testing.T) {
	secret, ts, body := []byte("wh-secret-0123456789abcdef"), "1788000000", []byte(`{"op":"create"}`)
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts + "." + string(body)))
	want := "sha256=" + hex.EncodeToString(m.Sum(nil))
	if got := webhook.Sign(secret, ts, body); got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

func TestVerify(t *testing.T) {
	secret := []byte("wh-secret-0123456789abcdef")
	now := time.Unix(1788000000, 0)
	ts := strconv.FormatInt(now.Unix(), 10)
	body := []byte(`{"op":"create","id":"abc"}`)
	sig := webhook.Sign(secret, ts, body)
	if err := webhook.Verify(secret, ts, sig, body, now.Add(time.Minute), 5*time.Minute); err != nil {
		t.Fatalf("Verify of a good signature: %v", err)
	}
	bad := []struct {
		name    string
		secret  []byte
		ts, sig string
		body    []byte
		now     time.Time
	}{
		{"other body", secret, ts, sig, []byte(`{"op":"create","id":"abd"}`), now},
		{"other secret", []byte("another-secret-0123456"), ts, sig, body, now},
		{"other timestamp", secret, strconv.FormatInt(now.Unix()+1, 10), sig, body, now},
		{"too old", secret, ts, sig, body, now.Add(6 * time.Minute)},
		{"from the future", secret, ts, sig, body, now.Add(-6 * time.Minute)},
		{"no prefix", secret, ts, sig[len("sha256="):], body, now},
		{"not hex", secret, ts, "sha256=zz", body, now},
		{"empty", secret, ts, "", body, now},
		{"timestamp not a number", secret, "yesterday", sig, body, now},
		{"no secret", nil, ts, webhook.Sign(nil, ts, body), body, now},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			if err := webhook.Verify(tt.secret, tt.ts, tt.sig, tt.body, tt.now, 5*time.Minute); err == nil {
				t.Error("Verify accepted it")
			}
		})
	}
}
