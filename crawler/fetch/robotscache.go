package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gyeco/syndicator/syndicator"
)

// robotsCache holds one robots.txt per origin (scheme, host, port). Each
// is fetched once however many requests wait for it.
type robotsCache struct {
	mu      sync.Mutex
	entries map[string]*robotsEntry
}

// robotsEntry is one origin's robots.txt. Its fields are set before ready
// is closed and never changed after.
type robotsEntry struct {
	ready chan struct{}
	url   string
	// rules apply to us; nil when there are none (no robots.txt, 4xx, or
	// no group for us or "*").
	rules *robotsRules
	// failure, when set, says why robots.txt could not be read (5xx, 429):
	// every path is disallowed until expires.
	failure string
	// unreachable, when set, is the network error that kept robots.txt
	// from being read: nothing is fetched from the origin until expires.
	unreachable error
	expires     time.Time
}

// maxRobotsEntries is the cache size beyond which expired entries are
// dropped.
const maxRobotsEntries = 256

// checkRobots applies u's robots.txt. It returns the Crawl-delay of the
// group that applies, or a *RobotsError: permanent for a rule, transient
// while robots.txt is unreachable.
func (f *Fetcher) checkRobots(ctx context.Context, u *url.URL) (time.Duration, error) {
	path := robotsPath(u)
	if path == "/robots.txt" {
		return 0, nil
	}
	e, err := f.robotsFor(ctx, u)
	if err != nil {
		return 0, err
	}
	switch {
	case e.unreachable != nil:
		// Not a refusal by robots.txt: the site did not answer. Say so.
		return 0, fmt.Errorf("robots.txt %s unreachable, so nothing is fetched from there before %s: %w",
			e.url, e.expires.UTC().Format(time.RFC3339), e.unreachable)
	case e.failure != "":
		return 0, &RobotsError{URL: u.Redacted(), RobotsURL: e.url, Rule: "robots.txt unreachable (" + e.failure + ")",
			RetryAt: e.expires}
	case e.rules == nil:
		return 0, nil
	}
	if ok, rule := e.rules.allowed(path); !ok {
		return 0, syndicator.Permanent(&RobotsError{URL: u.Redacted(), RobotsURL: e.url, Rule: rule.line, Group: e.rules.group})
	}
	return e.rules.delay, nil
}

// robotsFor returns u's origin's robots.txt, fetching it if it is not
// cached or has expired. Concurrent callers wait for one fetch; if that
// caller's ctx ends, another takes over.
func (f *Fetcher) robotsFor(ctx context.Context, u *url.URL) (*robotsEntry, error) {
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	port := u.Port()
	switch {
	case port != "":
	case scheme == "https":
		port = "443"
	default:
		port = "80"
	}
	key := scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
	c := f.robots
	for {
		c.mu.Lock()
		e := c.entries[key]
		if e != nil {
			select {
			case <-e.ready:
				if f.opts.now().Before(e.expires) {
					c.mu.Unlock()
					return e, nil
				}
			default: // being fetched
				c.mu.Unlock()
				select {
				case <-e.ready:
					continue
				case <-ctx.Done():
					return nil, ctx.Err()
				}
			}
		}
		prev := e // expired, or nil
		fresh := &robotsEntry{ready: make(chan struct{}), url: scheme + "://" + host + "/robots.txt"}
		c.entries[key] = fresh
		c.pruneLocked(f.opts.now())
		c.mu.Unlock()

		err := f.loadRobots(ctx, u.Hostname(), fresh, prev)
		c.mu.Lock()
		if err != nil { // nothing learnt: the next caller tries again
			if prev != nil {
				c.entries[key] = prev
			} else {
				delete(c.entries, key)
			}
		}
		close(fresh.ready)
		c.mu.Unlock()
		if err != nil {
			return nil, err
		}
		return fresh, nil
	}
}

// pruneLocked drops the entries expired at now once the cache is large.
func (c *robotsCache) pruneLocked(now time.Time) {
	if len(c.entries) <= maxRobotsEntries {
		return
	}
	for k, e := range c.entries {
		select {
		case <-e.ready:
			if now.After(e.expires) {
				delete(c.entries, k)
			}
		default:
		}
	}
}

// loadRobots fetches e.url through the guarded client, with retries, and
// fills e as RFC 9309 §2.3.1 says: 2xx → its rules; 4xx (but 408 and
// 429), too many redirects, a redirect the guard refuses → no rules; 5xx,
// 429, 408 → every path disallowed, and a network error → nothing fetched,
// until RobotsErrorTTL (or the server's Retry-After) — unless an earlier
// copy (prev) exists, which stays in force meanwhile (§2.4). It returns
// an error, and caches nothing, when ctx ends or the origin's own address
// is refused by the guard (the page would be refused too).
func (f *Fetcher) loadRobots(ctx context.Context, host string, e, prev *robotsEntry) error {
	rctx := withCall(ctx, false) // robots.txt is not subject to robots.txt
	resp, attempts, err := f.retry(rctx, host, func() (*Response, error) {
		release, err := f.limits.acquire(rctx, host, 0, false) // spaced, but no slot: see hostLimits
		if err != nil {
			return nil, err
		}
		defer release()
		resp, err := f.exchange(rctx, e.url, nil, robotsMaxBytes, true)
		if err != nil {
			return nil, err
		}
		if resp.Status < 200 || resp.Status > 299 {
			return resp, &StatusError{URL: e.url, Status: resp.Status, Response: resp}
		}
		return resp, nil
	})
	now := f.opts.now()
	e.expires = now.Add(f.opts.RobotsTTL)
	var se *StatusError
	var ue *url.Error
	switch {
	case err == nil:
		e.rules = parseRobots(resp.Body).rulesFor(f.agent)
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, ErrPrivateAddress) && errors.As(err, &ue) && ue.URL == e.url:
		return ue.Err
	case errors.As(err, &se) && (se.Status == http.StatusRequestTimeout || se.Status == http.StatusTooManyRequests):
		// unreachable, below
	case permanent(err), se != nil && se.Status < 500:
		return nil // unavailable: no rules
	}
	e.expires = now.Add(f.opts.RobotsErrorTTL)
	switch {
	case prev != nil && prev.failure == "" && prev.unreachable == nil:
		e.rules = prev.rules // RFC 9309 §2.4: the cached copy stays in force
	case se != nil:
		e.failure = f.describe(e.url, attempts, err).Error()
		if se.RetryAt.After(e.expires) {
			e.expires = se.RetryAt
		}
	case errors.As(err, &ue):
		e.unreachable = ue.Err
	default:
		e.unreachable = err
	}
	return nil
}
