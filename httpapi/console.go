package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/console"
	"github.com/gyeco/syndicator/crawler"
	"github.com/gyeco/syndicator/sinks/archive"
	"github.com/gyeco/syndicator/sinks/site"
	"github.com/gyeco/syndicator/sinks/webhook"
	"github.com/gyeco/syndicator/syndicator/audit"
	"github.com/gyeco/syndicator/syndicator/audit/report"
	"github.com/gyeco/syndicator/syndicator/decide"
)

// newConsole builds the console over the server's parts; what the server
// lacks (no NATS, no read model) the console's pages say is missing.
func (s *Server) newConsole() (*console.Console, error) {
	d := console.Deps{
		Index: s.index,
		Live: func() console.Live {
			sources, tokens, _ := s.live()
			s.cfgMu.RLock()
			cols := s.colDefs
			s.cfgMu.RUnlock()
			return console.Live{Sources: sources, Columns: cols, Tokens: tokens}
		},
		Consumers: []string{decide.Name, archive.Name, site.Name, webhook.Name},
		Log:       s.log.With().Str("component", "console").Logger(),
	}
	if s.archive != nil {
		d.Archive, d.IsNotFound = s.archive, isNotFound
	}
	if s.kv != nil {
		d.KV, d.Bus, d.Backlog, d.Reviews = s.kv, s.actions, s.stats, s.reviews
		if s.heads != nil {
			d.Followers = s.followers
		}
	}
	if s.index != nil && s.streams != nil {
		d.Current = func(ctx context.Context) error {
			for _, stream := range projectedStreams {
				if err := s.current(ctx, stream); err != nil {
					return err
				}
			}
			return nil
		}
		d.Audit = consoleAudit{s}
	}
	if s.now != nil {
		d.Now = s.now
	}
	if s.started != nil {
		d.Policy = s.started.AuditPolicy()
		cal, err := s.started.AuditCalendar()
		if err != nil {
			return nil, err
		}
		d.Calendar = cal
		d.Settings = func() []console.Setting {
			s.cfgMu.RLock()
			cfg := s.cfg
			s.cfgMu.RUnlock()
			if cfg == nil {
				return nil
			}
			var out []console.Setting
			for _, st := range cfg.Settings() {
				out = append(out, console.Setting(st))
			}
			return out
		}
	}
	if s.dryRun != nil {
		d.Test = s.testSource
	}
	d.Reload = s.reloader
	return console.New(d)
}

// testSource is `source test ID` for the console: the dry run of the
// live configuration's source, five detail pages.
func (s *Server) testSource(ctx context.Context, id string) (*crawler.DryRun, error) {
	sources, _, _ := s.live()
	var src *config.Source
	for i := range sources {
		if sources[i].ID == id {
			src = &sources[i]
		}
	}
	if src == nil {
		return nil, fmt.Errorf("未知来源 %q", id)
	}
	c, err := s.dryRun(*src)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	return c.Test(ctx, 5), nil
}

// consoleAudit is the audit as the console reads it: reports and
// timelines from the read model, verify and export of the live ledger.
type consoleAudit struct{ s *Server }

func (c consoleAudit) Report(ctx context.Context, from, to time.Time) (audit.Report, error) {
	return c.s.indexedReport(ctx, from, to)
}

func (c consoleAudit) Render(r audit.Report, format string) ([]byte, string, error) {
	return report.Render(c.s.reports, r, format, c.s.names)
}

func (c consoleAudit) Timeline(ctx context.Context, id string) (*audit.Timeline, error) {
	return c.s.indexedTimeline(ctx, id)
}

func (c consoleAudit) Verify(ctx context.Context) (string, bool) {
	if c.s.verify == nil {
		return "本进程无法校验账本", false
	}
	return c.s.verify(ctx)
}

func (c consoleAudit) Export(ctx context.Context, w io.Writer, from, to time.Time) error {
	if c.s.export == nil {
		return errors.New("ledger export: not available in this process")
	}
	return c.s.export(ctx, w, from, to)
}

// followers is how far the ledger's recorder and this instance's read
// model are behind the streams, in messages (as /metrics reports them).
func (s *Server) followers(ctx context.Context) (map[string]uint64, error) {
	out := map[string]uint64{}
	n, err := ledgerBacklog(ctx, s.heads)
	if err != nil {
		return out, err
	}
	out[followerLedger] = n
	if s.index == nil {
		return out, nil
	}
	lags, err := s.readModelLags(ctx, s.heads)
	if err != nil {
		return out, err
	}
	var total uint64
	for _, n := range lags {
		total += n
	}
	out[followerReadModel] = total
	return out, nil
}
