package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/gyeco/syndicator/httpapi"
	"github.com/gyeco/syndicator/syndicator/readmodel"
)

// Server is the serve role's HTTP server, as App.Run holds it.
type Server = httpapi.Server

// server builds the serve role's server from the App. ref may be nil: the
// site and health checks work without NATS, the API then answers 503. The
// server reads NATS through ref, which Run points at each connection in
// turn; index is its read model (with ref only).
func (a *App) server(ref *busRef, index *readmodel.Store) (*Server, error) {
	cfg := a.Config
	// Serving only reads: a missing bucket shows as 503 until the site sink creates it.
	st, _, err := a.store("site", cfg.Site.Backend, cfg.Site.Dir, cfg.Site.S3)
	if err != nil {
		return nil, err
	}
	// The archive, for the console's evidence downloads; read only, like
	// the site: a missing bucket answers 404 until the archive creates it.
	arch, _, err := a.store("archive", cfg.Archive.Backend, cfg.Archive.Dir, cfg.Archive.S3)
	if err != nil {
		return nil, err
	}
	d := httpapi.Deps{
		Config: cfg, Site: st, Archive: arch, ReportNames: a.reportNames(), Now: a.now, DryRun: a.dryRunCrawler,
		VerifyLedger: a.verifyLive, ExportLedger: a.exportLive, Metrics: a.instruments(), Log: a.Log,
	}
	if ref != nil {
		d.Lister, d.Stats, d.JetStream, d.Reviews, d.Streams, d.KV, d.Actions = ref, ref, ref, ref, ref, ref, ref
		d.Connected, d.Index = ref.Connected, index
	}
	return httpapi.New(d)
}

// verifyLive is `audit verify` of the live ledger for the console: what it
// printed, and whether it passed.
func (a *App) verifyLive(ctx context.Context) (string, bool) {
	var out bytes.Buffer
	code := a.AuditVerify(ctx, "", false, &out, &out)
	return out.String(), code == 0
}

// exportLive is `audit export` for the console's ledger download.
func (a *App) exportLive(ctx context.Context, w io.Writer, from, to time.Time) error {
	var msg bytes.Buffer
	if code := a.AuditExport(ctx, from, to, w, &msg); code != 0 {
		return fmt.Errorf("ledger export: %s", bytes.TrimSpace(msg.Bytes()))
	}
	return nil
}
