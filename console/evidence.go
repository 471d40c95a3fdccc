package console

import (
	"context"
	"net/http"
	"path"
	"regexp"
	"strings"
)

// Archive reads the archive's objects (sinks/blob): the originals, WARC
// captures, responses, item.json and attachments auditors download.
type Archive interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

// evidenceKey is an archive key as the archive writes them:
// <source>/<yyyy>/<mm>/<id>/r<n>/<file>, attachments/<sha256>, anchors.
var evidenceKey = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*(/[a-zA-Z0-9][a-zA-Z0-9._-]*){0,8}$`)

// IsEvidenceKey reports whether key can name an archive object.
func IsEvidenceKey(key string) bool {
	return len(key) <= 512 && evidenceKey.MatchString(key) && !strings.Contains(key, "..")
}

// Evidence downloads one archive object. Everything goes out as an
// attachment with a sandboxing CSP: an archived page is someone else's
// HTML and must never run in the console's origin.
func (c *Console) Evidence(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	if c.d.Archive == nil {
		c.fail(w, r, http.StatusServiceUnavailable, "此进程未配置存档，无法下载证据。")
		return
	}
	if !IsEvidenceKey(key) {
		c.fail(w, r, http.StatusBadRequest, "存档对象名无效。")
		return
	}
	ctx, cancel := timeout(r)
	defer cancel()
	data, err := c.d.Archive.Get(ctx, key)
	switch {
	case c.d.IsNotFound != nil && c.d.IsNotFound(err):
		c.fail(w, r, http.StatusNotFound, "存档中没有 "+key+"。")
		return
	case err != nil:
		c.fail(w, r, http.StatusServiceUnavailable, "读取存档失败，请稍后再试："+err.Error())
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", `attachment; filename="`+path.Base(key)+`"`)
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write(data)
	c.d.Log.Info().Str("user", userOf(r).Name).Str("key", key).Msg("evidence downloaded from the console")
}
