package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Header names of a signed request.
const (
	HeaderTimestamp   = "X-Syndicator-Timestamp"
	HeaderSignature   = "X-Syndicator-Signature"
	HeaderIdempotency = "Idempotency-Key"
)

// signaturePrefix names the algorithm in the signature header, so that a
// later one can be introduced without ambiguity.
const signaturePrefix = "sha256="

// Sign returns the X-Syndicator-Signature value of a request:
// "sha256=" + hex HMAC-SHA256(secret, ts + "." + body), where ts is the
// X-Syndicator-Timestamp value (Unix seconds) and body the raw request
// body. Signing the timestamp lets a CMS refuse a replayed request.
func Sign(secret []byte, ts string, body []byte) string {
	return signaturePrefix + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret []byte, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks a request as a CMS receives it: sig must be Sign(secret,
// ts, body), compared in constant time, and ts no further than skew from
// now in either direction. A CMS should use a skew of a few minutes and
// deduplicate by Idempotency-Key, since a retried request is signed again
// with a new timestamp over the same body.
func Verify(secret []byte, ts, sig string, body []byte, now time.Time, skew time.Duration) error {
	if len(secret) == 0 {
		return errors.New("verify signature: no secret configured")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("verify signature: timestamp %q is not Unix seconds", ts)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > skew || d < -skew {
		return fmt.Errorf("verify signature: timestamp %s is %s away from now, more than %s", ts, d.Round(time.Second), skew)
	}
	hexSig, ok := strings.CutPrefix(sig, signaturePrefix)
	if !ok {
		return fmt.Errorf("verify signature: header does not start with %q", signaturePrefix)
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return errors.New("verify signature: signature is not hex")
	}
	if !hmac.Equal(got, mac(secret, ts, body)) {
		return errors.New("verify signature: signature does not match the body")
	}
	return nil
}
