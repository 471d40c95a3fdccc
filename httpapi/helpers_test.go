package httpapi

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/syndicator/audit/report"
)

const (
	operatorToken = "op-0123456789abcdef"
	auditorToken  = "au-0123456789abcdef"
)

// testOrigin is where the tests' requests say they go.
const testOrigin = "http://syndicator.test"

// call sends method target to h, with token as the bearer token (none
// when empty) and "{}" as the body, and returns the answer and its body.
func call(t testing.TB, h http.Handler, method, target, token string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(method, testOrigin+target, strings.NewReader("{}"))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	resp := rec.Result()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// parseConfig is the configuration of a test, from YAML.
func parseConfig(t testing.TB, yaml string) *config.Config {
	t.Helper()
	cfg, err := config.Parse("test.yml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// testReports is the HTML audit report renderer of a test's Server.
func testReports(t testing.TB) *report.Renderer {
	t.Helper()
	r, err := report.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// visitor uses the console through a handler as a browser would: it
// keeps the cookies the handler sets and follows no redirect, so a test
// sees where each answer sends it.
type visitor struct {
	t   *testing.T
	h   http.Handler
	jar *cookiejar.Jar
}

func newVisitor(t *testing.T, h http.Handler) *visitor {
	jar, _ := cookiejar.New(nil)
	return &visitor{t: t, h: h, jar: jar}
}

// send sends method path, with form as its body when it is not nil.
func (v *visitor) send(method, path string, form url.Values) (int, string, http.Header) {
	v.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, testOrigin+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, c := range v.jar.Cookies(req.URL) {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	v.h.ServeHTTP(rec, req)
	v.jar.SetCookies(req.URL, rec.Result().Cookies())
	return rec.Code, rec.Body.String(), rec.Header()
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrfOn is the CSRF token of the form on the page at path.
func (v *visitor) csrfOn(path string) string {
	v.t.Helper()
	code, page, _ := v.send("GET", path, nil)
	m := csrfField.FindStringSubmatch(page)
	if code != http.StatusOK || m == nil {
		v.t.Fatalf("GET %s: %d, no csrf field\n%.2000s", path, code, page)
	}
	return m[1]
}

// signIn signs in with token and returns the session's CSRF token.
func (v *visitor) signIn(token string) string {
	v.t.Helper()
	form := url.Values{"csrf": {v.csrfOn("/console/login")}, "token": {token}, "next": {"/console/"}}
	if code, page, h := v.send("POST", "/console/login", form); code != http.StatusSeeOther || h.Get("Location") != "/console/" {
		v.t.Fatalf("sign in: %d → %q\n%.2000s", code, h.Get("Location"), page)
	}
	return v.csrfOn("/console/")
}
