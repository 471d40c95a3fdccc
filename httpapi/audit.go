package httpapi

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gyeco/syndicator/syndicator/audit"
	"github.com/gyeco/syndicator/syndicator/audit/report"
	"github.com/gyeco/syndicator/syndicator/readmodel"
)

// The audit API: the report of a period and one document's timeline, both
// from serve's read model (index.go).

func (s *Server) apiAuditReport(w http.ResponseWriter, r *http.Request) {
	if s.index == nil {
		writeJSONError(w, http.StatusServiceUnavailable, "未连接 NATS，无法读取审计账本：请为 serve 配置 nats.url")
		return
	}
	q := r.URL.Query()
	from, to, err := audit.ParsePeriod(q.Get("from"), q.Get("to"), s.clock())
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	format := q.Get("format")
	if format == "" {
		format = "json"
	}
	if _, err := report.ContentType(format); err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), time.Minute)
	defer cancel()
	rep, err := s.indexedReport(ctx, from, to)
	if err != nil {
		writeJSONError(w, http.StatusServiceUnavailable, "生成报告失败："+err.Error())
		return
	}
	data, ctype, err := report.Render(s.reports, rep, format, s.names)
	if err != nil {
		writeJSONError(w, http.StatusInternalServerError, err.Error())
		return
	}
	if format == "html" {
		w.Header().Set("Content-Security-Policy", reportSecurityPolicy)
	}
	w.Header().Set("Content-Type", ctype)
	_, _ = w.Write(data)
}

func (s *Server) apiAuditTimeline(w http.ResponseWriter, r *http.Request) {
	if s.index == nil {
		writeJSONError(w, http.StatusServiceUnavailable, "未连接 NATS，无法读取审计账本：请为 serve 配置 nats.url")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), time.Minute)
	defer cancel()
	tl, err := s.indexedTimeline(ctx, r.PathValue("id"))
	switch {
	case errors.Is(err, readmodel.ErrNotFound):
		writeJSONError(w, http.StatusNotFound, "审计账本中没有该条目")
	case err != nil:
		writeJSONError(w, http.StatusServiceUnavailable, "读取审计账本失败："+err.Error())
	default:
		writeJSON(w, http.StatusOK, tl)
	}
}
