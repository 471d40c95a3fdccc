package main

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gyeco/syndicator/config"
)

// access is who may call a route.
type access int

const (
	public   access = iota // anyone: the committee site, health checks
	reader                 // operator or auditor token
	operator               // operator token: may change things
)

func (a access) String() string {
	return [...]string{"public", "reader", "operator"}[a]
}

// route is one entry of the route table: every path the server answers is
// here with who may call it, and nothing is registered anywhere else.
type route struct {
	method, path string
	access       access
	handler      http.HandlerFunc
	doc          string
}

func (s *Server) routes() []route {
	return []route{
		{"GET", "/healthz", public, s.healthz, "存活检查"},
		{"GET", "/readyz", public, s.readyz, "就绪检查：站点存储与 NATS 可用"},
		{"GET", "/metrics", public, s.metrics, "Prometheus 指标：事件数、积压、死信、来源健康"},
		{"GET", "/api/v1/sources", reader, s.apiSources, "各来源配置与抓取健康状况"},
		{"GET", "/api/v1/review", reader, s.apiReviewList, "审核队列：待审核与已审核条目（?state=pending|all）"},
		{"POST", "/api/v1/review/{key}", operator, s.apiReviewDecide, "审核决定：通过（指定栏目）、驳回、保留或撤回，附意见"},
		{"GET", "/api/v1/audit/report", reader, s.apiAuditReport, "审计报告：?from=YYYY-MM-DD&to=YYYY-MM-DD&format=json|csv|html"},
		{"GET", "/api/v1/audit/items/{id}/timeline", reader, s.apiAuditTimeline, "条目时间线：上游发布、各站点发现、判定、审核、归档、转载、有效性变化及其账本序号"},
		{"GET", "/api/v1/items/{id}/document", reader, s.apiDocument, "条目所属文件：各站点发现记录、转载条目、分类与有效性"},
		{"GET", "/api/", reader, s.apiNotFound, "未知接口"},
		{"GET", "/", public, s.serveSite, "委员会网站（静态页面）"},
	}
}

// Handler builds the mux from the route table alone.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, r := range s.routes() {
		pattern := r.path
		if r.method != "" {
			pattern = r.method + " " + r.path
		}
		mux.Handle(pattern, s.guard(r))
	}
	return mux
}

// identity is the holder of a token.
type identity struct {
	name, role string
}

// identityKey carries the caller's identity to handlers that record who
// did something (review decisions).
type identityKey struct{}

// caller is the identity guard authenticated for req.
func caller(req *http.Request) identity {
	id, _ := req.Context().Value(identityKey{}).(identity)
	return id
}

// guard enforces a route's access before its handler runs.
func (s *Server) guard(r route) http.Handler {
	if r.access == public {
		return r.handler
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		id, ok := s.authenticate(req)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="syndicator"`)
			writeJSONError(w, http.StatusUnauthorized, "需要有效令牌：请在请求头 Authorization 中提供 Bearer 令牌（见配置 http.tokens）")
			return
		}
		if r.access == operator && id.role != "operator" {
			writeJSONError(w, http.StatusForbidden, "角色 "+id.role+" 只能查看，此操作需要 operator 令牌")
			return
		}
		s.log.Debug().Str("token", id.name).Str("url", req.URL.Path).Msg("api call")
		r.handler(w, req.WithContext(context.WithValue(req.Context(), identityKey{}, id)))
	})
}

// authenticate compares the bearer token with every configured one in
// constant time, so timing tells nothing about which prefix matched.
func (s *Server) authenticate(req *http.Request) (identity, bool) {
	h := req.Header.Get("Authorization")
	given, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || given == "" {
		return identity{}, false
	}
	var found identity
	match := 0
	for _, t := range s.tokens {
		if subtle.ConstantTimeCompare([]byte(given), []byte(t.Token.Value())) == 1 {
			found, match = identity{name: t.Name, role: t.Role}, 1
		}
	}
	return found, match == 1
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeJSONError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func (s *Server) apiNotFound(w http.ResponseWriter, r *http.Request) {
	writeJSONError(w, http.StatusNotFound, "没有这个接口："+r.Method+" "+r.URL.Path)
}

// tokensOf copies the configured tokens for the server.
func tokensOf(c *config.Config) []config.Token {
	return append([]config.Token(nil), c.HTTP.Tokens...)
}
