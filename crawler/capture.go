package crawler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"

	"github.com/gyeco/syndicator/crawler/extract"
	"github.com/gyeco/syndicator/crawler/fetch"
	"github.com/gyeco/syndicator/syndicator"
)

// captured is an item read with the bytes of its original and of its
// attachment downloads, not yet in the claim-check store: a re-read that
// finds nothing changed keeps nothing.
type captured struct {
	item        *syndicator.Item
	page        *syndicator.Capture
	pageBody    []byte
	attachments []syndicator.Capture
	attBodies   [][]byte // parallel to attachments
	unmatched   []string // the selectors that matched nothing on the page
}

// capture reads an item, its original and its attachments.
func (c *Crawler) capture(ctx context.Context, e extract.ListEntry, canon, id string) (*captured, error) {
	it, resp, page, err := c.readItem(ctx, e, canon, id)
	if err != nil {
		return nil, err
	}
	if len(page.Missing) > 0 {
		return nil, &MissingFieldsError{URL: e.URL, Fields: page.Missing, Unmatched: page.Unmatched, Source: c.src.ID}
	}
	cp := &captured{item: it, pageBody: resp.Body, unmatched: page.Unmatched}
	for i := range it.Attachments {
		if ac, body := c.captureAttachment(ctx, &it.Attachments[i]); ac != nil {
			cp.attachments = append(cp.attachments, *ac)
			cp.attBodies = append(cp.attBodies, body)
		}
	}
	it.ContentSHA256 = syndicator.ContentSHA256(it) // once, with the attachment digests

	sum := sha256.Sum256(resp.Body)
	cp.page = captureOf(resp, "", hex.EncodeToString(sum[:]), page.Charset)
	return cp, nil
}

// keep stores the captured bytes in the claim-check store under the names
// the event will carry; it is called only for an item about to be
// announced, once its revision is known. Attachments are kept first, so
// that the page claim's presence means the whole capture is stored.
func (c *Crawler) keep(ctx context.Context, cp *captured) error {
	for i, ac := range cp.attachments {
		if err := c.pub.PutClaim(ctx, ac.Ref, cp.attBodies[i]); err != nil {
			return err
		}
	}
	cp.page.Ref = syndicator.CaptureRef(cp.item.ID, cp.item.Revision, cp.page.SHA256)
	return c.pub.PutClaim(ctx, cp.page.Ref, cp.pageBody)
}

// captureAttachment downloads one attachment and records its digest, size
// and type on a. A failure is recorded on the attachment and does not hold
// the item back.
func (c *Crawler) captureAttachment(ctx context.Context, a *syndicator.Attachment) (*syndicator.Capture, []byte) {
	resp, err := c.fetch.Do(ctx, fetch.Request{URL: a.URL, IgnoreRobots: c.src.IgnoreRobots, MaxBodyBytes: c.maxAttachment})
	if err != nil {
		a.Error = err.Error()
		c.log.Warn().Err(err).Str("url", a.URL).Msg("attachment not captured")
		return nil, nil
	}
	sum := sha256.Sum256(resp.Body)
	a.SHA256 = hex.EncodeToString(sum[:])
	a.Size = int64(len(resp.Body))
	a.ContentType = resp.Header.Get("Content-Type")
	if a.ContentType == "" {
		a.ContentType = http.DetectContentType(resp.Body)
	}
	return captureOf(resp, syndicator.AttachmentRef(a.SHA256), a.SHA256, ""), resp.Body
}

// captureOf describes a fetched response whose bytes are stored under ref.
func captureOf(resp *fetch.Response, ref, digest, charset string) *syndicator.Capture {
	return &syndicator.Capture{
		Ref: ref, URL: resp.URL, Status: resp.Status, Proto: resp.Proto,
		Header: resp.Header, Request: resp.Request, FetchedAt: resp.FetchedAt,
		SHA256: digest, Size: int64(len(resp.Body)), Charset: charset,
	}
}
