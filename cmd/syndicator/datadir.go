package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// lockFileName is the file in data_dir (and in nats.store_dir when that
// lies outside data_dir) whose exclusive lock makes one process at a time
// the owner of the embedded NATS store: `run`, or a one-off command that
// opens the store itself because no `run` is there. It holds the owner's
// lockInfo, so another process can name it and join its NATS server. The
// lock is the kernel's (flock): a killed owner releases it.
const lockFileName = "LOCK"

// lockInfo is what the owner of a data_dir writes in its lock file.
type lockInfo struct {
	PID     int       `json:"pid"`
	Command string    `json:"command"`
	Started time.Time `json:"started"`
	// HTTP is the owner's http.listen, when it serves.
	HTTP string `json:"http_listen,omitempty"`
	// NATSURL is the owner's embedded NATS server, once it listens.
	NATSURL string `json:"nats_url,omitempty"`
}

// dataLock is this process's hold on its data directories.
type dataLock struct {
	files []*os.File
	info  lockInfo
}

// errLocked is what tryLock returns when another process holds the lock.
var errLocked = errors.New("locked by another process")

// lockedError says that another process owns dir.
type lockedError struct {
	dir    string
	holder lockInfo // zero when its lock file could not be read
}

func (e *lockedError) Error() string {
	return fmt.Sprintf("数据目录 %s 正被另一个 syndicator 进程使用（%s）：同一数据目录同时只能有一个进程打开 NATS 存储。请先停止该进程，或为本进程另配 data_dir",
		e.dir, e.holder.describe())
}

// describe names a lock's holder for a message.
func (h lockInfo) describe() string {
	if h.PID == 0 {
		return "持有者信息不可读"
	}
	parts := []string{fmt.Sprintf("PID %d", h.PID)}
	if h.Command != "" {
		parts = append(parts, "命令 "+h.Command)
	}
	if !h.Started.IsZero() {
		parts = append(parts, "启动于 "+h.Started.Local().Format("2006-01-02 15:04:05"))
	}
	if h.HTTP != "" {
		parts = append(parts, "HTTP "+h.HTTP)
	}
	if h.NATSURL != "" {
		parts = append(parts, "NATS "+h.NATSURL)
	}
	return strings.Join(parts, "，")
}

// lockDirs takes the lock of every dir, in order, without waiting. create
// makes missing directories; without it a missing one is an error. When
// another process holds one, the error is a *lockedError naming it, and
// nothing is held.
func lockDirs(dirs []string, info lockInfo, create bool) (*dataLock, error) {
	l := &dataLock{info: info}
	for _, dir := range dirs {
		if create {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				l.release()
				return nil, fmt.Errorf("无法创建数据目录 %s：%w", dir, err)
			}
		}
		path := filepath.Join(dir, lockFileName)
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			l.release()
			if errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("数据目录 %s 不存在：%w", dir, err)
			}
			return nil, fmt.Errorf("数据目录 %s 不可写，无法加锁（只读文件系统或权限不足？）：%w", dir, err)
		}
		if err := tryLock(f); err != nil {
			f.Close()
			l.release()
			if errors.Is(err, errLocked) {
				return nil, &lockedError{dir: dir, holder: readLockInfo(path)}
			}
			return nil, fmt.Errorf("无法锁定数据目录 %s：%w", dir, err)
		}
		l.files = append(l.files, f)
	}
	if err := l.write(); err != nil {
		l.release()
		return nil, err
	}
	return l, nil
}

// setNATS records the owner's NATS URL once its server listens.
func (l *dataLock) setNATS(url string) error {
	l.info.NATSURL = url
	return l.write()
}

// write puts the holder's information in every lock file. It is written
// over the old content and then cut to length, so a reader sees either
// whole JSON or something it cannot parse and reads again.
func (l *dataLock) write() error {
	data, err := json.Marshal(l.info)
	if err != nil {
		return fmt.Errorf("encode lock info: %w", err)
	}
	data = append(data, '\n')
	for _, f := range l.files {
		if _, err := f.WriteAt(data, 0); err != nil {
			return fmt.Errorf("写入锁文件 %s：%w", f.Name(), err)
		}
		if err := f.Truncate(int64(len(data))); err != nil {
			return fmt.Errorf("写入锁文件 %s：%w", f.Name(), err)
		}
		if err := f.Sync(); err != nil {
			return fmt.Errorf("写入锁文件 %s：%w", f.Name(), err)
		}
	}
	return nil
}

// release lets the directories go. The lock files stay: removing one
// would let a process that opened it lock a file nobody else sees.
func (l *dataLock) release() {
	if l == nil {
		return
	}
	for _, f := range l.files {
		_ = f.Close() // closing releases the lock
	}
	l.files = nil
}

// readLockInfo reads a holder's information, trying again briefly while
// the holder is rewriting it; zero when it cannot be read.
func readLockInfo(path string) lockInfo {
	for range 10 {
		var info lockInfo
		data, err := os.ReadFile(path)
		if err == nil && json.Unmarshal(data, &info) == nil {
			return info
		}
		time.Sleep(10 * time.Millisecond)
	}
	return lockInfo{}
}

// dataDirs are the directories the owner of the embedded store locks:
// data_dir, and nats.store_dir when it lies outside data_dir.
func (a *App) dataDirs() []string {
	data, store := filepath.Clean(a.Config.DataDir), filepath.Clean(a.Config.NATS.StoreDir)
	dirs := []string{data}
	if !within(store, data) {
		dirs = append(dirs, store)
	}
	return dirs
}

// within reports whether path is dir or lies under it.
func within(path, dir string) bool {
	ap, err1 := filepath.Abs(path)
	ad, err2 := filepath.Abs(dir)
	if err1 != nil || err2 != nil {
		return false
	}
	rel, err := filepath.Rel(ad, ap)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// lockData takes this process's hold on its data directories for command.
func (a *App) lockData(command string, create bool) (*dataLock, error) {
	info := lockInfo{PID: os.Getpid(), Command: command, Started: time.Now().UTC().Truncate(time.Second)}
	if command == "run" {
		info.HTTP = a.Config.HTTP.Listen
	}
	return lockDirs(a.dataDirs(), info, create)
}

// lockPastOneOff takes the lock for command like lockData, waiting while a
// one-off command (audit, backfill) holds it: such a holder opened the
// store only because no run was there, ends soon, and its server goes with
// it, so it is neither failed on nor joined. A *lockedError it returns
// names a run (or a holder that cannot be read); ctx ends the wait.
func (a *App) lockPastOneOff(ctx context.Context, command string, create bool) (*dataLock, error) {
	for waited := false; ; waited = true {
		lock, err := a.lockData(command, create)
		var held *lockedError
		if !errors.As(err, &held) || held.holder.Command == "" || held.holder.Command == "run" {
			return lock, err
		}
		if !waited {
			a.Log.Warn().Str("holder", held.holder.describe()).Msg("data_dir is held by a one-off command; waiting for it to finish")
		}
		if !sleepCtx(ctx, 200*time.Millisecond) {
			return nil, ctx.Err()
		}
	}
}
