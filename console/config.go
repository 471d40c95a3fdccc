package console

import (
	"net/http"
	"strings"
)

// Config is 配置: the effective configuration, secrets redacted, each
// value with where it came from; operators reload the file here.
func (c *Console) Config(w http.ResponseWriter, r *http.Request) {
	var settings []Setting
	if c.d.Settings != nil {
		settings = c.d.Settings()
	}
	c.render(w, r, http.StatusOK, "config", "配置", map[string]any{"Groups": groupSettings(settings), "CanReload": c.d.Reload != nil})
}

// settingGroup is one top-level key's settings.
type settingGroup struct {
	Key      string
	Settings []Setting
	FromFile int // how many the file sets itself
}

// groupSettings groups settings by top-level key, in order.
func groupSettings(all []Setting) []settingGroup {
	var out []settingGroup
	for _, s := range all {
		key := s.Key
		if i := strings.IndexAny(key, ".["); i > 0 {
			key = key[:i]
		}
		if len(out) == 0 || out[len(out)-1].Key != key {
			out = append(out, settingGroup{Key: key})
		}
		g := &out[len(out)-1]
		g.Settings = append(g.Settings, s)
		if !strings.HasPrefix(s.Origin, "默认值") {
			g.FromFile++
		}
	}
	return out
}

// Reload reads the configuration file again after checking it; an
// invalid file changes nothing. The reload (or its refusal) is in the
// ledger with the actor.
func (c *Console) Reload(w http.ResponseWriter, r *http.Request) {
	if c.d.Reload == nil {
		c.fail(w, r, http.StatusServiceUnavailable, "此进程不能重新加载配置（使用内置默认配置启动时没有可重读的文件）。")
		return
	}
	u := userOf(r)
	summary, err := c.d.Reload(r.Context(), u.Name)
	if err != nil {
		c.done(w, r, "/console/config", "配置未重新加载，当前配置不变："+err.Error())
		return
	}
	c.done(w, r, "/console/config", "配置已重新加载："+summary)
}
