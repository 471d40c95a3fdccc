package main

import (
	"os"
	"runtime/debug"

	"github.com/rs/zerolog"
)

// runMemoryLimit is the Go runtime's soft memory limit for `syndicator
// run` when GOMEMLIMIT sets none. The process holds the embedded
// nats-server, whose file store keeps each message block it writes or
// reads in a buffer of up to the block size (8 MiB for a stream, 4 MiB for
// a bucket) for 10 s, and pools freed ones until the next collections: with
// the default GOGC the heap grew to twice that and stayed (517–599 MiB at
// 5,000 items, issue 14). Under the limit the collector runs before the
// heap reaches it and returns freed pages to the system. It is soft: a live
// heap above it is not an error, only collected more often. 128 MiB: at
// 5,000 items run peaked at 186 MiB RSS and spent 52 ms CPU per item, with
// 160 MiB at 212 MiB and 47 ms (issue 14's goal: 200 MiB).
const runMemoryLimit = 128 << 20

// softMemoryLimit applies runMemoryLimit unless the operator chose a limit
// with GOMEMLIMIT (which the runtime has already applied).
func softMemoryLimit(log zerolog.Logger) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(runMemoryLimit)
	log.Debug().Int64("bytes", runMemoryLimit).Msg("soft memory limit set (GOMEMLIMIT overrides it)")
}
