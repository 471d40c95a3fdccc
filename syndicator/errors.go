package syndicator

import (
	"errors"
	"time"
)

// permanentError marks a failure that no retry can fix: bad input, a 4xx, a
// conflicting object. Consumers dead-letter it at once; every other error is
// transient and retried with backoff.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// ErrClaimGone is in the chain of a claim-check read whose object is not in
// the store: deleted once its consumers were done with it, expired, or never
// stored. A reader that kept the bytes elsewhere (the archive) reads them
// there instead.
var ErrClaimGone = errors.New("claim gone")

// Permanent wraps err so that IsPermanent reports true. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether any error in err's chain was marked Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// laterError asks the consumer to hand the event back after a delay: not a
// failure, the handler is waiting for something (the issuer's own page of a
// document seen first as a copy, a CMS's Retry-After).
type laterError struct {
	after  time.Duration
	reason string
}

func (e *laterError) Error() string { return "later: " + e.reason }

// Later returns an error that makes the consumer redeliver the event after d.
func Later(d time.Duration, reason string) error { return &laterError{after: d, reason: reason} }

// RetryAfter reports the delay asked for by Later anywhere in err's chain.
func RetryAfter(err error) (time.Duration, bool) {
	var l *laterError
	if errors.As(err, &l) {
		return l.after, true
	}
	return 0, false
}
