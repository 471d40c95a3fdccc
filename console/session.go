package console

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"
)

// SessionPolicy bounds a console session.
type SessionPolicy struct {
	// Idle ends a session not used for that long; Absolute ends any
	// session that long after sign-in. Defaults 30 minutes and 12 hours.
	Idle, Absolute time.Duration
}

const (
	sessionCookie = "synd_console"
	loginCookie   = "synd_login" // the sign-in form's CSRF token (double submit)
	csrfField     = "csrf"
)

// User is who signed in: the token's name and role.
type User struct {
	Name, Role string
	csrf       string
}

// CanChange reports whether the user may change things.
func (u User) CanChange() bool { return u.Role == "operator" }

// RoleLabel is the role in Chinese.
func (u User) RoleLabel() string {
	if u.CanChange() {
		return "运维人员"
	}
	return "审计人员（只读）"
}

type session struct {
	user          User
	start, active time.Time
	flash         string // what the last change did, shown once
}

// sessions are this process's signed-in sessions, in memory: a restart
// signs everyone out, which a token sign-in makes cheap.
type sessions struct {
	pol SessionPolicy
	now func() time.Time

	mu   sync.Mutex
	byID map[string]*session
}

func newSessions(p SessionPolicy, now func() time.Time) *sessions {
	if p.Idle <= 0 {
		p.Idle = 30 * time.Minute
	}
	if p.Absolute <= 0 {
		p.Absolute = 12 * time.Hour
	}
	return &sessions{pol: p, now: now, byID: map[string]*session{}}
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *sessions) create(u User) string {
	id := randomToken()
	u.csrf = randomToken()
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	// Expired sessions go when someone signs in: no sweeper goroutine.
	for k, v := range s.byID {
		if s.expired(v, now) {
			delete(s.byID, k)
		}
	}
	s.byID[id] = &session{user: u, start: now, active: now}
	return id
}

func (s *sessions) expired(v *session, now time.Time) bool {
	return now.Sub(v.active) > s.pol.Idle || now.Sub(v.start) > s.pol.Absolute
}

// get returns the session's user and marks it active; false when there is
// none or it expired (then it is forgotten).
func (s *sessions) get(id string) (User, bool) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.byID[id]
	if !ok {
		return User{}, false
	}
	if s.expired(v, now) {
		delete(s.byID, id)
		return User{}, false
	}
	v.active = now
	return v.user, true
}

// setFlash keeps a message for the session's next page.
func (s *sessions) setFlash(id, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.byID[id]; ok {
		v.flash = msg
	}
}

// takeFlash returns the pending message once.
func (s *sessions) takeFlash(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.byID[id]
	if !ok {
		return ""
	}
	msg := v.flash
	v.flash = ""
	return msg
}

func (s *sessions) end(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.byID, id)
}

type userKey struct{}

// userOf is the signed-in user of a request Guard let through.
func userOf(r *http.Request) User {
	u, _ := r.Context().Value(userKey{}).(User)
	return u
}

// Guard lets a request through to h only with a live session; change
// routes also need the operator role and, as every POST, the session's
// CSRF token. A reader without a session is sent to sign in.
func (c *Console) Guard(h http.HandlerFunc, change bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, ok := c.user(r)
		if !ok {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, "/console/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			c.fail(w, r, http.StatusUnauthorized, "会话已过期或尚未登录，请重新登录后再操作。")
			return
		}
		if r.Method == http.MethodPost {
			if !sameOrigin(r) || subtle.ConstantTimeCompare([]byte(r.PostFormValue(csrfField)), []byte(u.csrf)) != 1 {
				c.fail(w, r, http.StatusForbidden, "请求缺少有效的防伪令牌（CSRF），已拒绝。请从控制台页面重新提交。")
				return
			}
		}
		if change && !u.CanChange() {
			c.fail(w, r, http.StatusForbidden, "角色“"+u.RoleLabel()+"”只能查看，此操作需要运维人员（operator）令牌。")
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), userKey{}, u)))
	})
}

// sameOrigin refuses a POST whose Origin names another site (browsers
// send it on every cross-site POST); SameSite=Strict already keeps the
// cookie off those, this is the second lock.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" || o == "null" {
		return o == ""
	}
	u, err := url.Parse(o)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

func (c *Console) user(r *http.Request) (User, bool) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return User{}, false
	}
	u, ok := c.ses.get(ck.Value)
	if !ok {
		return User{}, false
	}
	// A token a configuration reload removed (or gave another role) ends
	// the sessions signed in with it.
	for _, t := range c.d.Live().Tokens {
		if t.Name == u.Name && t.Role == u.Role {
			return u, true
		}
	}
	c.ses.end(ck.Value)
	return User{}, false
}

func (c *Console) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/console/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	})
}

// LoginPage shows the sign-in form.
func (c *Console) LoginPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := c.user(r); ok {
		// Already signed in (a bookmark, the back button): go on.
		http.Redirect(w, r, safeNext(r.FormValue("next")), http.StatusSeeOther)
		return
	}
	c.showLogin(w, r, http.StatusOK, "")
}

func (c *Console) showLogin(w http.ResponseWriter, r *http.Request, status int, msg string) {
	tok := randomToken()
	c.setCookie(w, r, loginCookie, tok, 600)
	c.render(w, r, status, "login", "登录", map[string]any{"CSRF": tok, "Next": safeNext(r.FormValue("next")), "Error": msg})
}

// Login signs in with a token: a session cookie replaces it, so the token
// is typed once and never stored in the browser.
func (c *Console) Login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	ck, err := r.Cookie(loginCookie)
	if err != nil || !sameOrigin(r) || subtle.ConstantTimeCompare([]byte(r.PostFormValue(csrfField)), []byte(ck.Value)) != 1 {
		c.showLogin(w, r, http.StatusForbidden, "登录表单已过期，请重新输入令牌。")
		return
	}
	given := strings.TrimSpace(r.PostFormValue("token"))
	var found User
	match := 0
	for _, t := range c.d.Live().Tokens {
		if given != "" && subtle.ConstantTimeCompare([]byte(given), []byte(t.Token.Value())) == 1 {
			found, match = User{Name: t.Name, Role: t.Role}, 1
		}
	}
	if match != 1 {
		c.d.Log.Info().Str("remote", r.RemoteAddr).Msg("console sign-in refused: unknown token")
		c.showLogin(w, r, http.StatusUnauthorized, "令牌无效：请使用配置 http.tokens 中的令牌。")
		return
	}
	c.setCookie(w, r, loginCookie, "", -1)
	c.setCookie(w, r, sessionCookie, c.ses.create(found), 0)
	c.d.Log.Info().Str("user", found.Name).Str("role", found.Role).Msg("console sign-in")
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

// Logout ends the session.
func (c *Console) Logout(w http.ResponseWriter, r *http.Request) {
	if ck, err := r.Cookie(sessionCookie); err == nil {
		c.ses.end(ck.Value)
	}
	c.setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, "/console/login", http.StatusSeeOther)
}

// safeNext keeps a redirect after sign-in inside the console: a path
// (no scheme or host), which still starts with /console/ once its dot
// segments are resolved, and not the sign-in page itself.
func safeNext(next string) string {
	const home = "/console/"
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" || strings.ContainsAny(next, "\\\r\n") || strings.HasPrefix(next, "//") {
		return home
	}
	clean := path.Clean(u.Path)
	if strings.HasSuffix(u.Path, "/") && clean != "/" {
		clean += "/"
	}
	if !strings.HasPrefix(clean, home) || strings.HasPrefix(clean, "/console/login") {
		return home
	}
	if u.RawQuery != "" {
		return clean + "?" + u.RawQuery
	}
	return clean
}
