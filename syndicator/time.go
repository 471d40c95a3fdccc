package syndicator

import (
	"time"
	_ "time/tzdata" // the binary must work without a system zone database
)

// Shanghai is Beijing time, in which every source date is read.
// It is immutable once loaded, so sharing it is safe.
var Shanghai = mustLoad("Asia/Shanghai")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // unreachable with time/tzdata embedded
	}
	return loc
}
