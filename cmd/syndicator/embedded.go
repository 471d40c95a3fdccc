package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gyeco/syndicator/syndicator/natsbus"
)

// startEmbedded starts the in-process NATS server of `syndicator run` on
// the configured store and returns its client URL and how to stop it. It
// first takes the lock of data_dir (datadir.go): a second `run` on the
// same data fails here, naming the first, before it touches anything.
func (a *App) startEmbedded(ctx context.Context) (natsURL string, stop func(), err error) {
	cfg := a.Config
	lock, err := a.lockPastOneOff(ctx, "run", true)
	if err != nil {
		return "", nil, err
	}
	emb, err := a.openStore(lock)
	if err != nil {
		lock.release()
		return "", nil, err
	}
	natsURL = emb.ClientURL()
	a.Log.Info().Str("url", natsURL).Str("store", cfg.NATS.StoreDir).Msg("embedded NATS started")
	return natsURL, func() {
		emb.Shutdown()
		lock.release()
	}, nil
}

// openStore starts the embedded server on the store of a data_dir this
// process holds, and records its URL in the lock file.
func (a *App) openStore(lock *dataLock) (*natsbus.Embedded, error) {
	cfg := a.Config
	emb := natsbus.NewEmbedded(natsbus.EmbeddedOptions{StoreDir: cfg.NATS.StoreDir, Port: cfg.NATS.Port, Log: a.Log})
	if err := emb.Start(); err != nil {
		return nil, storeError(cfg.NATS.StoreDir, err)
	}
	if err := lock.setNATS(emb.ClientURL()); err != nil {
		a.Log.Warn().Err(err).Msg("cannot record the embedded NATS URL in the lock file; other commands cannot join this process")
	}
	return emb, nil
}

// storeError explains why the embedded server did not start.
func storeError(dir string, err error) error {
	if errors.Is(err, natsbus.ErrStoreNotWritable) {
		return fmt.Errorf("NATS 存储目录 %s 不可写（只读文件系统、磁盘已满或权限不足？请检查 data_dir 与 nats.store_dir 所在磁盘及其挂载）：%w", dir, err)
	}
	return fmt.Errorf("内置 NATS 无法在存储 %s 上启动：%w", dir, err)
}

// storeExists reports whether dir holds a JetStream store.
func storeExists(dir string) bool {
	fi, err := os.Stat(filepath.Join(dir, "jetstream"))
	return err == nil && fi.IsDir()
}
