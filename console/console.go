// Package console is the operators' and auditors' web console at
// /console/: server-rendered pages in Simplified Chinese over the read
// model, with sign-in by token, roles, CSRF protection, and every change
// an operator makes recorded in the audit ledger with the actor. Reading
// works without JavaScript; the one script (keyboard shortcuts of the
// review queue) is served from 'self'.
package console

import (
	"context"
	"embed"
	"html/template"
	"io"
	"net/http"
	"time"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/crawler"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/audit"
	"github.com/gyeco/syndicator/syndicator/decide"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/readmodel"
	"github.com/rs/zerolog"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Live is the configuration in force (a reload replaces it).
type Live struct {
	Sources []config.Source
	Columns []config.Column
	Tokens  []config.Token
}

// KV reads and writes the NATS KV state the console shows and changes
// (natsbus.Bus).
type KV interface {
	PutState(ctx context.Context, bucket, key string, v any) error
	EachState(ctx context.Context, bucket, pattern string, fn func(key string, value []byte) error) error
}

// Bus publishes the operators' actions and hands dead letters back
// (natsbus.Bus).
type Bus interface {
	Publish(ctx context.Context, ev *syndicator.Event) (duplicate bool, err error)
	DeadLetter(ctx context.Context, seq uint64) (*natsbus.DeadLetter, error)
	Retry(ctx context.Context, d *natsbus.DeadLetter, msgID string) error
}

// Backlog reads the consumers' backlog (natsbus.Bus).
type Backlog interface {
	Stats(ctx context.Context, consumers ...string) (natsbus.Stats, error)
}

// Reviewer records review decisions (decide.Decider).
type Reviewer interface {
	Review(ctx context.Context, key string, in decide.Input) (*decide.Review, error)
}

// Auditor builds and exports the audit (httpapi, over the read model).
type Auditor interface {
	Report(ctx context.Context, from, to time.Time) (audit.Report, error)
	Render(r audit.Report, format string) (data []byte, contentType string, err error)
	Timeline(ctx context.Context, id string) (*audit.Timeline, error)
	// Verify checks the live ledger against the anchors; ok is false when
	// it fails, text says what it found either way.
	Verify(ctx context.Context) (text string, ok bool)
	Export(ctx context.Context, w io.Writer, from, to time.Time) error
}

// Deps are the parts the console reads and changes. Nil Bus, KV, Backlog
// or Reviews (serve without NATS) make the pages say so.
type Deps struct {
	Index   *readmodel.Store
	Live    func() Live
	KV      KV
	Bus     Bus
	Backlog Backlog
	Reviews Reviewer
	Audit   Auditor
	// Current waits until the read model has caught up with the streams.
	Current func(ctx context.Context) error
	// Test runs the dry run of a source (`source test`).
	Test func(ctx context.Context, id string) (*crawler.DryRun, error)
	// Reload reloads the configuration of this process; nil: cannot.
	Reload func(ctx context.Context, actor string) (string, error)
	// Archive is the archive, for evidence downloads; IsNotFound tells its
	// missing-object error. Nil: no downloads.
	Archive    Archive
	IsNotFound func(error) bool
	// Settings is the effective configuration, redacted, with where each
	// value came from.
	Settings func() []Setting
	// Consumers are the durable consumers whose backlog the overview shows.
	Consumers []string
	// Followers reads how far the streams' ordered followers (the ledger's
	// recorder, this instance's read model) are behind, by name.
	Followers func(ctx context.Context) (map[string]uint64, error)
	Policy    audit.Policy
	Calendar  audit.Calendar
	Sessions  SessionPolicy
	Now       func() time.Time
	Log       zerolog.Logger
}

// Setting is one effective configuration value.
type Setting struct {
	Key, Value, Origin string
}

// Console serves the console's pages. Build it with New.
type Console struct {
	d     Deps
	pages map[string]*template.Template
	ses   *sessions
	// tests bounds the dry runs running at once: each fetches from a
	// source site, which no number of clicks may turn into a flood.
	tests chan struct{}
}

// maxTests is how many dry runs (立即测试) may run at once.
const maxTests = 2

// New returns the console; it parses its templates and does no I/O.
func New(d Deps) (*Console, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	return &Console{d: d, pages: pages, ses: newSessions(d.Sessions, d.Now), tests: make(chan struct{}, maxTests)}, nil
}

// Static serves the style sheet and the script.
func (c *Console) Static(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.StripPrefix("/console/", http.FileServerFS(staticFS)).ServeHTTP(w, r)
}

func (c *Console) now() time.Time { return c.d.Now() }

// timeout bounds one page's reads.
func timeout(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), 15*time.Second)
}
