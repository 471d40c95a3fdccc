// Package webhook is the sink that republishes decided items to a CMS over
// HTTP: one signed JSON POST per operation (create, update, validity,
// withdraw; see Request), each with an Idempotency-Key so that retries and
// redeliveries, which the sink cannot tell from first attempts, never
// apply an operation twice. What the CMS accepted is recorded in KV
// synd_webhook.
package webhook

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/rs/zerolog"
)

// Name is the sink's name: its consumer, its log key and the <sink> token
// of synd.item.published.<sink>.<source>.
const Name = "webhook"

// Bucket is the KV bucket of Records.
const Bucket = syndicator.BucketWebhook

// Subjects are the events the webhook consumes: decisions, validity
// changes and withdrawals.
func Subjects() []string {
	return syndicator.ItemFilter(syndicator.KindDecided, syndicator.KindValidity, syndicator.KindWithdrawn)
}

// Options configure the sink (config.Webhook).
type Options struct {
	// URL receives every operation as a JSON POST.
	URL string
	// Secret keys the HMAC-SHA256 signature of each request.
	Secret []byte
	// Timeout bounds one request when Client is nil. Default 30s.
	Timeout time.Duration
	// Client sends the requests; nil means a client with Timeout that
	// does not follow redirects.
	Client *http.Client
	// Now stamps requests and events; nil means time.Now. Tests advance it
	// instead of sleeping for a new timestamp.
	Now func() time.Time
}

// Bus gives the sink the items of events and lets it announce its work.
type Bus interface {
	Item(ctx context.Context, ev *syndicator.Event) (*syndicator.Item, error)
	Publish(ctx context.Context, ev *syndicator.Event) (duplicate bool, err error)
}

// Records is KV synd_webhook; UpdateState is a compare-and-set, so that a
// validity change and a new revision handled at once both stay recorded.
type Records interface {
	GetState(ctx context.Context, bucket, key string, v any) (bool, error)
	UpdateState(ctx context.Context, bucket, key string, v any, change func(found bool) (bool, error)) error
}

// Record is what the CMS has accepted for one item id.
type Record struct {
	// Revision is the latest revision the CMS accepted (create or update).
	Revision int  `json:"revision"`
	Created  bool `json:"created"`
	// CMSID and URL are the CMS's own id and public URL, when it said.
	CMSID string `json:"cms_id,omitempty"`
	URL   string `json:"url,omitempty"`
	// Validity is the last validity the CMS was given, with the id of the
	// decision it rests on.
	Validity syndicator.Validity `json:"validity,omitempty"`
	BasisID  string              `json:"basis_id,omitempty"`
	// Digest is the sha256 of the last create/update body the CMS
	// accepted: the evidence of what was republished.
	Digest string `json:"digest,omitempty"`
	// Withdrawn is set once the CMS accepted a withdrawal.
	Withdrawn bool      `json:"withdrawn,omitempty"`
	At        time.Time `json:"at"`
}

// Location is where the published event says the copy went.
func (r *Record) Location() string {
	if r.URL != "" {
		return r.URL
	}
	return r.CMSID
}

// Sink sends decided items to the CMS.
type Sink struct {
	opts    Options
	client  *http.Client
	bus     Bus
	records Records
	log     zerolog.Logger
	now     func() time.Time
}

// New returns the webhook sink; it does no I/O.
func New(opts Options, bus Bus, records Records, log zerolog.Logger) *Sink {
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	client := opts.Client
	if client == nil {
		client = &http.Client{Timeout: opts.Timeout, CheckRedirect: noRedirect}
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &Sink{
		opts: opts, client: client, bus: bus, records: records,
		log: log.With().Str("sink", Name).Logger(),
		now: func() time.Time { return now().UTC() },
	}
}

// Handle applies one event. It is idempotent: a revision already accepted
// only repeats the published event (which JetStream deduplicates), an
// older revision than the one accepted is ignored, and a validity change
// or withdrawal already accepted is a no-op. A decision not to publish is
// ignored, also for an item already sent: only a withdrawal takes it down.
func (s *Sink) Handle(ctx context.Context, ev *syndicator.Event, attempt int) error {
	if s.opts.URL == "" {
		return syndicator.Permanent(errors.New("webhook: no url configured"))
	}
	switch ev.Kind {
	case syndicator.KindDecided:
		if ev.Decision == nil || !ev.Decision.Publish {
			return nil
		}
		return s.publish(ctx, ev, attempt)
	case syndicator.KindValidity:
		if ev.Validity == nil || ev.Validity.Gone {
			return nil // a disappeared source page waits for an operator
		}
		return s.changeValidity(ctx, ev, attempt)
	case syndicator.KindWithdrawn:
		return s.withdraw(ctx, ev, attempt)
	}
	return nil
}

func (s *Sink) publish(ctx context.Context, ev *syndicator.Event, attempt int) error {
	var rec Record
	found, err := s.records.GetState(ctx, Bucket, ev.ID, &rec)
	if err != nil {
		return err
	}
	if found && rec.Revision == ev.Revision {
		return s.announce(ctx, ev, rec.Location(), rec.Digest)
	}
	if found && rec.Revision > ev.Revision {
		s.log.Debug().Str("item_id", ev.ID).Int("revision", ev.Revision).Int("accepted", rec.Revision).Msg("older revision ignored")
		return nil
	}
	it, err := s.bus.Item(ctx, ev)
	if err != nil {
		return err
	}
	item := *it // the bus may share it; the column is the decider's
	if ev.Decision.Column != "" {
		item.Column = ev.Decision.Column
	}
	if found && rec.BasisID != "" && item.Validity == syndicator.ValidityEffective {
		// A repeal the CMS was told of outlives a revision of the page that
		// still says 有效, as on the site.
		item.Validity = rec.Validity
	}
	r := &Request{
		Op: OpCreate, ID: ev.ID, Revision: ev.Revision, Source: ev.Source,
		Item: &item, Column: item.Column, SentAt: ev.At.UTC(),
	}
	if found {
		r.Op = OpUpdate
	}
	resp, err := s.send(ctx, r)
	if err != nil {
		return err
	}
	err = s.records.UpdateState(ctx, Bucket, ev.ID, &rec, func(found bool) (bool, error) {
		if found && rec.Revision > ev.Revision {
			return false, nil // a newer revision was accepted meanwhile
		}
		rec.Revision, rec.Created, rec.Withdrawn, rec.At = ev.Revision, true, false, ev.At.UTC()
		rec.Digest = r.digest()
		if resp.ID != "" {
			rec.CMSID = resp.ID
		}
		if resp.URL != "" {
			rec.URL = resp.URL
		}
		if item.Validity != rec.Validity {
			rec.Validity, rec.BasisID = item.Validity, ""
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	s.log.Info().Str("item_id", ev.ID).Str("source", ev.Source).Int("revision", ev.Revision).
		Int("attempt", attempt).Str("op", r.Op).Str("cms_id", rec.CMSID).Msg("sent to the CMS")
	return s.announce(ctx, ev, rec.Location(), rec.Digest)
}

func (s *Sink) announce(ctx context.Context, ev *syndicator.Event, loc, digest string) error {
	_, err := s.bus.Publish(ctx, &syndicator.Event{
		Kind: syndicator.KindPublished, Sink: Name, ID: ev.ID, Revision: ev.Revision,
		Source: ev.Source, At: s.now(), Location: loc, Digest: digest,
	})
	return err
}

// changeValidity tells the CMS a new 有效性 of an article it has.
func (s *Sink) changeValidity(ctx context.Context, ev *syndicator.Event, attempt int) error {
	ch := *ev.Validity
	var rec Record
	found, err := s.records.GetState(ctx, Bucket, ev.ID, &rec)
	if err != nil || !found || !rec.Created {
		return err // never sent: the CMS has nothing to change
	}
	if rec.Validity == ch.To && rec.BasisID == ch.BasisID {
		return nil
	}
	r := &Request{Op: OpValidity, ID: ev.ID, Revision: ev.Revision, Source: ev.Source, Validity: &ch, SentAt: ev.At.UTC()}
	if _, err := s.send(ctx, r); err != nil {
		return err
	}
	err = s.records.UpdateState(ctx, Bucket, ev.ID, &rec, func(bool) (bool, error) {
		rec.Validity, rec.BasisID = ch.To, ch.BasisID
		return true, nil
	})
	if err == nil {
		s.log.Info().Str("item_id", ev.ID).Str("source", ev.Source).Int("attempt", attempt).
			Str("validity", string(ch.To)).Msg("validity sent to the CMS")
	}
	return err
}

// withdraw asks the CMS to take an article down.
func (s *Sink) withdraw(ctx context.Context, ev *syndicator.Event, attempt int) error {
	var rec Record
	found, err := s.records.GetState(ctx, Bucket, ev.ID, &rec)
	if err != nil || !found || !rec.Created || rec.Withdrawn {
		return err
	}
	rev := ev.Revision
	if rev == 0 {
		rev = rec.Revision
	}
	r := &Request{Op: OpWithdraw, ID: ev.ID, Revision: rev, Source: ev.Source, Reason: ev.Reason, SentAt: ev.At.UTC()}
	if _, err := s.send(ctx, r); err != nil {
		return err
	}
	err = s.records.UpdateState(ctx, Bucket, ev.ID, &rec, func(bool) (bool, error) {
		if rec.Revision > rev {
			return false, nil // a later revision was sent meanwhile: it stands
		}
		rec.Withdrawn = true
		return true, nil
	})
	if err == nil {
		s.log.Info().Str("item_id", ev.ID).Str("source", ev.Source).Int("attempt", attempt).Msg("withdrawal sent to the CMS")
	}
	return err
}
