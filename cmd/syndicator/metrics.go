package main

import (
	"sync"

	"github.com/gyeco/syndicator/httpapi"
)

// appMetrics holds an App's instruments (httpapi.Instruments: the
// process's Prometheus registry), made on first use: the crawlers feed
// them and the server reads them, from different goroutines.
type appMetrics struct {
	once sync.Once
	in   *httpapi.Instruments
}

// instruments are the App's: one registry per process.
func (a *App) instruments() *httpapi.Instruments {
	a.metrics.once.Do(func() { a.metrics.in = httpapi.NewInstruments() })
	return a.metrics.in
}
