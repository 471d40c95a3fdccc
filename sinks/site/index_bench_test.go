package site

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"
)

// BenchmarkIndexNewArticle measures what one new article costs the site's
// indexer on a site of N articles spread over the columns, one an hour
// (about 730 a month): writes/op are the docroot writes, cpu-ms/op the
// process's user and system CPU time (getrusage) per article. Loading the
// site and its first pass are not counted.
func BenchmarkIndexNewArticle(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("articles=%d", n), func(b *testing.B) {
			dst := newMemPages()
			x := newSiteIndex(indexRenderer(b, 0), indexColumns)
			for i := range n {
				if err := x.set(fmt.Sprintf("%032x", i), indexArticle(i, indexColumns[i%len(indexColumns)].ID)); err != nil {
					b.Fatal(err)
				}
			}
			mustPass(b, x, dst)
			dst.puts = nil
			ctx := context.Background()
			before := cpuTime(b)
			b.ResetTimer()
			for i := range b.N {
				a := indexArticle(n+i, indexColumns[(n+i)%len(indexColumns)].ID)
				if err := x.set(a.Item.ID, a); err != nil {
					b.Fatal(err)
				}
				if _, err := x.pass(ctx, dst); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			used := cpuTime(b) - before
			b.ReportMetric(float64(len(dst.puts))/float64(b.N), "writes/op")
			b.ReportMetric(float64(used)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
		})
	}
}

// cpuTime is the user and system CPU time the process has used.
func cpuTime(b *testing.B) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
