package console

import (
	"net/http"
	"strings"

	"github.com/gyeco/syndicator/crawler"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/readmodel"
)

// Sources is 来源: every source with its health.
func (c *Console) Sources(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := timeout(r)
	defer cancel()
	rows, err := c.sourceRows(ctx)
	data := map[string]any{"Sources": rows, "Now": c.now()}
	if err != nil {
		data["Error"] = "读取来源状态失败：" + err.Error()
	}
	c.render(w, r, http.StatusOK, "sources", "来源", data)
}

// source finds a configured source's row; false (and a 404 page) when
// there is none.
func (c *Console) source(w http.ResponseWriter, r *http.Request) (sourceRow, bool) {
	ctx, cancel := timeout(r)
	defer cancel()
	id := r.PathValue("id")
	rows, err := c.sourceRows(ctx)
	if err != nil {
		c.fail(w, r, http.StatusServiceUnavailable, "读取来源状态失败："+err.Error())
		return sourceRow{}, false
	}
	for _, s := range rows {
		if s.ID == id {
			return s, true
		}
	}
	c.fail(w, r, http.StatusNotFound, "没有来源 "+id+"：它不在当前配置中。")
	return sourceRow{}, false
}

// Source is one source: health, polling, conditional-GET share, error
// history, and the operator's controls.
func (c *Console) Source(w http.ResponseWriter, r *http.Request) {
	s, ok := c.source(w, r)
	if !ok {
		return
	}
	c.showSource(w, r, s, nil)
}

func (c *Console) showSource(w http.ResponseWriter, r *http.Request, s sourceRow, test *crawler.DryRun) {
	ctx, cancel := timeout(r)
	defer cancel()
	data := map[string]any{"S": s, "Now": c.now(), "Test": test}
	if st := s.State; st != nil && len(st.Validators) > 0 {
		data["Conditional"] = len(st.Validators)
	}
	if c.d.Index != nil {
		hist, err := c.d.Index.HealthHistory(ctx, s.ID, 20)
		if err != nil {
			data["Error"] = err.Error()
		}
		data["History"] = hist
		page, err := c.d.Index.Search(ctx, readmodel.Query{Source: s.ID, PerPage: 10})
		if err == nil {
			data["Recent"] = page.Items
		}
	}
	c.render(w, r, http.StatusOK, "source", "来源："+s.Name, data)
}

// TestSource runs the dry run (`source test`) and shows its table.
func (c *Console) TestSource(w http.ResponseWriter, r *http.Request) {
	s, ok := c.source(w, r)
	if !ok {
		return
	}
	if c.d.Test == nil {
		c.fail(w, r, http.StatusServiceUnavailable, "此进程不能试抓来源。")
		return
	}
	select {
	case c.tests <- struct{}{}:
		defer func() { <-c.tests }()
	default:
		c.fail(w, r, http.StatusTooManyRequests, "已有试抓正在进行，请稍候再试。")
		return
	}
	d, err := c.d.Test(r.Context(), s.ID)
	if err != nil {
		c.fail(w, r, http.StatusBadGateway, "试抓失败："+err.Error())
		return
	}
	c.showSource(w, r, s, d)
}

// PollSource asks the crawler holding the source to poll it now.
func (c *Console) PollSource(w http.ResponseWriter, r *http.Request) {
	c.control(w, r, syndicator.ActionPoll)
}

// PauseSource stops polling a source until resumed.
func (c *Console) PauseSource(w http.ResponseWriter, r *http.Request) {
	c.control(w, r, syndicator.ActionPause)
}

// ResumeSource polls a paused source again.
func (c *Console) ResumeSource(w http.ResponseWriter, r *http.Request) {
	c.control(w, r, syndicator.ActionResume)
}

// control records an operator's request about a source in synd_control
// (every crawler watches it) and in the ledger.
func (c *Console) control(w http.ResponseWriter, r *http.Request, act syndicator.ActionName) {
	s, ok := c.source(w, r)
	if !ok {
		return
	}
	if c.d.KV == nil || c.d.Bus == nil {
		c.fail(w, r, http.StatusServiceUnavailable, "未连接 NATS，无法控制来源：请为 serve 配置 nats.url。")
		return
	}
	ctx, cancel := timeout(r)
	defer cancel()
	u, now := userOf(r), c.now().UTC()
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	sc := s.Control
	var msg string
	switch act {
	case syndicator.ActionPause:
		sc.Paused, sc.PausedBy, sc.PausedAt, sc.Reason = true, u.Name, now, reason
		msg = "已暂停来源 " + s.Name + "：不再定时抓取，直到恢复。"
	case syndicator.ActionResume:
		sc.Paused, sc.PausedBy, sc.PausedAt, sc.Reason = false, "", now, ""
		msg = "已恢复来源 " + s.Name + "：立即开始抓取。"
	case syndicator.ActionPoll:
		sc.PollAt, sc.PollBy = now, u.Name
		msg = "已请求立即抓取 " + s.Name + "：持有该来源租约的抓取进程马上开始，结果稍后显示在本页。"
	}
	// The ledger first: a change nobody can account for must not happen.
	ev := syndicator.NewActionEvent(syndicator.Action{Name: act, Actor: u.Name, Role: u.Role, Reason: reason}, "", s.ID, now)
	if _, err := c.d.Bus.Publish(ctx, ev); err != nil {
		c.fail(w, r, http.StatusServiceUnavailable, "记录操作失败，未执行，请重试："+err.Error())
		return
	}
	if err := c.d.KV.PutState(ctx, syndicator.BucketControl, s.ID, &sc); err != nil {
		c.fail(w, r, http.StatusServiceUnavailable, "操作已记入账本但未生效，请重试："+err.Error())
		return
	}
	c.d.Log.Info().Str("user", u.Name).Str("source", s.ID).Str("action", string(act)).Msg("source control changed")
	c.done(w, r, "/console/sources/"+s.ID, msg)
}
