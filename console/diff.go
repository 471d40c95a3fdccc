package console

import (
	"fmt"
	"strings"
)

// DiffRow is one row of a side-by-side diff: a line of the old text, of
// the new, or of both.
type DiffRow struct {
	Old, New string
	Op       string // eq | del | ins | chg
}

// maxDiffLines bounds the texts a diff compares: the LCS table is
// quadratic, and no reader reads a longer diff side by side.
const maxDiffLines = 2000

// Diff compares two texts line by line (longest common subsequence) and
// pairs the removed and added lines of each change side by side.
func Diff(oldText, newText string) []DiffRow {
	a, b := lines(oldText), lines(newText)
	if len(a) > maxDiffLines {
		a = append(a[:maxDiffLines:maxDiffLines], "……（以下省略）")
	}
	if len(b) > maxDiffLines {
		b = append(b[:maxDiffLines:maxDiffLines], "……（以下省略）")
	}
	// lcs[i][j] is the LCS length of a[i:] and b[j:].
	lcs := make([][]int32, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int32, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []DiffRow
	var dels, inss []string
	flush := func() {
		n := max(len(dels), len(inss))
		for k := range n {
			row := DiffRow{Op: "chg"}
			if k < len(dels) {
				row.Old = dels[k]
			}
			if k < len(inss) {
				row.New = inss[k]
			}
			switch {
			case k >= len(dels):
				row.Op = "ins"
			case k >= len(inss):
				row.Op = "del"
			}
			out = append(out, row)
		}
		dels, inss = dels[:0], inss[:0]
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			flush()
			out = append(out, DiffRow{Old: a[i], New: b[j], Op: "eq"})
			i++
			j++
		case j < len(b) && (i == len(a) || lcs[i][j+1] >= lcs[i+1][j]):
			inss = append(inss, b[j])
			j++
		default:
			dels = append(dels, a[i])
			i++
		}
	}
	flush()
	return out
}

// lines splits text into its non-blank lines, trimmed: a reflowed
// paragraph's whitespace is no change a reader cares about.
func lines(s string) []string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// Fold keeps context unchanged rows around each change and replaces the
// longer runs of unchanged rows between them by one "fold" row that says
// how many were left out.
func Fold(rows []DiffRow, context int) []DiffRow {
	context = max(context, 0)
	keep := make([]bool, len(rows))
	for i, r := range rows {
		if r.Op == "eq" {
			continue
		}
		for j := max(0, i-context); j <= min(len(rows)-1, i+context); j++ {
			keep[j] = true
		}
	}
	var out []DiffRow
	for i := 0; i < len(rows); {
		if keep[i] {
			out = append(out, rows[i])
			i++
			continue
		}
		j := i
		for j < len(rows) && !keep[j] {
			j++
		}
		if j-i == 1 {
			out = append(out, rows[i]) // a fold row would be no shorter
		} else {
			out = append(out, DiffRow{Op: "fold", Old: fmt.Sprintf("（%d 行相同，已省略）", j-i)})
		}
		i = j
	}
	return out
}
