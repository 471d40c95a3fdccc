package console

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/config"
	"github.com/rs/zerolog"
)

func TestIsEvidenceKey(t *testing.T) {
	for key, want := range map[string]bool{
		"govcn-zuixin/2026/09/8f40dd38785f0256b537676b58581cd4/r1/capture.warc.gz":     true,
		"attachments/21fdc5edbfd55d198a9fa1ea48388d091f3bb1b83b3dc1c58d4c6da2336f0305": true,
		"guiyang-gfxwj/2026/09/4d04/r2/original.html":                                  true,
		"":                        false,
		"/etc/passwd":             false,
		"a/../b":                  false,
		"a/./b":                   false,
		"a//b":                    false,
		"a/b\\c":                  false,
		"a/b?c":                   false,
		strings.Repeat("a", 600):  false,
		"a/b/c/d/e/f/g/h/i/j/k/l": false,
	} {
		if got := IsEvidenceKey(key); got != want {
			t.Errorf("IsEvidenceKey(%q) = %v, want %v", key, got, want)
		}
	}
}

type mapArchive map[string][]byte

var errMissing = errors.New("missing")

func (m mapArchive) Get(_ context.Context, key string) ([]byte, error) {
	if b, ok := m[key]; ok {
		return b, nil
	}
	return nil, errMissing
}

// TestEvidenceDownloads: an archived page goes out as an attachment that
// cannot run in the console's origin; a missing object is 404, a bad key
// 400.
func TestEvidenceDownloads(t *testing.T) {
	key := "src/2026/09/0123/r1/original.html"
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	c, err := New(Deps{
		Live: func() Live {
			return Live{Tokens: []config.Token{{Name: "审计", Role: "auditor", Token: config.NewSecret("au-0123456789abcdef")}}}
		},
		Archive:    mapArchive{key: []byte("<script>alert(1)</script>")},
		IsNotFound: func(err error) bool { return errors.Is(err, errMissing) },
		Now:        func() time.Time { return now },
		Log:        zerolog.Nop(),
	})
	if err != nil {
		t.Fatal(err)
	}
	id := c.ses.create(User{Name: "审计", Role: "auditor"})
	mux := http.NewServeMux()
	mux.Handle("GET /console/evidence/{key...}", c.Guard(c.Evidence, false))
	for path, want := range map[string]int{
		"/console/evidence/" + key:         200,
		"/console/evidence/src/none.html":  404,
		"/console/evidence/src/a..b/c.txt": 400,
	} {
		req := httptest.NewRequest("GET", path, nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: id})
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("GET %s: %d, want %d", path, rec.Code, want)
		}
		if want != 200 {
			continue
		}
		h := rec.Header()
		if !strings.HasPrefix(h.Get("Content-Disposition"), "attachment") || h.Get("Content-Type") != "application/octet-stream" ||
			!strings.Contains(h.Get("Content-Security-Policy"), "sandbox") || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: headers %v: an archived page must download, sandboxed", path, h)
		}
		if rec.Body.String() != "<script>alert(1)</script>" {
			t.Errorf("GET %s: body %q", path, rec.Body.String())
		}
	}
}
