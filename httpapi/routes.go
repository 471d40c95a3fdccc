package httpapi

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"github.com/gyeco/syndicator/console"
	"net/http"
	"strconv"
	"strings"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/audit/report"
	"github.com/gyeco/syndicator/syndicator/decide"
)

// access is who may call a route.
type access int

const (
	public          access = iota // anyone: the committee site, health checks
	reader                        // operator or auditor token
	operator                      // operator token: may change things
	session                       // console: signed in (operator or auditor); POSTs need the CSRF token
	sessionOperator               // console: signed in as an operator, CSRF token
)

func (a access) String() string {
	return [...]string{"public", "reader", "operator", "session", "session-operator"}[a]
}

// route is one entry of the route table: every path the server answers is
// here with who may call it, and nothing is registered anywhere else.
type route struct {
	method, path string
	access       access
	handler      http.HandlerFunc
	doc          string
	// params are the grammars of the path's {wildcards}: a value that does
	// not match is answered 400 before the handler runs, so nothing from
	// outside reaches NATS unchecked (a 4 KB key overflows its control line
	// and the server drops the connection).
	params []param
}

// param is the grammar of one path wildcard.
type param struct {
	name  string
	valid func(string) bool
	want  string // what a valid value looks like, for the error message
}

func (s *Server) routes() []route {
	itemIDParam := param{"id", syndicator.IsItemID, "条目编号应为 32 位小写十六进制字符"}
	sourceParam := param{"id", config.IsSourceID, "来源编号只含小写字母、数字和连字符"}
	seqParam := param{"seq", isSeq, "死信序号应为正整数"}
	evidenceParam := param{"key", console.IsEvidenceKey, "存档对象名只含字母、数字、点、连字符、下划线和斜杠，不含 .."}
	c := s.console
	reviewKeyParam := param{"key", decide.IsReviewKey, "审核条目编号应为 32 位小写十六进制字符，源页面失效条目另带后缀 .gone"}
	return []route{
		{"GET", "/healthz", public, s.healthz, "存活检查", nil},
		{"GET", "/readyz", public, s.readyz, "就绪检查：站点存储、NATS 与 JetStream 可用（带令牌时返回各项详情）", nil},
		{"GET", "/metrics", public, s.metrics, "Prometheus 指标：事件、各消费者积压、死信、来源健康、抓取耗时与错误、分类条目数、发布延迟，及运行时与进程指标", nil},
		{"GET", "/api/v1/sources", reader, s.apiSources, "各来源配置与抓取健康状况", nil},
		{"GET", "/api/v1/review", reader, s.apiReviewList, "审核队列：待审核与已审核条目（?state=pending|all）", nil},
		{"POST", "/api/v1/review/{key}", operator, s.apiReviewDecide, "审核决定：通过（指定栏目）、驳回、保留或撤回，附意见", []param{reviewKeyParam}},
		{"GET", "/api/v1/audit/report", reader, s.apiAuditReport, "审计报告：?from=YYYY-MM-DD&to=YYYY-MM-DD&format=json|csv|html", nil},
		{"GET", "/api/v1/audit/items/{id}/timeline", reader, s.apiAuditTimeline, "条目时间线：上游发布、各站点发现、判定、审核、归档、转载、有效性变化及其账本序号", []param{itemIDParam}},
		{"GET", "/api/v1/items", reader, s.apiItems, "条目检索：?q=全文（标题、发文字号、正文）&source=&class=&state=&validity=&from=YYYY-MM-DD&to=YYYY-MM-DD&page=&per_page=", nil},
		{"GET", "/api/v1/items/{id}/document", reader, s.apiDocument, "条目所属文件：各站点发现记录、转载条目、分类与有效性", []param{itemIDParam}},
		{"GET", "/api/", reader, s.apiNotFound, "未知接口", nil},
		{"GET", "/console/login", public, c.LoginPage, "控制台登录页", nil},
		{"POST", "/console/login", public, c.Login, "控制台登录：以令牌换取会话（HttpOnly、SameSite=Strict）", nil},
		{"POST", "/console/logout", session, c.Logout, "退出控制台", nil},
		{"GET", "/console/static/", public, c.Static, "控制台样式与脚本", nil},
		{"GET", "/console/{$}", session, c.Overview, "控制台·总览：来源健康、积压、死信、今日分类、时效、栏目更新", nil},
		{"GET", "/console/sources", session, c.Sources, "控制台·来源列表", nil},
		{"GET", "/console/sources/{id}", session, c.Source, "控制台·来源详情：健康、抓取、304 比例、错误历史", []param{sourceParam}},
		{"POST", "/console/sources/{id}/test", session, c.TestSource, "控制台·立即测试（试抓，不发布）", []param{sourceParam}},
		{"POST", "/console/sources/{id}/poll", sessionOperator, c.PollSource, "控制台·立即抓取（记入账本）", []param{sourceParam}},
		{"POST", "/console/sources/{id}/pause", sessionOperator, c.PauseSource, "控制台·暂停来源（记入账本）", []param{sourceParam}},
		{"POST", "/console/sources/{id}/resume", sessionOperator, c.ResumeSource, "控制台·恢复来源（记入账本）", []param{sourceParam}},
		{"GET", "/console/items", session, c.Items, "控制台·条目检索", nil},
		{"GET", "/console/items/{id}", session, c.Item, "控制台·条目：时间线、判定、其他站点、版本对比、证据", []param{itemIDParam}},
		{"GET", "/console/review", session, c.Review, "控制台·审核队列", nil},
		{"POST", "/console/review", sessionOperator, c.Decide, "控制台·审核决定（单条或批量）", nil},
		{"GET", "/console/dead", session, c.Dead, "控制台·死信", nil},
		{"POST", "/console/dead/retry-all", sessionOperator, c.RetryAllDead, "控制台·重投全部死信（记入账本）", nil},
		{"POST", "/console/dead/{seq}/retry", sessionOperator, c.RetryDead, "控制台·重投死信（记入账本）", []param{seqParam}},
		{"POST", "/console/dead/{seq}/discard", sessionOperator, c.DiscardDead, "控制台·丢弃死信，须填原因（记入账本）", []param{seqParam}},
		{"GET", "/console/evidence/{key...}", session, c.Evidence, "控制台·下载存档证据（原始页面、WARC、附件；一律作为附件下载）", []param{evidenceParam}},
		{"GET", "/console/audit", session, c.Audit, "控制台·审计报告与账本校验", nil},
		{"GET", "/console/audit/report", session, c.AuditReport, "控制台·下载审计报告（csv/html/json）", nil},
		{"GET", "/console/audit/ledger", session, c.AuditLedger, "控制台·导出账本（JSON lines）", nil},
		{"GET", "/console/config", session, c.Config, "控制台·生效配置（密钥已隐去）及来源", nil},
		{"POST", "/console/config/reload", sessionOperator, c.Reload, "控制台·重新加载配置（先检查，记入账本）", nil},
		{"GET", "/", public, s.serveSite, "委员会网站（静态页面）", nil},
	}
}

// apiSecurityPolicy is the CSP of everything but the site: JSON, the
// metrics and errors.
const apiSecurityPolicy = "default-src 'none'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// reportSecurityPolicy is the CSP of the HTML audit report: the API's,
// plus its one inline style sheet allowed by hash (nothing else inline,
// no script at all).
var reportSecurityPolicy = apiSecurityPolicy + "; style-src " + report.StyleSource + "; script-src 'none'"

// Handler builds the mux from the route table alone.
func (s *Server) Handler() http.Handler {
	if s.console == nil {
		c, err := s.newConsole()
		if err != nil {
			// Only a calendar the configuration check let through could
			// fail here; the console then says why on every page.
			s.log.Error().Err(err).Msg("console unavailable")
			c, _ = (&Server{log: s.log}).newConsole()
		}
		s.console = c
	}
	mux := http.NewServeMux()
	for _, r := range s.routes() {
		pattern := r.path
		if r.method != "" {
			pattern = r.method + " " + r.path
		}
		h := s.guard(r)
		switch {
		case strings.HasPrefix(r.path, "/console/"):
			// The console sets its own headers (its CSP allows its
			// style sheet and script).
		case r.path != "/":
			h = noStore(h)
		}
		mux.Handle(pattern, h)
	}
	return mux
}

// noStore marks API, health and report responses as not for caches or
// content sniffing; the site's pages set their own headers.
func noStore(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Security-Policy", apiSecurityPolicy)
		h.ServeHTTP(w, r)
	})
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
	switch r.access {
	case public:
		return r.handler
	case session, sessionOperator:
		return s.console.Guard(withParams(r), r.access == sessionOperator)
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
		for _, p := range r.params {
			if v := req.PathValue(p.name); !p.valid(v) {
				writeJSONError(w, http.StatusBadRequest, fmt.Sprintf("路径参数 %s 无效（%d 个字符）：%s", p.name, len(v), p.want))
				return
			}
		}
		s.log.Debug().Str("token", id.name).Str("url", req.URL.Path).Msg("api call")
		r.handler(w, req.WithContext(context.WithValue(req.Context(), identityKey{}, id)))
	})
}

// withParams answers 400 for a path wildcard outside its grammar.
func withParams(r route) http.HandlerFunc {
	if len(r.params) == 0 {
		return r.handler
	}
	return func(w http.ResponseWriter, req *http.Request) {
		for _, p := range r.params {
			if v := req.PathValue(p.name); !p.valid(v) {
				http.Error(w, fmt.Sprintf("路径参数 %s 无效：%s", p.name, p.want), http.StatusBadRequest)
				return
			}
		}
		r.handler(w, req)
	}
}

// isSeq accepts a stream sequence: a positive decimal number.
func isSeq(v string) bool {
	n, err := strconv.ParseUint(v, 10, 64)
	return err == nil && n > 0 && len(v) <= 20
}

// authenticate compares the bearer token with every configured one in
// constant time, so timing tells nothing about which prefix matched.
// The scheme is matched without regard to case (RFC 7235 §2.1).
func (s *Server) authenticate(req *http.Request) (identity, bool) {
	scheme, given, _ := strings.Cut(strings.TrimSpace(req.Header.Get("Authorization")), " ")
	given = strings.TrimSpace(given)
	if !strings.EqualFold(scheme, "Bearer") || given == "" {
		return identity{}, false
	}
	var found identity
	match := 0
	_, tokens, _ := s.live()
	for _, t := range tokens {
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
