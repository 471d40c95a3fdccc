package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/gyeco/syndicator/syndicator"
)

// Sentinel errors; test for them with errors.Is. ErrPrivateAddress is in
// guard.go. Which of them are permanent is said on each.
var (
	// ErrTooLarge: the body exceeds the size limit (permanent).
	ErrTooLarge = errors.New("fetch: body exceeds the size limit")
	// ErrDisallowed: robots.txt does not let us fetch the URL. A rule match
	// is permanent; an unreachable robots.txt (5xx, network error) is
	// transient. errors.As with *RobotsError gives the details.
	ErrDisallowed = errors.New("fetch: disallowed by robots.txt")
	// ErrTooSlow: the body arrived more slowly than Options.MinRate
	// (transient; retried).
	ErrTooSlow = errors.New("fetch: body arrives too slowly")
	// ErrTimeout: an attempt took longer than Options.Timeout (transient;
	// retried).
	ErrTimeout = errors.New("fetch: timed out")
	// ErrRedirectLoop: a redirect chain came back to a URL a third time
	// (permanent).
	ErrRedirectLoop = errors.New("fetch: redirect loop")
	// ErrTooManyRedirects: more than Options.MaxRedirects redirects
	// (permanent).
	ErrTooManyRedirects = errors.New("fetch: too many redirects")
	// ErrInvalidURL: the URL or a redirect target is not an http(s) URL
	// with a usable host (permanent).
	ErrInvalidURL = errors.New("fetch: invalid URL")
)

// StatusError is a response with a non-2xx status (other than a 304
// answering a conditional request). 4xx statuses except 408 and 429 come
// back marked permanent; the others are transient.
type StatusError struct {
	URL      string
	Status   int
	Response *Response
	// Attempts is how many requests were made, retries included.
	Attempts int
	// RetryAt is set when the server's Retry-After pointed further ahead
	// than Options.MaxRetryAfter, so the fetcher gave up instead of
	// waiting: the caller should not ask again before then.
	RetryAt time.Time
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("fetch %s: HTTP %d %s", e.URL, e.Status, http.StatusText(e.Status))
	if e.Attempts > 1 {
		s += fmt.Sprintf(" (%d attempts)", e.Attempts)
	}
	if !e.RetryAt.IsZero() {
		s += fmt.Sprintf("; the server asks to retry after %s, longer than the fetcher waits",
			e.RetryAt.UTC().Format(time.RFC3339))
	}
	return s
}

// RobotsError explains a refusal by robots.txt. It matches ErrDisallowed.
type RobotsError struct {
	URL       string // the refused URL
	RobotsURL string
	// Rule is the deciding line, e.g. "Disallow: /zhengce/", or why all
	// paths are disallowed ("robots.txt unreachable: HTTP 503 ...").
	Rule string
	// Group is the user-agent group that applied: our product token or "*".
	Group string
	// RetryAt is set when robots.txt could not be read: it is fetched
	// again from then on.
	RetryAt time.Time
}

func (e *RobotsError) Error() string {
	if !e.RetryAt.IsZero() {
		return fmt.Sprintf("%s: %s, so every path is disallowed until %s", ErrDisallowed.Error(), e.Rule,
			e.RetryAt.UTC().Format(time.RFC3339))
	}
	return fmt.Sprintf("%s: %q for user-agent %q in %s (state a reason in ignore_robots to override)",
		ErrDisallowed.Error(), e.Rule, e.Group, e.RobotsURL)
}

// Is makes errors.Is(err, ErrDisallowed) true.
func (e *RobotsError) Is(target error) bool { return target == ErrDisallowed }

// permanent reports whether no retry can fix err.
func permanent(err error) bool {
	var se *StatusError
	if errors.As(err, &se) && permanentStatus(se.Status) {
		return true
	}
	return syndicator.IsPermanent(err) ||
		errors.Is(err, ErrPrivateAddress) || errors.Is(err, ErrTooLarge) || errors.Is(err, ErrInvalidURL) ||
		errors.Is(err, ErrRedirectLoop) || errors.Is(err, ErrTooManyRedirects)
}

func permanentStatus(status int) bool {
	return status >= 400 && status < 500 && status != http.StatusRequestTimeout && status != http.StatusTooManyRequests
}

// describe turns the last error of a fetch into what the caller gets: a
// message that starts with the URL and says in words what went wrong, the
// cause kept for errors.Is and errors.As, the permanent mark when no
// retry can help, and the failure's Kind (KindOf). It is the one place
// that maps failures to messages.
func (f *Fetcher) describe(rawURL string, attempts int, err error) error {
	return &kindError{kind: classify(err), err: f.phrase(rawURL, attempts, err)}
}

// phrase is describe without the Kind.
func (f *Fetcher) phrase(rawURL string, attempts int, err error) error {
	var se *StatusError
	if errors.As(err, &se) && se.URL == rawURL {
		se.Attempts = attempts
		if permanentStatus(se.Status) {
			return syndicator.Permanent(se)
		}
		return se
	}
	where := "fetch " + rawURL
	if attempts > 1 {
		where += fmt.Sprintf(" (%d attempts)", attempts)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		// Drop the client's `Get "URL":` prefix; keep where a redirect led.
		if ue.URL != rawURL && !strings.Contains(ue.Err.Error(), ue.URL) {
			where += " (redirected to " + ue.URL + ")"
		}
		err = ue.Err
	}
	var out error
	if msg := f.explain(err); msg != "" {
		out = fmt.Errorf("%s: %s: %w", where, msg, err)
	} else {
		out = fmt.Errorf("%s: %w", where, err)
	}
	if permanent(err) {
		return syndicator.Permanent(out)
	}
	return out
}

// explain names a network, TLS or timeout failure in words, or returns ""
// when the error says enough by itself.
func (f *Fetcher) explain(err error) string {
	var (
		dnsErr *net.DNSError
		recErr tls.RecordHeaderError
		opErr  *net.OpError
		netErr net.Error
	)
	msg := err.Error()
	switch {
	case errors.Is(err, ErrPrivateAddress), errors.Is(err, ErrTooLarge), errors.Is(err, ErrDisallowed),
		errors.Is(err, ErrTooSlow), errors.Is(err, ErrTimeout), errors.Is(err, ErrRedirectLoop),
		errors.Is(err, ErrTooManyRedirects), errors.Is(err, ErrInvalidURL):
		return ""
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return fmt.Sprintf("host %s not found", dnsErr.Name)
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("cannot resolve %s", dnsErr.Name)
	case isCertError(err):
		return "the site's TLS certificate is not accepted"
	case errors.As(err, &recErr):
		return "the server does not speak TLS on this port"
	case strings.Contains(msg, "TLS handshake timeout"):
		return fmt.Sprintf("TLS handshake not finished within %s", f.opts.TLSHandshakeTimeout)
	case strings.Contains(msg, "timeout awaiting response headers"):
		return fmt.Sprintf("no response headers within %s", f.opts.ResponseHeaderTimeout)
	case errors.As(err, &opErr) && opErr.Op == "dial" && opErr.Timeout():
		return fmt.Sprintf("could not connect within %s", f.opts.ConnectTimeout)
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "the caller's deadline passed"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused (is the site up, and does it accept connections from this network?)"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by the server"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "no route to the host"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "the connection closed before the response was complete"
	case errors.As(err, &netErr) && netErr.Timeout():
		return "timed out"
	}
	return ""
}

// isCertError reports whether err is a rejected TLS certificate, which
// no immediate retry can fix.
func isCertError(err error) bool {
	var (
		certErr     *tls.CertificateVerificationError
		unknownAuth x509.UnknownAuthorityError
		hostErr     x509.HostnameError
		invalid     x509.CertificateInvalidError
	)
	return errors.As(err, &certErr) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr) || errors.As(err, &invalid)
}
