package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"testing"

	"github.com/gyeco/syndicator/syndicator"
)

// TestClassify maps each failure the fetcher knows to its Kind.
func TestClassify(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		err  error
		want Kind
	}{
		{&StatusError{Status: 404}, KindHTTP4xx},
		{&StatusError{Status: 429}, KindHTTP4xx},
		{&StatusError{Status: 503}, KindHTTP5xx},
		{&StatusError{Status: 304}, KindHTTPOther},
		{fmt.Errorf("%w: no complete response within 1s", ErrTimeout), KindTimeout},
		{ErrTooSlow, KindTooSlow},
		{ErrTooLarge, KindTooLarge},
		{&RobotsError{Rule: "Disallow: /"}, KindRobots},
		{fmt.Errorf("dial: %w", ErrPrivateAddress), KindPrivateAddress},
		{fmt.Errorf("%w: a → b → a", ErrRedirectLoop), KindRedirect},
		{ErrTooManyRedirects, KindRedirect},
		{fmt.Errorf("%w: no host", ErrInvalidURL), KindInvalidURL},
		{context.Canceled, KindCanceled},
		{context.DeadlineExceeded, KindCanceled},
		{&url.Error{Op: "Get", URL: "https://x", Err: &net.DNSError{Name: "x", IsNotFound: true}}, KindDNS},
		{&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, KindConnection},
		{&net.OpError{Op: "read", Err: syscall.ECONNRESET}, KindConnection},
		{io.ErrUnexpectedEOF, KindConnection},
		{errors.New("net/http: TLS handshake timeout"), KindTimeout},
		{errors.New("something new"), KindOther},
	} {
		if got := classify(c.err); got != c.want {
			t.Errorf("classify(%v) = %s, want %s", c.err, got, c.want)
		}
	}
}

// TestKindOf checks that the errors Do returns carry their Kind and keep
// their message, type and permanent mark, and that other errors have none.
func TestKindOf(t *testing.T) {
	t.Parallel()
	_, srv := newSite(t, "", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/gone":
			http.NotFound(w, r)
		default:
			w.WriteHeader(http.StatusBadGateway)
		}
	})
	f := newTestFetcher(t, Options{Retries: 1}, nil, srv)
	ctx := context.Background()

	_, err := f.Get(ctx, srv.URL+"/gone")
	if k, ok := KindOf(err); !ok || k != KindHTTP4xx {
		t.Errorf("404: KindOf = %q, %v (%v)", k, ok, err)
	}
	var se *StatusError
	if !errors.As(err, &se) || se.Status != 404 || !syndicator.IsPermanent(err) || err.Error() != se.Error() {
		t.Errorf("404: the kind changed the error: %T %v", err, err)
	}
	_, err = f.Get(ctx, srv.URL+"/busy")
	if k, ok := KindOf(err); !ok || k != KindHTTP5xx || syndicator.IsPermanent(err) {
		t.Errorf("502: KindOf = %q, %v (%v)", k, ok, err)
	}
	_, err = f.Get(ctx, "ftp://example.org/x")
	if k, ok := KindOf(err); !ok || k != KindInvalidURL || !errors.Is(err, ErrInvalidURL) {
		t.Errorf("ftp: KindOf = %q, %v (%v)", k, ok, err)
	}
	_, err = f.Get(ctx, "https://unknown.test/x")
	if k, ok := KindOf(err); !ok || k != KindDNS {
		t.Errorf("unknown host: KindOf = %q, %v (%v)", k, ok, err)
	}
	// Wrapped further by a caller, the kind is still found.
	if k, ok := KindOf(fmt.Errorf("read item: %w", err)); !ok || k != KindDNS {
		t.Errorf("wrapped: KindOf = %q, %v", k, ok)
	}
	if k, ok := KindOf(errors.New("extract: no title")); ok {
		t.Errorf("an error not from the fetcher has kind %q", k)
	}
	if _, ok := KindOf(nil); ok {
		t.Error("nil has a kind")
	}
}
