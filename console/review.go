package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/decide"
)

// Review is 审核: the queue with why each item waits, and the latest
// decisions with who made them and when.
func (c *Console) Review(w http.ResponseWriter, r *http.Request) {
	if c.d.KV == nil {
		c.fail(w, r, http.StatusServiceUnavailable, "未连接 NATS，无法读取审核队列：请为 serve 配置 nats.url。")
		return
	}
	ctx, cancel := timeout(r)
	defer cancel()
	var pending, decided []decide.Review
	err := c.d.KV.EachState(ctx, syndicator.BucketReview, ">", func(_ string, value []byte) error {
		var e decide.Review
		if err := json.Unmarshal(value, &e); err != nil {
			return err
		}
		if e.State == decide.StatePending {
			pending = append(pending, e)
		} else {
			decided = append(decided, e)
		}
		return nil
	})
	cols := c.d.Live().Columns
	names := map[string]string{}
	for _, col := range cols {
		names[col.ID] = col.Name
	}
	data := map[string]any{"Columns": cols, "ColNames": names}
	if err != nil {
		data["Error"] = "读取审核队列失败：" + err.Error()
	}
	slices.SortFunc(pending, func(a, b decide.Review) int { return a.CreatedAt.Compare(b.CreatedAt) })
	slices.SortFunc(decided, func(a, b decide.Review) int { return b.DecidedAt.Compare(a.DecidedAt) })
	data["Pending"], data["Decided"] = pending, decided[:min(len(decided), 50)]
	c.render(w, r, http.StatusOK, "review", "审核", data)
}

// Decide records one decision or the same decision for the selected
// items: each is recorded (with the signed-in operator as reviewer) and
// announced by the decider, so the ledger holds it.
func (c *Console) Decide(w http.ResponseWriter, r *http.Request) {
	if c.d.Reviews == nil {
		c.fail(w, r, http.StatusServiceUnavailable, "未连接 NATS，无法记录审核决定。")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
	if err := r.ParseForm(); err != nil {
		c.fail(w, r, http.StatusBadRequest, "表单无法读取："+err.Error())
		return
	}
	type one struct {
		key     string
		outcome syndicator.Outcome
	}
	var todo []one
	for _, o := range []syndicator.Outcome{syndicator.OutcomeApproved, syndicator.OutcomeRejected, syndicator.OutcomeKeep, syndicator.OutcomeWithdraw} {
		if k := r.PostFormValue(string(o)); k != "" {
			todo = append(todo, one{k, o})
		}
	}
	bulk := syndicator.Outcome(r.PostFormValue("bulk"))
	if bulk != "" {
		for _, k := range r.PostForm["key"] {
			todo = append(todo, one{k, bulk})
		}
		if len(todo) == 0 {
			c.done(w, r, "/console/review", "没有选中任何条目。")
			return
		}
	}
	if len(todo) == 0 {
		c.fail(w, r, http.StatusBadRequest, "没有指定审核决定。")
		return
	}
	u := userOf(r)
	var ok, failed []string
	for _, t := range todo {
		if !decide.IsReviewKey(t.key) {
			failed = append(failed, t.key+"：编号无效")
			continue
		}
		comment := strings.TrimSpace(r.PostFormValue("comment-" + t.key))
		column := r.PostFormValue("column-" + t.key)
		if bulk != "" {
			comment = strings.TrimSpace(r.PostFormValue("bulk-comment"))
			column = r.PostFormValue("bulk-column")
		}
		if (t.outcome == syndicator.OutcomeRejected || t.outcome == syndicator.OutcomeWithdraw) && comment == "" {
			failed = append(failed, t.key+"：驳回或撤回须填写意见")
			continue
		}
		_, err := c.d.Reviews.Review(r.Context(), t.key, decide.Input{Outcome: t.outcome, Column: column, Comment: comment, Reviewer: u.Name})
		switch {
		case errors.Is(err, decide.ErrNotPending):
			failed = append(failed, t.key+"：已审核，不能重复决定")
		case errors.Is(err, decide.ErrNoEntry):
			failed = append(failed, t.key+"：审核队列中没有该条目")
		case err != nil:
			failed = append(failed, t.key+"："+err.Error())
		default:
			ok = append(ok, t.key)
			c.d.Log.Info().Str("key", t.key).Str("reviewer", u.Name).Str("outcome", string(t.outcome)).Msg("review decided in the console")
		}
	}
	msg := fmt.Sprintf("已记录 %d 个审核决定（%s）。", len(ok), todo[0].outcome.Label())
	if len(failed) > 0 {
		msg += "未完成：" + strings.Join(failed, "；")
	}
	c.done(w, r, "/console/review", msg)
}
