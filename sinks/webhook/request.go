package webhook

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gyeco/syndicator/syndicator"
)

// Operations sent to the CMS.
const (
	OpCreate   = "create"
	OpUpdate   = "update"
	OpValidity = "validity"
	OpWithdraw = "withdraw"
)

// Request is the JSON body of every POST to the CMS:
//
//	op        "create" | "update" | "validity" | "withdraw"
//	id        item id (DESIGN §6): the CMS's key for the article
//	revision  the item revision the operation belongs to
//	source    source id, e.g. "guizhou-szfwj"
//	item      create, update: the full item (DESIGN §6 schema v1)
//	column    create, update: the committee column it goes in (may be "")
//	validity  validity: {from, to, basis, basis_doc_number, basis_id,
//	          basis_url}; to is effective | amended | repealed | expired
//	reason    withdraw: why, in Chinese, for the CMS's editors
//	sent_at   RFC 3339 time of the event that caused the operation
//
// create is the first revision of an id the CMS receives, update a later
// one; both carry the whole item, so a CMS may simply upsert by id.
// validity and withdraw only follow a create. The body of one operation is
// the same bytes on every retry (sent_at is the event's time, not the
// clock), so a CMS that deduplicates by Idempotency-Key
// (<id>.r<revision>.<op>[.<validity to>[.<basis id>]]) can also compare
// the bodies. Deliveries of different revisions may overlap: a CMS should
// ignore an item whose revision is lower than the one it holds.
//
// The CMS answers 2xx when the operation is durable, optionally with
// {"id": "<its id>", "url": "<public url>"}; the sink records both.
// 408, 425, 429, 5xx and network errors are retried (429 and 503 after
// their Retry-After); any other status is final and the event goes to the
// dead letter.
type Request struct {
	Op       string                     `json:"op"`
	ID       string                     `json:"id"`
	Revision int                        `json:"revision"`
	Source   string                     `json:"source"`
	Item     *syndicator.Item           `json:"item,omitempty"`
	Column   string                     `json:"column,omitempty"`
	Validity *syndicator.ValidityChange `json:"validity,omitempty"`
	Reason   string                     `json:"reason,omitempty"`
	SentAt   time.Time                  `json:"sent_at"`
}

// digest is the hex sha256 of r's body, the same bytes send posts.
func (r *Request) digest() string {
	body, err := json.Marshal(r)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// IdempotencyKey is the Idempotency-Key of r: stable across retries and
// redeliveries of the same operation, different for every other one.
func (r *Request) IdempotencyKey() string {
	key := fmt.Sprintf("%s.r%d.%s", r.ID, r.Revision, r.Op)
	if r.Op == OpValidity && r.Validity != nil {
		key += "." + string(r.Validity.To)
		if r.Validity.BasisID != "" {
			// Two decisions may set the same state at one revision.
			key += "." + r.Validity.BasisID
		}
	}
	return key
}

// Response is what a CMS may answer to an accepted operation.
type Response struct {
	ID  string `json:"id"`
	URL string `json:"url"`
}

// maxResponse bounds what is read of a CMS answer.
const maxResponse = 64 << 10

// maxRetryAfter caps a CMS's Retry-After, so a mistaken header cannot park
// an event for days.
const maxRetryAfter = time.Hour

// send POSTs r signed and classifies the answer: nil with the CMS's
// response on 2xx, a Later or plain error for what a retry can fix, a
// Permanent error for the rest.
func (s *Sink) send(ctx context.Context, r *Request) (Response, error) {
	body, err := json.Marshal(r)
	if err != nil {
		return Response{}, syndicator.Permanent(fmt.Errorf("encode %s of %s: %w", r.Op, r.ID, err))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.opts.URL, bytes.NewReader(body))
	if err != nil {
		return Response{}, syndicator.Permanent(fmt.Errorf("webhook request: %w", err))
	}
	ts := strconv.FormatInt(s.now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderIdempotency, r.IdempotencyKey())
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, Sign(s.opts.Secret, ts, body))

	resp, err := s.client.Do(req)
	if err != nil {
		// Timeouts, refused connections, resets: the CMS may or may not have
		// applied it; the retry carries the same Idempotency-Key.
		return Response{}, fmt.Errorf("webhook %s of %s: %w", r.Op, r.ID, redactURL(err))
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	return classify(r, resp, data, s.now())
}

func classify(r *Request, resp *http.Response, data []byte, now time.Time) (Response, error) {
	code := resp.StatusCode
	if code >= 200 && code < 300 {
		var out Response
		_ = json.Unmarshal(data, &out) // the answer is optional
		return out, nil
	}
	err := fmt.Errorf("webhook %s of %s: CMS answered %s: %s", r.Op, r.ID, resp.Status, snippet(data))
	switch {
	case code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable:
		if d, ok := retryAfter(resp.Header.Get("Retry-After"), now); ok {
			return Response{}, fmt.Errorf("%w: %w", err, syndicator.Later(d, fmt.Sprintf("CMS asked to retry after %s", d)))
		}
		return Response{}, err
	case code == http.StatusRequestTimeout || code == http.StatusTooEarly || code >= 500:
		return Response{}, err
	}
	return Response{}, syndicator.Permanent(err)
}

// retryAfter reads a Retry-After header: delay seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	var d time.Duration
	if sec, err := strconv.Atoi(v); err == nil {
		d = time.Duration(sec) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	} else {
		return 0, false
	}
	return min(max(d, time.Second), maxRetryAfter), true
}

// snippet keeps the start of a CMS answer for the error message, which ends
// in the dead letter an operator reads.
func snippet(data []byte) string {
	const limit = 300
	s := strings.TrimSpace(string(data))
	if s == "" {
		return "(empty body)"
	}
	if len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}

// redactURL drops the CMS URL from a client error: it may carry a token in
// its query string, and errors reach logs and dead letters.
func redactURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// noRedirect keeps a POST from being turned into a GET by a 301/302; the
// 3xx is returned and treated as a misconfigured URL.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
