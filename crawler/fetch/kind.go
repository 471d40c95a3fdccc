package fetch

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
)

// Kind names the class of a fetch failure. Kinds are stable labels for
// metrics and alerts; the messages describe writes are for people and may
// change.
type Kind string

const (
	KindHTTP4xx        Kind = "http_4xx"        // the server answered 4xx (404, 403, 429, …)
	KindHTTP5xx        Kind = "http_5xx"        // the server answered 5xx
	KindHTTPOther      Kind = "http_other"      // another non-2xx status (a 3xx without a target, 1xx)
	KindTimeout        Kind = "timeout"         // no complete response in time: attempt, connect, TLS or header timeout
	KindTooSlow        Kind = "too_slow"        // the body arrived below Options.MinRate
	KindTooLarge       Kind = "too_large"       // the body exceeds the size limit
	KindRobots         Kind = "robots"          // robots.txt disallows the URL (or could not be read)
	KindPrivateAddress Kind = "private_address" // the host resolves to a private or loopback address
	KindRedirect       Kind = "redirect"        // a redirect loop, or too many redirects
	KindInvalidURL     Kind = "invalid_url"     // not an http(s) URL with a usable host
	KindDNS            Kind = "dns"             // the host name does not resolve
	KindTLS            Kind = "tls"             // certificate rejected, or no TLS on the port
	KindConnection     Kind = "connection"      // refused, reset, unreachable, closed mid-response
	KindCanceled       Kind = "canceled"        // the caller's context ended (shutdown, its deadline)
	KindOther          Kind = "other"           // none of the above
)

// kindError carries a failure's Kind out of Do. It is otherwise invisible:
// the same message, and the cause for errors.Is and errors.As.
type kindError struct {
	kind Kind
	err  error
}

func (e *kindError) Error() string { return e.err.Error() }
func (e *kindError) Unwrap() error { return e.err }

// KindOf returns the Kind of a failure the fetcher returned, anywhere in
// err's chain. ok is false for an error that did not come from the
// fetcher, such as an extraction or NATS failure in the same poll, so that
// a caller counts fetch failures only.
func KindOf(err error) (kind Kind, ok bool) {
	var ke *kindError
	if errors.As(err, &ke) {
		return ke.kind, true
	}
	return "", false
}

// classify names the kind of the cause of a failed fetch. The order
// matters: the attempt's own timeout and guards come before the network
// errors they surface as.
func classify(err error) Kind {
	var (
		se     *StatusError
		dnsErr *net.DNSError
		recErr tls.RecordHeaderError
		netErr net.Error
	)
	switch {
	case errors.Is(err, ErrTimeout):
		return KindTimeout
	case errors.Is(err, ErrTooSlow):
		return KindTooSlow
	case errors.As(err, &se):
		switch {
		case se.Status >= 400 && se.Status < 500:
			return KindHTTP4xx
		case se.Status >= 500 && se.Status < 600:
			return KindHTTP5xx
		}
		return KindHTTPOther
	case errors.Is(err, ErrDisallowed):
		return KindRobots
	case errors.Is(err, ErrPrivateAddress):
		return KindPrivateAddress
	case errors.Is(err, ErrTooLarge):
		return KindTooLarge
	case errors.Is(err, ErrRedirectLoop), errors.Is(err, ErrTooManyRedirects):
		return KindRedirect
	case errors.Is(err, ErrInvalidURL):
		return KindInvalidURL
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return KindCanceled
	case errors.As(err, &dnsErr):
		return KindDNS
	case isCertError(err), errors.As(err, &recErr):
		return KindTLS
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return KindConnection
	case errors.As(err, &netErr) && netErr.Timeout(), strings.Contains(err.Error(), "TLS handshake timeout"),
		strings.Contains(err.Error(), "timeout awaiting response headers"):
		return KindTimeout
	}
	return KindOther
}
