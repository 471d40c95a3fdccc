package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/console"
	"github.com/gyeco/syndicator/crawler"
	"github.com/gyeco/syndicator/sinks/archive"
	"github.com/gyeco/syndicator/sinks/site"
	"github.com/gyeco/syndicator/sinks/webhook"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/audit"
	"github.com/gyeco/syndicator/syndicator/decide"
	"github.com/gyeco/syndicator/syndicator/natsbus"
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
	if s.bus != nil {
		d.KV, d.Bus, d.Backlog, d.Reviews = s.bus, s.bus, s.bus, s.bus
		d.Followers = s.followers
	}
	if s.index != nil && s.streams != nil {
		d.Current = func(ctx context.Context) error {
			for _, stream := range []string{natsbus.StreamEvents, natsbus.StreamAudit, natsbus.StreamDead} {
				if err := s.current(ctx, stream); err != nil {
					return err
				}
			}
			return nil
		}
		d.Audit = consoleAudit{s}
	}
	if a := s.app; a != nil {
		d.Now = a.now
		if a.Config != nil {
			d.Policy = a.current().AuditPolicy()
			cal, err := a.current().AuditCalendar()
			if err != nil {
				return nil, err
			}
			d.Calendar = cal
			d.Settings = func() []console.Setting {
				var out []console.Setting
				for _, st := range a.current().Settings() {
					out = append(out, console.Setting(st))
				}
				return out
			}
			d.Test = func(ctx context.Context, id string) (*crawler.DryRun, error) {
				return s.testSource(ctx, id)
			}
		}
		d.Reload = s.reloader
	}
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
	c, err := s.app.dryRunCrawler(*src)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	return c.Test(ctx, 5), nil
}

// consoleAudit is the audit as the console reads it: reports and
// timelines from the read model, verify and export over NATS.
type consoleAudit struct{ s *Server }

func (c consoleAudit) Report(ctx context.Context, from, to time.Time) (audit.Report, error) {
	return c.s.indexedReport(ctx, from, to)
}

func (c consoleAudit) Render(r audit.Report, format string) ([]byte, string, error) {
	return renderReport(c.s.reports, r, format, c.s.app.reportNames())
}

func (c consoleAudit) Timeline(ctx context.Context, id string) (*audit.Timeline, error) {
	return c.s.indexedTimeline(ctx, id)
}

func (c consoleAudit) Verify(ctx context.Context) (string, bool) {
	var out bytes.Buffer
	code := c.s.app.AuditVerify(ctx, "", false, &out, &out)
	return out.String(), code == 0
}

func (c consoleAudit) Export(ctx context.Context, w io.Writer, from, to time.Time) error {
	var msg bytes.Buffer
	if code := c.s.app.AuditExport(ctx, from, to, w, &msg); code != 0 {
		return fmt.Errorf("ledger export: %s", bytes.TrimSpace(msg.Bytes()))
	}
	return nil
}

// followers is how far the ledger's recorder and this instance's read
// model are behind the streams, in messages (as /metrics reports them).
func (s *Server) followers(ctx context.Context) (map[string]uint64, error) {
	out := map[string]uint64{}
	n, err := ledgerBacklog(ctx, s.bus)
	if err != nil {
		return out, err
	}
	out[followerLedger] = n
	if s.index == nil {
		return out, nil
	}
	pos, err := s.index.Positions(ctx)
	if err != nil {
		return out, err
	}
	var total uint64
	for _, stream := range []string{natsbus.StreamEvents, natsbus.StreamAudit, natsbus.StreamDead} {
		last, err := s.bus.LastSeq(ctx, stream)
		if stream == natsbus.StreamAudit {
			last, err = s.bus.LastSeqOf(ctx, stream, syndicator.SubjectAuditEntry)
		}
		if err != nil {
			return out, err
		}
		total += behind(last, pos[stream])
	}
	out[followerReadModel] = total
	return out, nil
}
