package console

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gyeco/syndicator/config"
	"github.com/rs/zerolog"
)

// clock is a settable time for the session store.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock { return &testClock{t: time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC)} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestSessionLifetime(t *testing.T) {
	pol := SessionPolicy{Idle: 10 * time.Minute, Absolute: time.Hour}
	type step struct {
		wait time.Duration
		live bool
	}
	tests := []struct {
		name  string
		steps []step // wait, then get: want live
	}{
		{"live at once", []step{{0, true}}},
		{"live just before idle", []step{{10*time.Minute - time.Second, true}}},
		{"exactly idle is still live", []step{{10 * time.Minute, true}}},
		{"refused after idle without use", []step{{10*time.Minute + time.Second, false}}},
		{"use renews the idle time", []step{{9 * time.Minute, true}, {9 * time.Minute, true}, {9 * time.Minute, true}}},
		{"refused after idle following use", []step{{9 * time.Minute, true}, {10*time.Minute + time.Second, false}}},
		{"refused after absolute despite use", []step{
			{9 * time.Minute, true}, {9 * time.Minute, true}, {9 * time.Minute, true}, {9 * time.Minute, true},
			{9 * time.Minute, true}, {9 * time.Minute, true}, {9 * time.Minute, false}, // 63 minutes
		}},
		{"once refused, always refused", []step{{11 * time.Minute, false}, {0, false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newTestClock()
			s := newSessions(pol, clk.Now)
			id := s.create(User{Name: "张三", Role: "operator"})
			for i, st := range tt.steps {
				clk.Add(st.wait)
				u, ok := s.get(id)
				if ok != st.live {
					t.Fatalf("step %d (after %s): live %v, want %v", i, st.wait, ok, st.live)
				}
				if ok && (u.Name != "张三" || u.Role != "operator") {
					t.Fatalf("step %d: user %+v", i, u)
				}
				if !ok && u != (User{}) {
					t.Fatalf("step %d: refused session returned user %+v", i, u)
				}
			}
		})
	}
}

func TestSessionDefaultsEndAndSweep(t *testing.T) {
	clk := newTestClock()
	s := newSessions(SessionPolicy{}, clk.Now)
	if s.pol.Idle != 30*time.Minute || s.pol.Absolute != 12*time.Hour {
		t.Fatalf("default policy %+v, want 30m idle, 12h absolute", s.pol)
	}
	a, b := s.create(User{Name: "a", Role: "operator"}), s.create(User{Name: "b", Role: "auditor"})
	clk.Add(29 * time.Minute)
	if _, ok := s.get(a); !ok {
		t.Fatal("refused after 29 minutes")
	}
	s.end(a)
	s.end("never-was") // no panic
	if _, ok := s.get(a); ok {
		t.Error("session live after end")
	}
	for _, id := range []string{"", "nope", b + "x"} {
		if _, ok := s.get(id); ok {
			t.Errorf("unknown id %q accepted", id)
		}
	}
	// b, unused for 31 minutes, goes when someone signs in.
	clk.Add(2 * time.Minute)
	s.create(User{Name: "c"})
	s.mu.Lock()
	_, kept := s.byID[b]
	n := len(s.byID)
	s.mu.Unlock()
	if kept || n != 1 {
		t.Errorf("after a sign-in: expired session kept %v, %d sessions, want it gone and 1", kept, n)
	}
}

func TestSessionTokens(t *testing.T) {
	s := newSessions(SessionPolicy{}, newTestClock().Now)
	seen := map[string]bool{}
	for range 20 {
		id := s.create(User{Name: "a", Role: "operator"})
		u, ok := s.get(id)
		if !ok {
			t.Fatal("new session refused")
		}
		if len(id) < 40 || len(u.csrf) < 40 {
			t.Fatalf("id %q, csrf %q: want 32 random bytes each", id, u.csrf)
		}
		if u.csrf == id {
			t.Fatal("the CSRF token is the session id")
		}
		if seen[id] || seen[u.csrf] {
			t.Fatalf("token repeated: id %q csrf %q", id, u.csrf)
		}
		seen[id], seen[u.csrf] = true, true
	}
}

func TestFlashShowsOnce(t *testing.T) {
	s := newSessions(SessionPolicy{}, newTestClock().Now)
	a, b := s.create(User{Name: "a"}), s.create(User{Name: "b"})
	if got := s.takeFlash(a); got != "" {
		t.Errorf("flash before any: %q", got)
	}
	s.setFlash(a, "已重投死信 7")
	if got := s.takeFlash(b); got != "" {
		t.Errorf("another session's flash: %q", got)
	}
	if got := s.takeFlash(a); got != "已重投死信 7" {
		t.Errorf("flash %q", got)
	}
	if got := s.takeFlash(a); got != "" {
		t.Errorf("flash shown twice: %q", got)
	}
	s.setFlash("nope", "x") // no session: nothing, no panic
	if got := s.takeFlash("nope"); got != "" {
		t.Errorf("flash of no session: %q", got)
	}
}

func TestSafeNext(t *testing.T) {
	kept := []string{"/console/", "/console/dead", "/console/logout", "/console/items?q=%E7%94%9F%E6%80%81&page=2"}
	refused := []string{"", "/", "/console", "/metrics", "//evil.example/console/", "///evil.example",
		"https://evil.example/console/", "javascript:alert(1)", "/console/login", "/console/login?next=/console/",
		`/console/\evil.example`, `/\evil.example`, "/console/\r\nSet-Cookie: x=1", "/console/x\nLocation: //evil", "/console/x\r"}
	for _, in := range kept {
		if got := safeNext(in); got != in {
			t.Errorf("safeNext(%q) = %q, want it kept", in, got)
		}
	}
	for _, in := range refused {
		if got := safeNext(in); got != "/console/" {
			t.Errorf("safeNext(%q) = %q, want /console/", in, got)
		}
	}
}

// TestSafeNextStaysInsideTheConsole: http.Redirect cleans the path, so
// dot segments would take the reader out of /console/.
func TestSafeNextStaysInsideTheConsole(t *testing.T) {
	for _, in := range []string{"/console/../metrics", "/console/./../api/items", "/console/%2e%2e/metrics",
		"/console/..%2F..%2F%2Fevil.example", "/console/a/../../login", "/console/a/../login?next=x"} {
		rec := httptest.NewRecorder()
		http.Redirect(rec, httptest.NewRequest("POST", "/console/login", nil), safeNext(in), http.StatusSeeOther)
		if loc := rec.Header().Get("Location"); !strings.HasPrefix(loc, "/console/") || strings.HasPrefix(loc, "/console/login") {
			t.Errorf("safeNext(%q) = %q redirects to %q, outside the console or to the sign-in", in, safeNext(in), loc)
		}
	}
}

func TestSameOrigin(t *testing.T) {
	tests := []struct {
		origin string
		want   bool
	}{
		{"", true},
		{"https://console.example:8443", true},
		{"https://CONSOLE.example:8443", true},
		{"https://evil.example", false},
		{"https://console.example", false}, // another port is another origin
		{"https://console.example:8443.evil.example", false},
		{"null", false},
		{"://bad", false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("POST", "https://console.example:8443/console/dead", nil)
		if tt.origin != "" {
			r.Header.Set("Origin", tt.origin)
		}
		if got := sameOrigin(r); got != tt.want {
			t.Errorf("Origin %q to host %q: %v, want %v", tt.origin, r.Host, got, tt.want)
		}
	}
}

// --- The HTTP flow of Login and Guard ---

const (
	operatorToken = "op-token-0123456789abcdef"
	auditorToken  = "au-token-0123456789abcdef"
)

func testConsole(t *testing.T, clk *testClock) *Console {
	t.Helper()
	c, err := New(Deps{
		Live: func() Live {
			return Live{Tokens: []config.Token{
				{Name: "值班员", Role: "operator", Token: config.NewSecret(operatorToken)},
				{Name: "审计员", Role: "auditor", Token: config.NewSecret(auditorToken)},
			}}
		},
		Sessions: SessionPolicy{Idle: 10 * time.Minute, Absolute: time.Hour},
		Now:      clk.Now,
		Log:      zerolog.Nop(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func respCookie(rec *httptest.ResponseRecorder, name string) *http.Cookie {
	for _, ck := range rec.Result().Cookies() {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

func formBody(vals url.Values) *strings.Reader { return strings.NewReader(vals.Encode()) }

// login signs in with token through LoginPage and Login and returns the
// response of Login.
func testLogin(t *testing.T, c *Console, token, next string, tlsOn bool) *httptest.ResponseRecorder {
	t.Helper()
	page := httptest.NewRecorder()
	c.LoginPage(page, httptest.NewRequest("GET", "/console/login", nil))
	lc := respCookie(page, loginCookie)
	if page.Code != http.StatusOK || lc == nil || !strings.Contains(page.Body.String(), `value="`+lc.Value+`"`) {
		t.Fatalf("login page: %d, cookie %v; the form must carry the cookie's token", page.Code, lc)
	}
	req := httptest.NewRequest("POST", "/console/login", formBody(url.Values{"csrf": {lc.Value}, "token": {token}, "next": {next}}))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(lc)
	if tlsOn {
		req.TLS = &tls.ConnectionState{}
	}
	rec := httptest.NewRecorder()
	c.Login(rec, req)
	return rec
}

// signIn returns the session cookie and the session's CSRF token.
func testSignIn(t *testing.T, c *Console, token string) (*http.Cookie, string) {
	t.Helper()
	rec := testLogin(t, c, token, "/console/", false)
	sc := respCookie(rec, sessionCookie)
	if rec.Code != http.StatusSeeOther || sc == nil {
		t.Fatalf("sign-in: %d, cookie %v", rec.Code, sc)
	}
	u, ok := c.ses.get(sc.Value)
	if !ok {
		t.Fatal("no session after sign-in")
	}
	return sc, u.csrf
}

func TestLogin(t *testing.T) {
	clk := newTestClock()
	c := testConsole(t, clk)

	t.Run("right token", func(t *testing.T) {
		rec := testLogin(t, c, "  "+operatorToken+"\n", "/console/dead?consumer=site", false)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/console/dead?consumer=site" {
			t.Fatalf("%d to %q, want 303 to next", rec.Code, rec.Header().Get("Location"))
		}
		sc := respCookie(rec, sessionCookie)
		if sc == nil || sc.Value == "" {
			t.Fatal("no session cookie")
		}
		if !sc.HttpOnly || sc.SameSite != http.SameSiteStrictMode || sc.Path != "/console/" || sc.Secure {
			t.Errorf("session cookie %+v: want HttpOnly, SameSite=Strict, Path /console/, not Secure over plain HTTP", sc)
		}
		if strings.Contains(strings.Join(rec.Header().Values("Set-Cookie"), "\n"), operatorToken) {
			t.Error("the token itself went into a cookie")
		}
		if lc := respCookie(rec, loginCookie); lc == nil || lc.MaxAge >= 0 {
			t.Errorf("login cookie not cleared: %+v", lc)
		}
		if u, ok := c.ses.get(sc.Value); !ok || u.Name != "值班员" || u.Role != "operator" {
			t.Errorf("session user %+v %v", u, ok)
		}
	})
	t.Run("over TLS the cookie is Secure", func(t *testing.T) {
		rec := testLogin(t, c, auditorToken, "/console/", true)
		if sc := respCookie(rec, sessionCookie); sc == nil || !sc.Secure {
			t.Errorf("session cookie %+v, want Secure", sc)
		}
	})
	t.Run("unsafe next goes to the console", func(t *testing.T) {
		rec := testLogin(t, c, operatorToken, "//evil.example/", false)
		if loc := rec.Header().Get("Location"); rec.Code != http.StatusSeeOther || loc != "/console/" {
			t.Errorf("%d to %q, want 303 to /console/", rec.Code, loc)
		}
	})
	for _, bad := range []string{"wrong-token-0123456789", "", operatorToken[:10], operatorToken + "x"} {
		t.Run("wrong token "+bad, func(t *testing.T) {
			rec := testLogin(t, c, bad, "/console/", false)
			if rec.Code != http.StatusUnauthorized || respCookie(rec, sessionCookie) != nil {
				t.Errorf("%d, session cookie %v; want 401 and none", rec.Code, respCookie(rec, sessionCookie))
			}
		})
	}
	t.Run("without the form's token", func(t *testing.T) {
		for name, mod := range map[string]func(r *http.Request, lc *http.Cookie){
			"no cookie": func(r *http.Request, lc *http.Cookie) {},
			"other token": func(r *http.Request, lc *http.Cookie) {
				r.AddCookie(&http.Cookie{Name: loginCookie, Value: lc.Value + "x"})
			},
			"cross origin": func(r *http.Request, lc *http.Cookie) {
				r.AddCookie(lc)
				r.Header.Set("Origin", "https://evil.example")
			},
		} {
			page := httptest.NewRecorder()
			c.LoginPage(page, httptest.NewRequest("GET", "/console/login", nil))
			lc := respCookie(page, loginCookie)
			req := httptest.NewRequest("POST", "/console/login", formBody(url.Values{"csrf": {lc.Value}, "token": {operatorToken}}))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			mod(req, lc)
			rec := httptest.NewRecorder()
			c.Login(rec, req)
			if rec.Code != http.StatusForbidden || respCookie(rec, sessionCookie) != nil {
				t.Errorf("%s: %d, session cookie %v; want 403 and none", name, rec.Code, respCookie(rec, sessionCookie))
			}
		}
	})
}

func TestGuard(t *testing.T) {
	clk := newTestClock()
	c := testConsole(t, clk)
	opCookie, opCSRF := testSignIn(t, c, operatorToken)
	auCookie, auCSRF := testSignIn(t, c, auditorToken)

	var seen User
	h := func(w http.ResponseWriter, r *http.Request) {
		seen = userOf(r)
		w.WriteHeader(http.StatusTeapot)
	}
	tests := []struct {
		name, method string
		cookie       *http.Cookie
		csrf, origin string // "" leaves them out
		change       bool
		want         int
		wantWho      string
	}{
		{"GET without a session", "GET", nil, "", "", false, http.StatusSeeOther, ""},
		{"POST without a session", "POST", nil, "", "", false, http.StatusUnauthorized, ""},
		{"POST with an unknown session", "POST", &http.Cookie{Name: sessionCookie, Value: "forged"}, opCSRF, "", true, http.StatusUnauthorized, ""},
		{"GET with a session", "GET", auCookie, "", "", false, http.StatusTeapot, "审计员"},
		{"POST without csrf", "POST", opCookie, "", "", true, http.StatusForbidden, ""},
		{"POST with a wrong csrf", "POST", opCookie, opCSRF + "x", "", true, http.StatusForbidden, ""},
		{"POST with another session's csrf", "POST", opCookie, auCSRF, "", true, http.StatusForbidden, ""},
		{"change route as auditor", "POST", auCookie, auCSRF, "", true, http.StatusForbidden, ""},
		{"change route GET as auditor", "GET", auCookie, "", "", true, http.StatusForbidden, ""},
		{"read route POST as auditor", "POST", auCookie, auCSRF, "", false, http.StatusTeapot, "审计员"},
		{"change route as operator", "POST", opCookie, opCSRF, "", true, http.StatusTeapot, "值班员"},
		{"same-origin Origin", "POST", opCookie, opCSRF, "http://console.test", true, http.StatusTeapot, "值班员"},
		{"cross-site Origin", "POST", opCookie, opCSRF, "https://evil.example", true, http.StatusForbidden, ""},
		{"null Origin", "POST", opCookie, opCSRF, "null", true, http.StatusForbidden, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen = User{}
			vals := url.Values{"reason": {"测试"}}
			if tt.csrf != "" {
				vals.Set(csrfField, tt.csrf)
			}
			req := httptest.NewRequest(tt.method, "http://console.test/console/dead/7/retry?x=1", formBody(vals))
			if tt.method == "POST" {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			if tt.cookie != nil {
				req.AddCookie(tt.cookie)
			}
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			rec := httptest.NewRecorder()
			c.Guard(h, tt.change).ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d; body %.200s", rec.Code, tt.want, rec.Body.String())
			}
			if seen.Name != tt.wantWho {
				t.Errorf("handler saw user %q, want %q", seen.Name, tt.wantWho)
			}
			if tt.want == http.StatusSeeOther {
				if loc := rec.Header().Get("Location"); loc != "/console/login?next="+url.QueryEscape("/console/dead/7/retry?x=1") {
					t.Errorf("redirect to %q", loc)
				}
			}
		})
	}
}

func TestGuardAfterExpiryAndLogout(t *testing.T) {
	clk := newTestClock()
	c := testConsole(t, clk)
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	get := func(ck *http.Cookie) int {
		req := httptest.NewRequest("GET", "/console/", nil)
		req.AddCookie(ck)
		rec := httptest.NewRecorder()
		c.Guard(ok, false).ServeHTTP(rec, req)
		return rec.Code
	}

	ck, _ := testSignIn(t, c, operatorToken)
	clk.Add(9 * time.Minute)
	if code := get(ck); code != http.StatusNoContent {
		t.Fatalf("after 9 minutes: %d", code)
	}
	clk.Add(11 * time.Minute)
	if code := get(ck); code != http.StatusSeeOther {
		t.Fatalf("after 11 idle minutes: %d, want 303 to sign in", code)
	}

	ck, _ = testSignIn(t, c, operatorToken)
	req := httptest.NewRequest("POST", "/console/logout", nil)
	req.AddCookie(ck)
	rec := httptest.NewRecorder()
	c.Logout(rec, req)
	if cl := respCookie(rec, sessionCookie); rec.Code != http.StatusSeeOther || cl == nil || cl.MaxAge >= 0 {
		t.Fatalf("logout: %d, cookie %+v", rec.Code, cl)
	}
	if code := get(ck); code != http.StatusSeeOther {
		t.Errorf("after logout the old cookie still works: %d", code)
	}
}
