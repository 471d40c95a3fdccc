package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/decide"
)

// Reviewer records operators' decisions (decide.Decider).
type Reviewer interface {
	Review(ctx context.Context, itemID string, in decide.Input) (*decide.Review, error)
	Document(ctx context.Context, itemID string) (*decide.Doc, bool, error)
}

// Lister reads every entry of a KV bucket (natsbus.Bus).
type Lister interface {
	EachState(ctx context.Context, bucket, pattern string, fn func(key string, value []byte) error) error
}

func (s *Server) apiReviewList(w http.ResponseWriter, r *http.Request) {
	if s.lister == nil {
		writeJSONError(w, http.StatusServiceUnavailable, "未连接 NATS，无法读取审核队列：请为 serve 配置 nats.url")
		return
	}
	state := syndicator.Outcome(r.URL.Query().Get("state"))
	switch state {
	case "":
		state = decide.StatePending
	case decide.StatePending, "all", syndicator.OutcomeApproved, syndicator.OutcomeRejected, syndicator.OutcomeKeep, syndicator.OutcomeWithdraw:
	default:
		writeJSONError(w, http.StatusBadRequest, "参数 state 无效：可选 pending（待审核，默认）、all、approved、rejected、keep、withdraw")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	out := []decide.Review{}
	err := s.lister.EachState(ctx, syndicator.BucketReview, ">", func(_ string, value []byte) error {
		var e decide.Review
		if err := json.Unmarshal(value, &e); err != nil {
			return err
		}
		if state == "all" || e.State == state {
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		writeJSONError(w, http.StatusServiceUnavailable, "读取审核队列失败："+err.Error())
		return
	}
	slices.SortFunc(out, func(a, b decide.Review) int { return a.CreatedAt.Compare(b.CreatedAt) })
	writeJSON(w, http.StatusOK, map[string]any{"reviews": out})
}

// reviewRequest is the body of POST /api/v1/review/{id}.
type reviewRequest struct {
	Outcome string `json:"outcome"` // approved | rejected | keep | withdraw
	Column  string `json:"column"`
	Comment string `json:"comment"`
}

func (s *Server) apiReviewDecide(w http.ResponseWriter, r *http.Request) {
	if s.reviews == nil {
		writeJSONError(w, http.StatusServiceUnavailable, "未连接 NATS，无法记录审核决定：请为 serve 配置 nats.url")
		return
	}
	var req reviewRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeJSONError(w, http.StatusBadRequest, `请求体应为 JSON：{"outcome":"approved|rejected|keep|withdraw","column":"栏目","comment":"意见"}：`+err.Error())
		return
	}
	req.Comment = strings.TrimSpace(req.Comment)
	_, _, columns := s.live()
	outcome := syndicator.Outcome(req.Outcome)
	switch {
	case outcome == syndicator.OutcomeRejected && req.Comment == "":
		writeJSONError(w, http.StatusBadRequest, "驳回须填写意见（comment），说明不转载的理由")
		return
	case outcome == syndicator.OutcomeWithdraw && req.Comment == "":
		writeJSONError(w, http.StatusBadRequest, "撤回须填写意见（comment），说明撤回的理由")
		return
	case req.Column != "" && !slices.Contains(columns, req.Column):
		writeJSONError(w, http.StatusBadRequest, "栏目 "+req.Column+" 不存在：可选 "+strings.Join(columns, "、"))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	e, err := s.reviews.Review(ctx, r.PathValue("key"), decide.Input{
		Outcome: outcome, Column: req.Column, Comment: req.Comment, Reviewer: caller(r).name,
	})
	switch {
	case errors.Is(err, decide.ErrNoEntry):
		writeJSONError(w, http.StatusNotFound, "审核队列中没有该条目")
	case errors.Is(err, decide.ErrNotPending):
		writeJSONError(w, http.StatusConflict, "该条目已审核，不能重复决定")
	case errors.Is(err, decide.ErrBadOutcome):
		writeJSONError(w, http.StatusBadRequest, "决定无效：待审核条目可 approved（通过）或 rejected（驳回）；源页面失效条目可 keep（保留）或 withdraw（撤回）")
	case err != nil:
		writeJSONError(w, http.StatusServiceUnavailable, "记录审核决定失败，请重试："+err.Error())
	default:
		s.log.Info().Str("item_id", e.ItemID).Str("reviewer", e.Reviewer).Str("outcome", string(e.State)).Msg("review decided")
		writeJSON(w, http.StatusOK, e)
	}
}

func (s *Server) apiDocument(w http.ResponseWriter, r *http.Request) {
	if s.reviews == nil {
		writeJSONError(w, http.StatusServiceUnavailable, "未连接 NATS：请为 serve 配置 nats.url")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	doc, found, err := s.reviews.Document(ctx, r.PathValue("id"))
	switch {
	case err != nil:
		writeJSONError(w, http.StatusServiceUnavailable, "读取文件记录失败："+err.Error())
	case !found:
		writeJSONError(w, http.StatusNotFound, "尚未判定该条目")
	default:
		writeJSON(w, http.StatusOK, doc)
	}
}
