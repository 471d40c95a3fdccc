package crawler

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/gyeco/syndicator/syndicator"
)

// Health states of a source.
const (
	HealthOK       = "ok"
	HealthDegraded = "degraded"
	HealthFailing  = "failing"
)

// SourceState is a source's crawl state in KV synd_sources. It tells
// "nothing was published" (ok, zero new) apart from "we could not look"
// (failing).
type SourceState struct {
	Source     string    `json:"source"`
	State      string    `json:"state"`
	Reason     string    `json:"reason,omitempty"`
	LastPoll   time.Time `json:"last_poll"`
	LastOK     time.Time `json:"last_ok,omitempty"`
	Listed     int       `json:"listed"`
	New        int       `json:"new"`
	Failed     int       `json:"failed"`
	EverListed bool      `json:"ever_listed"`
	// Retry holds items that failed and are tried again next poll.
	Retry []RetryEntry `json:"retry,omitempty"`
	// Unchanged counts list URLs that answered 304 at the last poll.
	Unchanged int `json:"unchanged,omitempty"`
	// Validators are the list pages' ETag / Last-Modified for conditional GET.
	Validators map[string]Validator `json:"validators,omitempty"`
	// Recent are the items re-read for revisions, newest first.
	Recent []RecentItem `json:"recent,omitempty"`
	// Baseline is the source's baseline: pending until its first
	// successful poll, then taken. Nil only in states written before
	// baselines existed.
	Baseline *Baseline `json:"baseline,omitempty"`
}

func (c *Crawler) recordHealth(ctx context.Context, prev SourceState, res PollResult, retry []RetryEntry) {
	st := SourceState{
		Source: c.src.ID, LastPoll: c.now(), LastOK: prev.LastOK,
		Listed: res.Listed, New: res.New, Failed: res.Failed, EverListed: prev.EverListed || res.Listed > 0,
		Retry: retry, Unchanged: res.Unchanged, Validators: res.validators, Recent: res.recent,
		Baseline: res.baseline,
	}
	switch {
	case res.Err != nil:
		st.State, st.Reason = HealthFailing, "列表无法读取: "+res.Err.Error()
	case res.Listed == 0 && res.Unchanged > 0 && res.emptyWhy == "":
		// Every list answered 304: nothing changed, nothing to say.
		st.State = HealthOK
		st.LastOK = st.LastPoll
	case res.Listed == 0 && prev.EverListed:
		st.State, st.Reason = HealthDegraded, "列表页曾有条目，本次解析为零条（网站可能改版）："+res.emptyWhy
	case res.Listed == 0 && res.emptyWhy != "":
		st.State, st.Reason = HealthDegraded, "列表页未解析出任何条目，请用 source test 检查列表规则："+res.emptyWhy
	case res.listFallback != "":
		st.State, st.Reason = HealthDegraded, "列表规则已读不出条目（网站可能改版），列表改由通用识别（带日期的链接行）读取，条目照常发现：请用 source test 检查 list 规则："+res.listFallback
	case res.missing > 0 && float64(res.missing) > c.missingShare*float64(res.tried):
		st.State, st.Reason = HealthDegraded, fmt.Sprintf("%d/%d 条详情页缺少必填字段 %s（未匹配的选择器：%s）：请检查 detail 规则",
			res.missing, res.tried, strings.Join(res.fields, "、"), strings.Join(res.selector, "、"))
	case res.fallback > 0:
		st.State, st.Reason = HealthDegraded, fmt.Sprintf("%d 条详情页上来源的选择器已不匹配（%s），正文或元数据改由通用识别读取并已照常发布（extracted_by: fallback）：网站可能改版，请用 source test 检查 detail 规则",
			res.fallback, strings.Join(res.selector, "、"))
	case res.GivenUp > 0:
		st.State, st.Reason = HealthDegraded, fmt.Sprintf("%d 条详情页连续 %d 次读取失败，已放弃：请检查来源或详情选择器", res.GivenUp, maxAttempts)
	case res.Failed > res.missing:
		st.State, st.Reason = HealthDegraded, fmt.Sprintf("%d 条详情页读取失败，将在下次轮询重试（例：%s）", res.Failed-res.missing, res.example)
	default:
		st.State = HealthOK
		st.LastOK = st.LastPoll
	}
	c.saveState(ctx, &st)
	if st.State == prev.State && st.Reason == prev.Reason {
		return
	}
	h := &syndicator.HealthEvent{Source: c.src.ID, State: st.State, Reason: st.Reason, At: st.LastPoll}
	if err := c.pub.PublishHealth(ctx, h); err != nil {
		c.log.Warn().Err(err).Msg("cannot publish health change")
		return
	}
	c.log.Info().Str("state", st.State).Str("reason", st.Reason).Msg("source health changed")
}

// lastPollEvery is how stale the recorded LastPoll (and LastOK) of a
// source whose state did not otherwise change may grow. An unchanged poll
// (every list 304) writes nothing: each write is an fsync'd page of the
// store. Hourly keeps the example alert "no poll for 3 h" on
// syndicator_source_last_poll_seconds true to its word.
const lastPollEvery = time.Hour

// stateMemo is a source's state as this crawler last read or recorded it.
type stateMemo struct {
	state    SourceState // as of the last poll; LastPoll may be newer than recorded
	recorded SourceState // as in synd_sources
}

func newStateMemo(st SourceState) *stateMemo {
	return &stateMemo{state: st, recorded: st}
}

// sameRecord reports whether a and b differ at most in the fields every
// poll changes (LastPoll, LastOK): whether a poll must be recorded. It
// compares field by field, not by encoding: this runs every poll, and
// encoding the state cost more than the rest of an unchanged poll. A value
// decoded and the same value built anew may compare different (time
// locations): that costs one write, never a lost change.
// TestSameRecordSeesEveryField keeps it in step with SourceState.
func sameRecord(a, b *SourceState) bool {
	return a.Source == b.Source && a.State == b.State && a.Reason == b.Reason &&
		a.Listed == b.Listed && a.New == b.New && a.Failed == b.Failed &&
		a.EverListed == b.EverListed && a.Unchanged == b.Unchanged &&
		slices.Equal(a.Retry, b.Retry) && maps.Equal(a.Validators, b.Validators) &&
		slices.Equal(a.Recent, b.Recent) &&
		(a.Baseline == b.Baseline || a.Baseline != nil && b.Baseline != nil && *a.Baseline == *b.Baseline)
}

// saveState records st in synd_sources unless it differs from the state
// recorded only by its poll times, and those are less than lastPollEvery
// newer: validators, recent items, retries, health and baseline are
// recorded as soon as they change.
func (c *Crawler) saveState(ctx context.Context, st *SourceState) {
	if m := c.memo; m != nil && sameRecord(st, &m.recorded) && st.LastPoll.Sub(m.recorded.LastPoll) < lastPollEvery {
		m.state = *st
		c.markPoll(ctx, st)
		return
	}
	if err := c.state.PutState(ctx, syndicator.BucketSources, c.src.ID, st); err != nil {
		c.log.Warn().Err(err).Msg("cannot record source state")
		c.memo = nil // read again next poll
		return
	}
	c.memo = newStateMemo(*st)
}

// PollMark is a source's poll times in KV synd_polls, a bucket held in
// memory: written after every poll that synd_sources does not record, so
// that the console and /metrics show each poll without a write to disk.
type PollMark struct {
	LastPoll time.Time `json:"last_poll"`
	LastOK   time.Time `json:"last_ok,omitzero"`
}

// markPoll writes st's poll times to synd_polls. Losing one costs a
// stale "last poll" on the console, nothing else: a failure is logged at
// debug level only.
func (c *Crawler) markPoll(ctx context.Context, st *SourceState) {
	m := PollMark{LastPoll: st.LastPoll, LastOK: st.LastOK}
	if err := c.state.PutState(ctx, syndicator.BucketPolls, c.src.ID, &m); err != nil {
		c.log.Debug().Err(err).Msg("cannot mark the poll in synd_polls")
	}
}

// Latest moves st's poll times forward to m's where m is newer: the state
// readers (console, API, /metrics) combine the two buckets with it.
func (st *SourceState) Latest(m PollMark) {
	if m.LastPoll.After(st.LastPoll) {
		st.LastPoll = m.LastPoll
	}
	if m.LastOK.After(st.LastOK) {
		st.LastOK = m.LastOK
	}
}
