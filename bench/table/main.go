// Command table prints the crawl comparison of bench/run from its results
// file: one line per run, "contender round pages cpu_ms maxrss_kb wall_s"
// (CPU is user+sys of the contender process as the kernel counted it). It
// prints, per contender, the median of the rounds: CPU ms per page, peak RSS
// in MiB, wall time, and the CPU ratios to the floor and to Colly.
//
//	table FILE
package main

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

// run is one line of the results file.
type run struct {
	pages        int
	cpuMS, rssKB float64
	wallS        float64
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "用法：table 结果文件")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "table:", err)
		os.Exit(1)
	}
	defer f.Close()
	var order []string
	runs := map[string][]run{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) != 6 {
			continue
		}
		pages, _ := strconv.Atoi(fs[2])
		cpu, _ := strconv.ParseFloat(fs[3], 64)
		rss, _ := strconv.ParseFloat(fs[4], 64)
		wall, _ := strconv.ParseFloat(fs[5], 64)
		if _, ok := runs[fs[0]]; !ok {
			order = append(order, fs[0])
		}
		runs[fs[0]] = append(runs[fs[0]], run{pages: pages, cpuMS: cpu, rssKB: rss, wallS: wall})
	}
	type row struct {
		name                  string
		rounds                int
		perPage, rssMiB, wall float64
	}
	rows := map[string]row{}
	for _, name := range order {
		rs := runs[name]
		rows[name] = row{
			name:    name,
			rounds:  len(rs),
			perPage: median(rs, func(r run) float64 { return r.cpuMS / float64(r.pages) }),
			rssMiB:  median(rs, func(r run) float64 { return r.rssKB / 1024 }),
			wall:    median(rs, func(r run) float64 { return r.wallS }),
		}
	}
	ratio := func(v float64, to string) string {
		base, ok := rows[to]
		if !ok || base.perPage == 0 {
			return "—"
		}
		return fmt.Sprintf("%.2f×", v/base.perPage)
	}
	fmt.Println("| contender | rounds | CPU ms/page | × floor | × colly | peak RSS MiB | wall s |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, name := range order {
		r := rows[name]
		fmt.Printf("| %s | %d | %.3f | %s | %s | %.1f | %.1f |\n",
			r.name, r.rounds, r.perPage, ratio(r.perPage, "floor"), ratio(r.perPage, "colly"), r.rssMiB, r.wall)
	}
}

// median of f over rs: the middle value, or the mean of the two middle ones.
func median(rs []run, f func(run) float64) float64 {
	vs := make([]float64, len(rs))
	for i, r := range rs {
		vs[i] = f(r)
	}
	slices.Sort(vs)
	n := len(vs)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return vs[n/2]
	}
	return (vs[n/2-1] + vs[n/2]) / 2
}
