package crawler

import "time"

// Observer is told how polls go, for metrics: cmd/syndicator gives the
// crawlers the process's Prometheus instruments (httpapi.Instruments), so
// this package needs none. It is called from every source's goroutine at
// once.
type Observer interface {
	// Poll reports one poll of source that ran to its end: how long it
	// took, and the error that kept its lists from being read (nil when
	// they were read).
	Poll(source string, took time.Duration, err error)
	// ItemFailed reports an item of source whose detail page could not be
	// read or announced this poll (it is retried at the next); the error
	// tells a fetch failure (fetch.KindOf) from any other.
	ItemFailed(source string, err error)
}

// noObserver is the Observer of a crawler built without one.
type noObserver struct{}

func (noObserver) Poll(string, time.Duration, error) {}
func (noObserver) ItemFailed(string, error)          {}
