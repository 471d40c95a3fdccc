// Package fetch is the crawler's HTTP client: safe by default (it refuses
// non-public addresses at dial time unless allowed), bounded (timeouts, a
// body cap applied after decompression, a redirect limit) and polite (its
// own User-Agent, cookies kept per host, one shared connection pool).
package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"time"

	"github.com/gyeco/syndicator/syndicator"
)

// Options configure a Fetcher; zero values get the defaults noted.
type Options struct {
	UserAgent    string        // default "syndicator/1.0"
	MaxBodyBytes int64         // default 20 MiB, counted after decompression
	Timeout      time.Duration // whole request including body; default 60s
	MaxRedirects int           // default 10
	AllowPrivate []string      // crawler.allow_private
	PerHostRPS   float64       // requests per second per host; 0 = unlimited
}

// Fetcher performs GET requests. It is safe for concurrent use.
type Fetcher struct {
	client *http.Client
	opts   Options
	limits *hostLimits
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
}

// ErrTooLarge is returned when a body exceeds MaxBodyBytes.
var ErrTooLarge = errors.New("fetch: body exceeds the size limit")

// New builds a Fetcher; it does no I/O.
func New(opts Options) (*Fetcher, error) {
	if opts.UserAgent == "" {
		opts.UserAgent = "syndicator/1.0"
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 20 << 20
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 60 * time.Second
	}
	if opts.MaxRedirects <= 0 {
		opts.MaxRedirects = 10
	}
	allow, err := ParseAllowlist(opts.AllowPrivate)
	if err != nil {
		return nil, err
	}
	dialer := &guardedDialer{
		dialer:   &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second},
		resolver: net.DefaultResolver,
		allow:    allow,
	}
	transport := &http.Transport{
		Proxy:                 nil, // a proxy would bypass the address guard
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
	}
	jar, _ := cookiejar.New(nil) // never fails with nil options
	f := &Fetcher{opts: opts, limits: newHostLimits(opts.PerHostRPS)}
	f.client = &http.Client{
		Transport: transport,
		Jar:       jar,
		Timeout:   opts.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= opts.MaxRedirects {
				return fmt.Errorf("fetch: stopped after %d redirects", len(via))
			}
			for _, v := range via {
				if v.URL.String() == req.URL.String() {
					return fmt.Errorf("fetch: redirect loop at %s", req.URL.Redacted())
				}
			}
			return nil
		},
	}
	return f, nil
}

// Get fetches rawURL. A non-2xx status is returned as a *StatusError with
// the response; network failures are transient, policy refusals permanent.
func (f *Fetcher) Get(ctx context.Context, rawURL string) (*Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, syndicator.Permanent(fmt.Errorf("fetch %s: %w", rawURL, err))
	}
	if err := f.limits.wait(ctx, req.URL.Host); err != nil {
		return nil, fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	req.Header.Set("User-Agent", f.opts.UserAgent)
	req.Header.Set("Accept-Language", "zh-CN,zh;q=0.9")
	resp, err := f.client.Do(req)
	if err != nil {
		if errors.Is(err, ErrPrivateAddress) {
			return nil, syndicator.Permanent(fmt.Errorf("fetch %s: %w", rawURL, err))
		}
		return nil, fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.opts.MaxBodyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("fetch %s: read body: %w", rawURL, err)
	}
	if int64(len(body)) > f.opts.MaxBodyBytes {
		return nil, syndicator.Permanent(fmt.Errorf("fetch %s: %w (%d bytes)", rawURL, ErrTooLarge, f.opts.MaxBodyBytes))
	}
	r := &Response{
		URL: resp.Request.URL.String(), Status: resp.StatusCode, Proto: resp.Proto, Header: resp.Header,
		Request: resp.Request.Header.Clone(), Body: body, FetchedAt: time.Now().UTC(),
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		err := &StatusError{URL: rawURL, Status: resp.StatusCode, Response: r}
		if resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests {
			return r, syndicator.Permanent(err)
		}
		return r, err
	}
	return r, nil
}

// StatusError is a response with a non-2xx status.
type StatusError struct {
	URL      string
	Status   int
	Response *Response
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("fetch %s: HTTP %d %s", e.URL, e.Status, http.StatusText(e.Status))
}
