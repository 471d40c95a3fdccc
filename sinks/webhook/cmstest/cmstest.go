// Package cmstest is a CMS for tests of the webhook sink: an httptest
// server that behaves as the webhook contract asks of a real CMS (verify
// the signature, deduplicate by Idempotency-Key, never apply an older
// revision over a newer one) and can be told to fail in the ways a real
// one does.
package cmstest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/gyeco/syndicator/sinks/webhook"
	"github.com/gyeco/syndicator/syndicator"
)

// Skew is how far a request's timestamp may be from the CMS's clock.
const Skew = 5 * time.Minute

// Applied is one operation the CMS carried out.
type Applied struct {
	Op       string
	Revision int
	Key      string
	// SHA256 is the hex sha256 of the request body as received.
	SHA256 string
}

// Doc is the CMS's article for one item id.
type Doc struct {
	CMSID     string
	Revision  int
	Item      *syndicator.Item
	Column    string
	Validity  string
	Basis     *syndicator.ValidityChange
	Withdrawn bool
	Reason    string
	Applied   []Applied
}

// stored is the answer kept for an Idempotency-Key.
type stored struct {
	bodySum [32]byte
	status  int
	body    []byte
}

// CMS is the test CMS. URL is where the sink posts.
type CMS struct {
	URL    string
	srv    *httptest.Server
	secret []byte

	mu     sync.Mutex
	docs   map[string]*Doc
	keys   map[string]stored
	nextID int
	faults faults
	counts counts
}

type faults struct {
	fail, lose, hang, reject int
	hangFor                  time.Duration
	rejectStatus             int
	throttle                 int
	retryAfter               time.Duration
	rejectID                 map[string]int
}

type counts struct {
	requests, badSig, replays, conflicts, regressions int
}

// New starts a CMS that accepts requests signed with secret.
func New(secret []byte) *CMS {
	c := &CMS{
		secret: secret, docs: map[string]*Doc{}, keys: map[string]stored{},
		faults: faults{rejectID: map[string]int{}},
	}
	c.srv = httptest.NewServer(http.HandlerFunc(c.serve))
	c.URL = c.srv.URL
	return c
}

// Close stops the server.
func (c *CMS) Close() { c.srv.Close() }

// FailNext makes the next n requests answer 500 without any effect.
func (c *CMS) FailNext(n int) { c.with(func() { c.faults.fail += n }) }

// ThrottleNext makes the next n requests answer 429 with Retry-After d
// (whole seconds, at least 1), without any effect.
func (c *CMS) ThrottleNext(n int, d time.Duration) {
	c.with(func() { c.faults.throttle, c.faults.retryAfter = c.faults.throttle+n, d })
}

// HangNext makes the next n requests take effect and then answer only
// after d (or when the client gives up): a client timeout that hides a
// success, which the Idempotency-Key makes safe to retry.
func (c *CMS) HangNext(n int, d time.Duration) {
	c.with(func() { c.faults.hang, c.faults.hangFor = c.faults.hang+n, d })
}

// LoseNext makes the next n requests take effect and then answer 502, as a
// proxy that lost the answer would; the retry gets the stored answer again.
func (c *CMS) LoseNext(n int) { c.with(func() { c.faults.lose += n }) }

// RejectNext makes the next n requests answer status (a 4xx) without effect.
func (c *CMS) RejectNext(n, status int) {
	c.with(func() { c.faults.reject, c.faults.rejectStatus = c.faults.reject+n, status })
}

// Reject makes every request about item id answer status (e.g. 422).
func (c *CMS) Reject(id string, status int) { c.with(func() { c.faults.rejectID[id] = status }) }

func (c *CMS) with(f func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f()
}

// fault picks the fault for the request now arriving, consuming it.
func (c *CMS) fault(id string) (status int, hang time.Duration, lose bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f := &c.faults
	switch {
	case f.rejectID[id] != 0:
		return f.rejectID[id], 0, false
	case f.fail > 0:
		f.fail--
		return http.StatusInternalServerError, 0, false
	case f.throttle > 0:
		f.throttle--
		return http.StatusTooManyRequests, 0, false
	case f.reject > 0:
		f.reject--
		return f.rejectStatus, 0, false
	case f.hang > 0:
		f.hang--
		return 0, f.hangFor, false
	case f.lose > 0:
		f.lose--
		return 0, 0, true
	}
	return 0, 0, false
}

func (c *CMS) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil || r.Method != http.MethodPost {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	c.with(func() { c.counts.requests++ })
	ts, sig := r.Header.Get(webhook.HeaderTimestamp), r.Header.Get(webhook.HeaderSignature)
	if err := webhook.Verify(c.secret, ts, sig, body, time.Now(), Skew); err != nil {
		c.with(func() { c.counts.badSig++ })
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	key := r.Header.Get(webhook.HeaderIdempotency)
	var req webhook.Request
	if err := json.Unmarshal(body, &req); err != nil || key == "" || r.Header.Get("Content-Type") != "application/json" {
		http.Error(w, "want a JSON body and an Idempotency-Key", http.StatusBadRequest)
		return
	}

	status, hang, lose := c.fault(req.ID)
	switch {
	case status == http.StatusTooManyRequests:
		w.Header().Set("Retry-After", fmt.Sprint(max(1, int(c.retryAfter().Seconds()))))
		http.Error(w, "slow down", status)
		return
	case status != 0:
		http.Error(w, fmt.Sprintf(`{"error":"操作被拒绝 (%d)"}`, status), status)
		return
	}

	ans := c.apply(key, body, &req)
	if hang > 0 {
		select {
		case <-time.After(hang):
		case <-r.Context().Done():
			return
		}
	}
	if lose {
		http.Error(w, "bad gateway", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(ans.status)
	_, _ = w.Write(ans.body)
}

func (c *CMS) retryAfter() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.faults.retryAfter
}

// apply carries out req once per Idempotency-Key and returns the answer;
// a key seen before returns the stored answer, or 422 if the body differs.
func (c *CMS) apply(key string, body []byte, req *webhook.Request) stored {
	c.mu.Lock()
	defer c.mu.Unlock()
	sum := sha256.Sum256(body)
	if prev, ok := c.keys[key]; ok {
		if prev.bodySum != sum {
			c.counts.conflicts++
			return stored{status: http.StatusUnprocessableEntity, body: []byte(`{"error":"Idempotency-Key reused with another body"}`)}
		}
		c.counts.replays++
		return prev
	}
	ans := c.effect(key, hex.EncodeToString(sum[:]), req)
	ans.bodySum = sum
	if ans.status < 500 {
		c.keys[key] = ans
	}
	return ans
}

func (c *CMS) effect(key, digest string, req *webhook.Request) stored {
	d := c.docs[req.ID]
	switch req.Op {
	case webhook.OpCreate, webhook.OpUpdate:
		if req.Item == nil {
			return stored{status: http.StatusBadRequest, body: []byte(`{"error":"no item"}`)}
		}
		if d == nil {
			if req.Op == webhook.OpUpdate {
				return notFound(req.ID)
			}
			c.nextID++
			d = &Doc{CMSID: fmt.Sprintf("cms-%d", c.nextID)}
			c.docs[req.ID] = d
		}
		if req.Revision >= d.Revision {
			d.Revision, d.Item, d.Column, d.Validity = req.Revision, req.Item, req.Column, string(req.Item.Validity)
			d.Withdrawn = false
		} else {
			c.counts.regressions++ // kept: an older revision never wins
		}
	case webhook.OpValidity:
		if d == nil {
			return notFound(req.ID)
		}
		if req.Validity == nil {
			return stored{status: http.StatusBadRequest, body: []byte(`{"error":"no validity"}`)}
		}
		d.Validity, d.Basis = string(req.Validity.To), req.Validity
	case webhook.OpWithdraw:
		if d == nil {
			return notFound(req.ID)
		}
		d.Withdrawn, d.Reason = true, req.Reason
	default:
		return stored{status: http.StatusBadRequest, body: []byte(`{"error":"unknown op"}`)}
	}
	d.Applied = append(d.Applied, Applied{Op: req.Op, Revision: req.Revision, Key: key, SHA256: digest})
	out, _ := json.Marshal(webhook.Response{ID: d.CMSID, URL: c.URL + "/articles/" + d.CMSID})
	status := http.StatusOK
	if req.Op == webhook.OpCreate {
		status = http.StatusCreated
	}
	return stored{status: status, body: out}
}

func notFound(id string) stored {
	return stored{status: http.StatusNotFound, body: fmt.Appendf(nil, `{"error":"no article %s"}`, id)}
}
