package console

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/natsbus"
	"github.com/gyeco/syndicator/syndicator/readmodel"
)

// Dead is 死信: the messages the sinks gave up on, with their error and
// attempts, and what operators did about each.
func (c *Console) Dead(w http.ResponseWriter, r *http.Request) {
	if c.d.Index == nil {
		c.fail(w, r, http.StatusServiceUnavailable, "未连接 NATS：死信需要为 serve 配置 nats.url。")
		return
	}
	ctx, cancel := timeout(r)
	defer cancel()
	data := map[string]any{}
	if c.d.Current != nil {
		if err := c.d.Current(ctx); err != nil {
			data["Error"] = "只读模型尚未跟上事件流，列表可能略旧。"
		}
	}
	open := r.URL.Query().Get("all") == ""
	list, err := c.d.Index.DeadLetters(ctx, open, 500)
	if err != nil {
		data["Error"] = err.Error()
	}
	data["Dead"], data["OpenOnly"] = list, open
	c.render(w, r, http.StatusOK, "dead", "死信", data)
}

// RetryDead hands one dead letter back to its consumer.
func (c *Console) RetryDead(w http.ResponseWriter, r *http.Request) {
	seq, err := strconv.ParseUint(r.PathValue("seq"), 10, 64)
	if err != nil {
		c.fail(w, r, http.StatusBadRequest, "死信序号无效。")
		return
	}
	if err := c.retry(r, seq); err != nil {
		c.fail(w, r, http.StatusServiceUnavailable, err.Error())
		return
	}
	c.done(w, r, "/console/dead", fmt.Sprintf("已重投死信 %d：消息交回原消费者处理，结果见条目时间线或新的死信。", seq))
}

// RetryAllDead hands every open dead letter back.
func (c *Console) RetryAllDead(w http.ResponseWriter, r *http.Request) {
	if c.d.Index == nil {
		c.fail(w, r, http.StatusServiceUnavailable, "未连接 NATS。")
		return
	}
	list, err := c.d.Index.DeadLetters(r.Context(), true, 1000)
	if err != nil {
		c.fail(w, r, http.StatusServiceUnavailable, err.Error())
		return
	}
	var failed []string
	for _, d := range list {
		if err := c.retry(r, d.Seq); err != nil {
			failed = append(failed, err.Error())
		}
	}
	msg := fmt.Sprintf("已重投 %d 条死信。", len(list)-len(failed))
	if len(failed) > 0 {
		msg += "失败：" + strings.Join(failed, "；")
	}
	c.done(w, r, "/console/dead", msg)
}

// retry hands the record at seq back and records it. The hand-back goes
// first, under a message id fixed by the record and the retries before
// it: if recording fails, the operator's next try repeats a no-op
// hand-back and records it then.
func (c *Console) retry(r *http.Request, seq uint64) error {
	if c.d.Bus == nil || c.d.Index == nil {
		return errors.New("未连接 NATS，无法重投死信")
	}
	ctx, cancel := timeout(r)
	defer cancel()
	d, err := c.d.Bus.DeadLetter(ctx, seq)
	if errors.Is(err, natsbus.ErrNoDeadLetter) {
		return fmt.Errorf("死信 %d 不存在（可能已过期删除）", seq)
	}
	if err != nil {
		return fmt.Errorf("读取死信 %d 失败：%w", seq, err)
	}
	prior, err := c.d.Index.LastDeadAction(ctx, seq, d.Consumer)
	if err != nil {
		return err
	}
	if err := c.d.Bus.Retry(ctx, d, fmt.Sprintf("retry.%s.%d.%d", d.Consumer, seq, prior)); err != nil {
		return fmt.Errorf("重投死信 %d 失败，请重试：%w", seq, err)
	}
	id, source := eventOf(d)
	u := userOf(r)
	ev := syndicator.NewActionEvent(syndicator.Action{Name: syndicator.ActionRetry, Actor: u.Name, Role: u.Role, Consumer: d.Consumer, DeadSeq: seq}, id, source, c.now())
	if _, err := c.d.Bus.Publish(ctx, ev); err != nil {
		return fmt.Errorf("死信 %d 已重投，但记入账本失败：请再点一次重试以补记：%w", seq, err)
	}
	c.d.Log.Info().Str("user", u.Name).Uint64("dead_seq", seq).Str("consumer", d.Consumer).Msg("dead letter retried")
	return nil
}

// eventOf is the item and source of a dead letter's event.
func eventOf(d *natsbus.DeadLetter) (id, source string) {
	if id, source, _, err := readmodel.DeadEvent(d.Data); err == nil && syndicator.IsItemID(id) {
		return id, source
	}
	return "", ""
}

// DiscardDead gives a dead letter up for good, with the operator's reason.
func (c *Console) DiscardDead(w http.ResponseWriter, r *http.Request) {
	seq, err := strconv.ParseUint(r.PathValue("seq"), 10, 64)
	if err != nil {
		c.fail(w, r, http.StatusBadRequest, "死信序号无效。")
		return
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if reason == "" {
		c.fail(w, r, http.StatusBadRequest, "丢弃死信须填写原因。")
		return
	}
	if c.d.Bus == nil {
		c.fail(w, r, http.StatusServiceUnavailable, "未连接 NATS，无法丢弃死信。")
		return
	}
	ctx, cancel := timeout(r)
	defer cancel()
	d, err := c.d.Bus.DeadLetter(ctx, seq)
	if err != nil {
		c.fail(w, r, http.StatusNotFound, fmt.Sprintf("读取死信 %d 失败：%v", seq, err))
		return
	}
	id, source := eventOf(d)
	u := userOf(r)
	ev := syndicator.NewActionEvent(syndicator.Action{Name: syndicator.ActionDiscard, Actor: u.Name, Role: u.Role, Consumer: d.Consumer, DeadSeq: seq, Reason: reason}, id, source, c.now())
	if _, err := c.d.Bus.Publish(ctx, ev); err != nil {
		c.fail(w, r, http.StatusServiceUnavailable, "记入账本失败，未丢弃，请重试："+err.Error())
		return
	}
	c.d.Log.Info().Str("user", u.Name).Uint64("dead_seq", seq).Msg("dead letter discarded")
	c.done(w, r, "/console/dead", fmt.Sprintf("已丢弃死信 %d，原因已记入账本。", seq))
}
