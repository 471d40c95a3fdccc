package main

import (
	"context"
	"os"

	"github.com/gyeco/syndicator/syndicator/natsbus"
)

// startEmbedded starts the in-process NATS server of `syndicator run` on
// the configured store and returns its client URL and how to stop it.
func (a *App) startEmbedded(ctx context.Context) (natsURL string, stop func(), err error) {
	cfg := a.Config
	emb := natsbus.NewEmbedded(natsbus.EmbeddedOptions{StoreDir: cfg.NATS.StoreDir, Port: cfg.NATS.Port})
	if err := emb.Start(); err != nil {
		return "", nil, err
	}
	natsURL = emb.ClientURL()
	// One-off commands (backfill) find the running server here.
	urlFile := embeddedURLFile(cfg.NATS.StoreDir)
	if err := os.WriteFile(urlFile, []byte(natsURL+"\n"), 0o600); err != nil {
		a.Log.Warn().Err(err).Msg("cannot record the embedded NATS URL; backfill will need nats.port")
	}
	a.Log.Info().Str("url", natsURL).Str("store", cfg.NATS.StoreDir).Msg("embedded NATS started")
	return natsURL, func() {
		os.Remove(urlFile)
		emb.Shutdown()
	}, nil
}
