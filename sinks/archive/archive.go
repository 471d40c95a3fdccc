// Package archive is the sink that keeps every revision's evidence: the
// original page byte for byte, the response, the item, and its attachments
// stored once by content (DESIGN §7). Nothing it writes is ever overwritten.
package archive

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"reflect"
	"time"

	"github.com/gyeco/syndicator/sinks/archive/warc"
	"github.com/gyeco/syndicator/sinks/blob"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/rs/zerolog"
)

// Name is the sink's name: its consumer and its log key.
const Name = "archive"

// Store is a write-once object store (blob.FS or blob.S3).
type Store interface {
	// PutNew stores data under key unless the key exists; identical bytes
	// already there are success, different bytes a permanent error.
	PutNew(ctx context.Context, key string, data []byte, contentType string) (created bool, err error)
	// Get returns the bytes under key, or an error wrapping blob.ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
}

// Bus gives the sink the events' items and lets it announce its work.
type Bus interface {
	Item(ctx context.Context, ev *syndicator.Event) (*syndicator.Item, error)
	Publish(ctx context.Context, ev *syndicator.Event) (duplicate bool, err error)
}

// Claims is the claim-check store the crawler put the bytes in. The
// archive is the only reader of page and attachment claims: it deletes
// them once the revision is archived and announced.
type Claims interface {
	GetClaim(ctx context.Context, name string) ([]byte, error)
	DeleteClaim(ctx context.Context, name string) error
}

// Sink archives discovered and revised items.
type Sink struct {
	store  Store
	bus    Bus
	claims Claims
	log    zerolog.Logger
	now    func() time.Time
}

// New returns the archive sink; it does no I/O.
func New(store Store, bus Bus, claims Claims, log zerolog.Logger) *Sink {
	return &Sink{store: store, bus: bus, claims: claims, log: log.With().Str("sink", Name).Logger(), now: func() time.Time { return time.Now().UTC() }}
}

// WithClock makes the sink stamp its events with now instead of
// time.Now, so that tests can advance time instead of sleeping through
// service levels. It returns s.
func (s *Sink) WithClock(now func() time.Time) *Sink {
	s.now = func() time.Time { return now().UTC() }
	return s
}

// Subjects are the events the archive consumes.
func Subjects() []string {
	return syndicator.ItemFilter(syndicator.KindDiscovered, syndicator.KindRevised)
}

// Response is response.json: how the original was served.
type Response struct {
	URL       string              `json:"url"`
	Status    int                 `json:"status"`
	Header    map[string][]string `json:"headers"`
	FetchedAt time.Time           `json:"fetched_at"`
	SHA256    string              `json:"sha256"`
	Size      int64               `json:"size"`
	Charset   string              `json:"charset,omitempty"`
}

// Handle archives one revision, then announces synd.item.archived. Every
// write is create-if-absent, so a redelivered event repeats nothing and a
// crash halfway is completed by the redelivery. capture.warc.gz records the
// page's and the attachments' exchanges (ev.Capture, ev.Attachments) and,
// like every object, is the same bytes each time the event is handled.
// item.json is written last: its presence marks a complete revision.
//
// Once the revision is announced, its page and attachment claims are
// deleted: nothing else reads them (the site copies attachments from the
// archive). Bytes whose claim is gone are read from the archive instead —
// a redelivery of a revision already archived, or an attachment another
// item shares and that item's archiving took away — so neither is lost.
func (s *Sink) Handle(ctx context.Context, ev *syndicator.Event, attempt int) error {
	if ev.Capture == nil {
		return syndicator.Permanent(fmt.Errorf("%s event for %s has no capture", ev.Kind, ev.ID))
	}
	it, err := s.bus.Item(ctx, ev)
	if err != nil {
		return err
	}
	prefix := it.ArchivePrefix()
	original, err := s.claimed(ctx, ev.Capture.Ref, prefix+"original.html")
	if err != nil {
		return err
	}
	if got := sha256Hex(original); got != ev.Capture.SHA256 {
		return syndicator.Permanent(fmt.Errorf("capture %s has sha256 %s, event says %s", ev.Capture.Ref, got, ev.Capture.SHA256))
	}

	archived := *it
	archived.Attachments = append([]syndicator.Attachment(nil), it.Attachments...)
	var keys []string
	claims := map[string][]byte{} // attachment bytes by claim name, for the WARC
	for i := range archived.Attachments {
		a := &archived.Attachments[i]
		if a.SHA256 == "" {
			continue // not captured; the item records why
		}
		ref := syndicator.AttachmentRef(a.SHA256)
		a.ArchiveKey = syndicator.AttachmentArchiveKey(a.SHA256)
		data, err := s.claimed(ctx, ref, a.ArchiveKey)
		if err != nil {
			return err
		}
		if got := sha256Hex(data); got != a.SHA256 {
			return syndicator.Permanent(fmt.Errorf("attachment %s has sha256 %s, the item says %s", ref, got, a.SHA256))
		}
		claims[ref] = data
		if err := s.put(ctx, a.ArchiveKey, data, a.ContentType); err != nil {
			return err
		}
		keys = append(keys, a.ArchiveKey)
	}

	resp, err := encodeJSON(Response{
		URL: ev.Capture.URL, Status: ev.Capture.Status, Header: ev.Capture.Header,
		FetchedAt: ev.Capture.FetchedAt, SHA256: ev.Capture.SHA256, Size: ev.Capture.Size, Charset: ev.Capture.Charset,
	})
	if err != nil {
		return syndicator.Permanent(fmt.Errorf("encode response.json: %w", err))
	}
	capture, err := s.capture(ctx, ev, original, claims)
	if err != nil {
		return err
	}
	itemJSON, err := encodeJSON(&archived)
	if err != nil {
		return syndicator.Permanent(fmt.Errorf("encode item.json: %w", err))
	}
	for _, obj := range []struct {
		name, contentType string
		data              []byte
	}{
		{"original.html", originalType(ev.Capture.Header), original},
		{"response.json", "application/json", resp},
		{CaptureName, "application/gzip", capture},
		{"item.json", "application/json", itemJSON},
	} {
		if err := s.put(ctx, prefix+obj.name, obj.data, obj.contentType); err != nil {
			return err
		}
		keys = append(keys, prefix+obj.name)
	}

	out := &syndicator.Event{
		Kind: syndicator.KindArchived, ID: ev.ID, Revision: ev.Revision, Source: ev.Source,
		At: s.now(), Item: &archived, ArchiveKeys: keys,
	}
	if _, err := s.bus.Publish(ctx, out); err != nil {
		return err
	}
	s.log.Info().Str("item_id", ev.ID).Str("source", ev.Source).Int("attempt", attempt).Str("prefix", prefix).Msg("archived")
	s.release(ctx, ev, claims)
	return nil
}

// claimed returns the bytes of claim ref, or, when the claim is gone, the
// archived copy under key. Only a claim gone from the store falls back: any
// other failure to read it is returned (retried unless permanent).
func (s *Sink) claimed(ctx context.Context, ref, key string) ([]byte, error) {
	data, err := s.claims.GetClaim(ctx, ref)
	if err == nil || !errors.Is(err, syndicator.ErrClaimGone) {
		return data, err
	}
	kept, gerr := s.store.Get(ctx, key)
	switch {
	case gerr == nil:
		return kept, nil
	case errors.Is(gerr, blob.ErrNotFound):
		return nil, err // gone from both: the claim's error says why
	default: // not the claim's permanent error: the archive may come back
		return nil, fmt.Errorf("claim %s is gone; read the archived copy %s instead: %w", ref, key, gerr)
	}
}

// release deletes the claims of an archived revision: its page and the
// attachments it read. A failure leaves the claim to expire by the store's
// TTL; the revision is archived either way.
func (s *Sink) release(ctx context.Context, ev *syndicator.Event, attachments map[string][]byte) {
	refs := []string{ev.Capture.Ref}
	for ref := range attachments {
		refs = append(refs, ref)
	}
	for _, ref := range refs {
		if err := s.claims.DeleteClaim(ctx, ref); err != nil {
			s.log.Warn().Err(err).Str("item_id", ev.ID).Str("claim", ref).Msg("claim not deleted; it expires by TTL")
		}
	}
}

// CaptureName is the revision's WARC file: the request and response
// records of the page and of its captured attachments.
const CaptureName = "capture.warc.gz"

// capture encodes the WARC of the page (bytes original) and of the
// attachment downloads the event lists, whose bytes come from the claims
// already read for the item's attachments or else from the claim-check
// store. Bytes that do not match their capture's sha256 are refused.
func (s *Sink) capture(ctx context.Context, ev *syndicator.Event, original []byte, claims map[string][]byte) ([]byte, error) {
	exs := []warc.Exchange{exchange(ev.Capture, original)}
	for i := range ev.Attachments {
		c := &ev.Attachments[i]
		data, ok := claims[c.Ref]
		// Bytes read for the item's attachments were checked against the
		// digest their name carries: hashing them again (up to 100 MiB)
		// would prove nothing new.
		checked := ok && c.Ref == syndicator.AttachmentRef(c.SHA256)
		if !ok {
			var err error
			if data, err = s.claimed(ctx, c.Ref, syndicator.AttachmentArchiveKey(c.SHA256)); err != nil {
				return nil, err
			}
			claims[c.Ref] = data
		}
		if !checked {
			if got := sha256Hex(data); got != c.SHA256 {
				return nil, syndicator.Permanent(fmt.Errorf("attachment capture %s has sha256 %s, event says %s", c.Ref, got, c.SHA256))
			}
		}
		exs = append(exs, exchange(c, data))
	}
	data, err := warc.Capture(exs)
	if err != nil {
		return nil, syndicator.Permanent(fmt.Errorf("encode %s: %w", CaptureName, err))
	}
	return data, nil
}

func exchange(c *syndicator.Capture, body []byte) warc.Exchange {
	return warc.Exchange{
		URL: c.URL, Proto: c.Proto, Status: c.Status, Header: c.Header, Request: c.Request,
		FetchedAt: c.FetchedAt, Body: body,
	}
}

// encodeJSON is how item.json and response.json are written: indented,
// one value and a newline, and the text as it is — body HTML keeps its
// <, > and & and Chinese its UTF-8, instead of json.Marshal's \u003c
// escapes, so the files read as they are. (U+2028 and U+2029 are still
// escaped; any JSON reader decodes either form to the same value.)
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (s *Sink) put(ctx context.Context, key string, data []byte, contentType string) error {
	_, err := s.store.PutNew(ctx, key, data, contentType)
	if errors.Is(err, blob.ErrConflict) {
		switch path.Base(key) {
		case CaptureName:
			err = s.sameCapture(ctx, key, data, err)
		case "item.json", "response.json":
			err = s.sameJSON(ctx, key, data, err)
		}
	}
	if err != nil {
		return fmt.Errorf("archive %s: %w", key, err)
	}
	return nil
}

// sameCapture settles a conflict on a capture.warc.gz: gzip output may
// change with the Go release, so a redelivery handled by a newer build can
// compress the same WARC differently. Equal records after decompression are
// the same evidence and count as stored; anything else keeps the conflict.
func (s *Sink) sameCapture(ctx context.Context, key string, data []byte, conflict error) error {
	stored, err := s.store.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("compare with the stored capture: %w", err) // retried unless permanent
	}
	a, errA := gunzip(stored)
	b, errB := gunzip(data)
	if errA != nil || errB != nil || !bytes.Equal(a, b) {
		return conflict
	}
	return nil
}

// sameJSON settles a conflict on item.json or response.json: a revision
// archived by an older build has them with HTML characters escaped
// (\u003c), and its redelivery encodes the same values without. The same
// JSON value counts as stored, and the stored bytes stay as they are;
// anything else keeps the conflict.
func (s *Sink) sameJSON(ctx context.Context, key string, data []byte, conflict error) error {
	stored, err := s.store.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("compare with the stored %s: %w", path.Base(key), err) // retried unless permanent
	}
	a, errA := decodeJSON(stored)
	b, errB := decodeJSON(data)
	if errA != nil || errB != nil || !reflect.DeepEqual(a, b) {
		return conflict
	}
	return nil
}

func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("more than one JSON value")
	}
	return v, nil
}

func gunzip(data []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

func originalType(h map[string][]string) string {
	if v := h["Content-Type"]; len(v) > 0 && v[0] != "" {
		return v[0]
	}
	return "text/html"
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
