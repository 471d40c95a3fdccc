// Package fetch is the crawler's HTTP client.
//
// It is safe by default: it refuses non-public addresses at dial time,
// after DNS, for every connection including redirects and robots.txt,
// unless allowed. It is bounded: timeouts for connecting, the TLS
// handshake, the response headers and the whole attempt; a minimum
// transfer rate against slow-drip servers; a body cap applied after
// decompression; a redirect limit with loop detection. And it is polite:
// robots.txt (RFC 9309) obeyed with its Crawl-delay, per-host spacing and
// concurrency, retries with exponential backoff and full jitter that
// honour Retry-After, conditional GET, its own User-Agent, cookies kept
// per host, one shared connection pool.
//
// Errors start with "fetch <url>:" and say what went wrong; those no
// retry can fix are marked syndicator.Permanent.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// Options configure a Fetcher; zero values get the defaults noted.
type Options struct {
	// UserAgent is sent with every request. Default "syndicator/1.0".
	UserAgent string
	// RobotsAgent is the product token looked up among robots.txt
	// User-agent lines. Default: from UserAgent, its first product
	// ("syndicator/1.0" → "syndicator"), or in a browser-like
	// "Mozilla/5.0 (compatible; syndicator/1.0; ...)" the product after
	// "compatible;". The "*" group applies when no group names it.
	RobotsAgent string
	// MaxBodyBytes caps a body, counted after decompression; a larger one
	// is ErrTooLarge. Default 20 MiB. Request.MaxBodyBytes overrides it.
	MaxBodyBytes int64
	// Timeout bounds one attempt — connecting, redirects, headers and the
	// whole body; retries each get their own. Default 60s.
	Timeout time.Duration
	// ConnectTimeout bounds each TCP connect. Default 10s.
	ConnectTimeout time.Duration
	// TLSHandshakeTimeout bounds each TLS handshake. Default 10s.
	TLSHandshakeTimeout time.Duration
	// ResponseHeaderTimeout bounds the wait for the response headers
	// after the request is sent. Default 30s.
	ResponseHeaderTimeout time.Duration
	// MinRate is the slowest body transfer accepted, in bytes per second
	// averaged over each MinRateWindow (so by default at least 1000 bytes
	// every 10s); a slower body ends the attempt with ErrTooSlow.
	// Default 100; negative turns the check off.
	MinRate int64
	// MinRateWindow is how often MinRate is checked. Default 10s.
	MinRateWindow time.Duration
	// MaxRedirects is the longest redirect chain followed. Default 10.
	MaxRedirects int
	// AllowPrivate is crawler.allow_private: host:port pairs or CIDRs that
	// may be fetched although not public.
	AllowPrivate []string
	// PerHostRPS is the highest request rate per host; 0 = unlimited. A
	// robots.txt Crawl-delay longer than 1/PerHostRPS wins.
	PerHostRPS float64
	// PerHostConcurrency is how many requests to one host may be in flight
	// at once. Default 1; negative = unlimited.
	PerHostConcurrency int
	// Retries is how many times a failed attempt is repeated: network
	// errors, timeouts, 5xx, 408 and 429. Default 3; negative = none.
	Retries int
	// BackoffBase and BackoffMax shape the wait before retry n: a random
	// duration up to min(BackoffMax, BackoffBase·2^(n-1)) ("full jitter"),
	// unless the server sent Retry-After. Defaults 1s and 60s.
	BackoffBase, BackoffMax time.Duration
	// MaxRetryAfter is the longest Retry-After waited for; a server asking
	// for more gets no retry, and the error carries StatusError.RetryAt.
	// Default 10m.
	MaxRetryAfter time.Duration
	// RobotsTTL is how long a robots.txt is cached per scheme, host and
	// port. Default 24h.
	RobotsTTL time.Duration
	// RobotsErrorTTL is how long an unreachable robots.txt (5xx, 429,
	// network error) disallows its host before it is fetched again; an
	// earlier copy, if any, stays in force meanwhile. Default 5m.
	RobotsErrorTTL time.Duration

	// lookupNetIP and dial replace the resolver and the connect of the
	// address guard; package tests set them so that no DNS query and no
	// connection to a non-loopback address ever leaves the machine.
	lookupNetIP func(ctx context.Context, network, host string) ([]netip.Addr, error)
	dial        func(ctx context.Context, network, addr string) (net.Conn, error)
	// now is the clock robots.txt copies expire by (default time.Now):
	// package tests advance it instead of sleeping through a TTL.
	now func() time.Time
}

// robotsMaxBytes is how much of a robots.txt is read; RFC 9309 asks for at
// least 500 KiB, and the rest is ignored.
const robotsMaxBytes = 500 << 10

func (o *Options) setDefaults() {
	setDefault(&o.UserAgent, "syndicator/1.0")
	setDefault(&o.MaxBodyBytes, 20<<20)
	setDefault(&o.Timeout, 60*time.Second)
	setDefault(&o.ConnectTimeout, 10*time.Second)
	setDefault(&o.TLSHandshakeTimeout, 10*time.Second)
	setDefault(&o.ResponseHeaderTimeout, 30*time.Second)
	setDefault(&o.MinRate, 100)
	setDefault(&o.MinRateWindow, 10*time.Second)
	setDefault(&o.MaxRedirects, 10)
	setDefault(&o.PerHostConcurrency, 1)
	setDefault(&o.Retries, 3)
	setDefault(&o.BackoffBase, time.Second)
	setDefault(&o.BackoffMax, 60*time.Second)
	setDefault(&o.MaxRetryAfter, 10*time.Minute)
	setDefault(&o.RobotsTTL, 24*time.Hour)
	setDefault(&o.RobotsErrorTTL, 5*time.Minute)
	o.Retries = max(o.Retries, 0)
	if o.lookupNetIP == nil {
		o.lookupNetIP = net.DefaultResolver.LookupNetIP
	}
	if o.dial == nil {
		o.dial = (&net.Dialer{Timeout: o.ConnectTimeout, KeepAlive: 30 * time.Second}).DialContext
	}
	if o.now == nil {
		o.now = time.Now
	}
}

// setDefault gives *v the default d when it is zero; a negative number
// stays as it is (it means "off" or "unlimited" where documented).
func setDefault[T int | int64 | time.Duration | string](v *T, d T) {
	var zero T
	if *v == zero {
		*v = d
	}
}

// Fetcher performs GET requests. It is safe for concurrent use; share one
// among all sources so that per-host limits and robots.txt are shared too.
type Fetcher struct {
	opts   Options
	agent  string // robots.txt product token
	client *http.Client
	// transport is the client's; tests reach in to turn its transparent
	// decompression off.
	transport *http.Transport
	limits    *hostLimits
	robots    *robotsCache
	scratch   scratch // buffers bodies of unknown length are read into
}

// Request is one resource to fetch with Do.
type Request struct {
	URL string
	// IgnoreRobots, when not empty, states why robots.txt is not obeyed
	// for this request (e.g. 经网站主办单位书面同意); robots.txt is then
	// neither fetched nor applied, Crawl-delay included. The fetcher logs
	// nothing: the reason comes back in Response.RobotsIgnored for the
	// caller to log. Empty means robots.txt is obeyed.
	IgnoreRobots string
	// ETag and LastModified are the validators of a copy the caller holds
	// (Response.ETag and Response.LastModified of an earlier fetch). When
	// set they are sent as If-None-Match and If-Modified-Since, and an
	// unchanged resource comes back as a 304 with NotModified set.
	ETag, LastModified string
	// MaxBodyBytes overrides Options.MaxBodyBytes for this request, e.g.
	// crawler.max_attachment_bytes for an attachment. 0 = the option.
	MaxBodyBytes int64
}

// Response is a fetched resource with its body read in full.
type Response struct {
	URL       string // final URL after redirects
	Status    int
	Proto     string      // e.g. HTTP/1.1
	Header    http.Header // response headers
	Request   http.Header // headers of the final request, for the WARC request record
	Body      []byte
	FetchedAt time.Time
	// NotModified is set for a 304 answering Request.ETag or
	// LastModified: the caller's copy is current. Body is then nil.
	NotModified bool
	// ETag and LastModified are the validators to send next time (from
	// the response, or those sent when a 304 repeated none).
	ETag, LastModified string
	// RobotsIgnored is Request.IgnoreRobots: robots.txt was not consulted,
	// for this reason.
	RobotsIgnored string
	// Attempts is how many requests it took, 1 when there was no retry.
	Attempts int
}

// New builds a Fetcher; it does no I/O.
func New(opts Options) (*Fetcher, error) {
	opts.setDefaults()
	allow, err := ParseAllowlist(opts.AllowPrivate)
	if err != nil {
		return nil, err
	}
	agent := productToken(opts.UserAgent)
	if opts.RobotsAgent != "" {
		agent = agentToken(opts.RobotsAgent)
	}
	dialer := &guardedDialer{dial: opts.dial, lookup: opts.lookupNetIP, allow: allow}
	transport := &http.Transport{
		Proxy:                 nil, // a proxy would bypass the address guard
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   opts.TLSHandshakeTimeout,
		ResponseHeaderTimeout: opts.ResponseHeaderTimeout,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
	}
	jar, _ := cookiejar.New(nil) // never fails with nil options
	f := &Fetcher{
		opts: opts, agent: agent, transport: transport,
		limits: newHostLimits(opts.PerHostRPS, opts.PerHostConcurrency),
		robots: &robotsCache{entries: map[string]*robotsEntry{}},
	}
	// No Client.Timeout: each attempt has its own deadline (exchange).
	f.client = &http.Client{Transport: transport, Jar: jar, CheckRedirect: f.checkRedirect}
	return f, nil
}

// Get fetches rawURL, obeying robots.txt: Do with just the URL.
func (f *Fetcher) Get(ctx context.Context, rawURL string) (*Response, error) {
	return f.Do(ctx, Request{URL: rawURL})
}

// Do fetches r.URL. It checks robots.txt (unless r.IgnoreRobots), waits
// its turn for the host, and retries transient failures. A non-2xx status
// is returned as a *StatusError together with the response; a 304 to a
// conditional request is no error. Errors no retry can fix (4xx other than
// 408 and 429, ErrPrivateAddress, ErrTooLarge, ErrDisallowed by a rule,
// ErrInvalidURL, redirect loops) are marked syndicator.Permanent. When ctx
// ends, Do returns at once.
func (f *Fetcher) Do(ctx context.Context, r Request) (*Response, error) {
	u, err := parseTarget(r.URL)
	if err != nil {
		return nil, f.describe(r.URL, 0, err)
	}
	var gap time.Duration // Crawl-delay
	if r.IgnoreRobots == "" {
		if gap, err = f.checkRobots(ctx, u); err != nil {
			return nil, f.describe(r.URL, 0, err)
		}
	}
	limit := r.MaxBodyBytes
	if limit <= 0 {
		limit = f.opts.MaxBodyBytes
	}
	hdr := http.Header{}
	if r.ETag != "" {
		hdr.Set("If-None-Match", r.ETag)
	}
	if r.LastModified != "" {
		hdr.Set("If-Modified-Since", r.LastModified)
	}
	ctx = withCall(ctx, r.IgnoreRobots == "")
	resp, attempts, err := f.retry(ctx, u.Hostname(), func() (*Response, error) {
		release, err := f.limits.acquire(ctx, u.Hostname(), gap, true)
		if err != nil {
			return nil, err
		}
		defer release()
		resp, err := f.exchange(ctx, r.URL, hdr, limit, false)
		switch {
		case err != nil:
			return nil, err
		case resp.Status == http.StatusNotModified && len(hdr) > 0:
			resp.NotModified = true
			if resp.ETag == "" && resp.LastModified == "" {
				resp.ETag, resp.LastModified = r.ETag, r.LastModified
			}
			return resp, nil
		case resp.Status < 200 || resp.Status > 299:
			return resp, &StatusError{URL: r.URL, Status: resp.Status, Response: resp}
		}
		return resp, nil
	})
	if resp != nil {
		resp.Attempts = attempts
	}
	if err != nil {
		return resp, f.describe(r.URL, attempts, err)
	}
	resp.RobotsIgnored = r.IgnoreRobots
	return resp, nil
}

// parseTarget accepts absolute http and https URLs with a host.
func parseTarget(rawURL string) (*url.URL, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidURL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%w: scheme %q, want http or https", ErrInvalidURL, u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("%w: no host", ErrInvalidURL)
	}
	return u, nil
}

// exchange sends one GET and reads the body (none for a 304) within the
// attempt's deadline and the slow-drip guard. The status is the caller's
// to judge.
func (f *Fetcher) exchange(ctx context.Context, rawURL string, hdr http.Header, limit int64, truncate bool) (*Response, error) {
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	actx, stop := context.WithTimeoutCause(actx, f.opts.Timeout,
		fmt.Errorf("%w: no complete response within %s", ErrTimeout, f.opts.Timeout))
	defer stop()
	req, err := http.NewRequestWithContext(actx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidURL, err)
	}
	req.Header.Set("User-Agent", f.opts.UserAgent)
	req.Header.Set("Accept-Language", "zh-CN,zh;q=0.9")
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, attemptError(ctx, actx, err)
	}
	defer resp.Body.Close()
	out := &Response{
		URL: resp.Request.URL.String(), Status: resp.StatusCode, Proto: resp.Proto, Header: resp.Header,
		Request: resp.Request.Header.Clone(),
		ETag:    resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"),
	}
	if resp.StatusCode != http.StatusNotModified {
		guard := startDripGuard(resp.Body, f.opts.MinRate, f.opts.MinRateWindow, cancel)
		out.Body, err = readBody(resp, limit, truncate, guard, &f.scratch)
		guard.stop()
		if err != nil {
			return nil, attemptError(ctx, actx, err)
		}
	}
	out.FetchedAt = time.Now().UTC()
	return out, nil
}

// attemptError puts the reason for a cancelled attempt in place of the
// transport's "context canceled": the caller's own ctx, or the attempt's
// timeout or slow-drip guard.
func attemptError(parent, attempt context.Context, err error) error {
	if perr := parent.Err(); perr != nil {
		return perr
	}
	if c := context.Cause(attempt); c != nil && (errors.Is(c, ErrTimeout) || errors.Is(c, ErrTooSlow)) {
		return c
	}
	return err
}

// checkRedirect follows up to MaxRedirects redirects to http(s) URLs,
// stops a loop, and applies the target's robots.txt (unless the request
// ignores robots.txt, or is for a robots.txt). The address guard applies
// when the target is dialled.
func (f *Fetcher) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= f.opts.MaxRedirects {
		return fmt.Errorf("%w: stopped after %d, at %s", ErrTooManyRedirects, len(via), req.URL.Redacted())
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return fmt.Errorf("%w: redirect to scheme %q", ErrInvalidURL, req.URL.Scheme)
	}
	// One return to a URL is allowed: some government WAFs set a cookie
	// and redirect to the same URL. A third visit is a loop.
	next, seen := req.URL.String(), 0
	for _, v := range via {
		if v.URL.String() == next {
			seen++
		}
	}
	if seen >= 2 {
		chain := make([]string, 0, len(via)+1)
		for _, v := range via {
			chain = append(chain, v.URL.Redacted())
		}
		chain = append(chain, req.URL.Redacted())
		return fmt.Errorf("%w: %s", ErrRedirectLoop, strings.Join(chain, " → "))
	}
	if obeysRobots(req.Context()) {
		if _, err := f.checkRobots(req.Context(), req.URL); err != nil {
			return err
		}
	}
	return nil
}

// callKey carries, in a request's context, whether its redirects must
// obey robots.txt.
type callKey struct{}

func withCall(ctx context.Context, obeyRobots bool) context.Context {
	return context.WithValue(ctx, callKey{}, obeyRobots)
}

func obeysRobots(ctx context.Context) bool {
	obey, _ := ctx.Value(callKey{}).(bool)
	return obey
}

// retry runs once until it succeeds, fails for good, or Options.Retries
// retries are spent, waiting between attempts as the server asks
// (Retry-After) or with exponential backoff and full jitter. It returns
// the last response and error, and how many attempts were made.
func (f *Fetcher) retry(ctx context.Context, host string, once func() (*Response, error)) (*Response, int, error) {
	for attempt := 1; ; attempt++ {
		resp, err := once()
		if err == nil || !retryable(ctx, err) {
			return resp, attempt, err
		}
		wait, asked := f.backoff(attempt, err)
		if asked && wait > f.opts.MaxRetryAfter {
			var se *StatusError
			if errors.As(err, &se) {
				se.RetryAt = time.Now().Add(wait)
			}
			return resp, attempt, err
		}
		if attempt > f.opts.Retries {
			return resp, attempt, err
		}
		if asked {
			f.limits.hold(host, time.Now().Add(wait)) // other requests to the host wait too
		}
		if werr := sleep(ctx, wait); werr != nil {
			return resp, attempt, fmt.Errorf("%w while waiting %s to retry after %s", werr, wait.Round(time.Millisecond), short(err))
		}
	}
}

// retryable reports whether another attempt may succeed: network errors,
// timeouts, slow bodies, 5xx, 408 and 429 — not a cancelled ctx, not a
// permanent error, not robots.txt, not an unknown host or a rejected
// certificate.
func retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil || permanent(err) || errors.Is(err, ErrDisallowed) {
		return false
	}
	var se *StatusError
	if errors.As(err, &se) {
		return se.Status == http.StatusRequestTimeout || se.Status == http.StatusTooManyRequests || se.Status >= 500
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return false
	}
	return !isCertError(err)
}

// backoff is the wait before the retry after attempt: the server's
// Retry-After (asked), or a random duration up to
// min(BackoffMax, BackoffBase·2^(attempt-1)).
func (f *Fetcher) backoff(attempt int, err error) (wait time.Duration, asked bool) {
	var se *StatusError
	if errors.As(err, &se) && se.Response != nil {
		if d, ok := retryAfter(se.Response.Header.Get("Retry-After"), time.Now()); ok {
			return d, true
		}
	}
	d := f.opts.BackoffBase
	for i := 1; i < attempt && d < f.opts.BackoffMax; i++ {
		d *= 2
	}
	d = min(d, f.opts.BackoffMax)
	if d <= 0 {
		return 0, false
	}
	return rand.N(d + 1), false
}

// retryAfter reads a Retry-After value: delay-seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := parseSeconds(v); err == nil {
		return n, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// parseSeconds reads a non-negative whole number of seconds, capped at a
// year (far beyond any MaxRetryAfter) against overflow.
func parseSeconds(v string) (time.Duration, error) {
	var n time.Duration
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("not a number of seconds: %q", v)
		}
		n = min(n*10+time.Duration(c-'0')*time.Second, 365*24*time.Hour)
	}
	return n, nil
}

// short names an error without the "fetch <url>:" a StatusError repeats.
func short(err error) string {
	var se *StatusError
	if errors.As(err, &se) {
		return fmt.Sprintf("HTTP %d %s", se.Status, http.StatusText(se.Status))
	}
	return err.Error()
}
