package console

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var updateGoldens = flag.Bool("update", false, "rewrite console/testdata/diff/*.golden and testdata/pages/*.golden from the current output")

func diffRows(spec ...string) []DiffRow {
	// Each spec is "op|old|new".
	out := make([]DiffRow, len(spec))
	for i, s := range spec {
		p := strings.Split(s, "|")
		out[i] = DiffRow{Op: p[0], Old: p[1], New: p[2]}
	}
	return out
}

func TestDiff(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		want     []DiffRow
	}{
		{"both empty", "", "", nil},
		{"blank only", "\n  \n\t\n", " \n", nil},
		{"identical", "第一条\n第二条\n第三条", "第一条\n第二条\n第三条",
			diffRows("eq|第一条|第一条", "eq|第二条|第二条", "eq|第三条|第三条")},
		{"pure insertion in the middle", "a\nb\nc", "a\nb\nnew1\nnew2\nc",
			diffRows("eq|a|a", "eq|b|b", "ins||new1", "ins||new2", "eq|c|c")},
		{"insertion into empty", "", "x\ny", diffRows("ins||x", "ins||y")},
		{"pure deletion in the middle", "a\ngone1\ngone2\nb", "a\nb",
			diffRows("eq|a|a", "del|gone1|", "del|gone2|", "eq|b|b")},
		{"deletion of everything", "x\ny", "", diffRows("del|x|", "del|y|")},
		{"changed line in the middle is one chg row", "标题\n为深入推进河长制，现提出如下意见。\n附件",
			"标题\n为全面推行林长制，现提出如下意见。\n附件",
			diffRows("eq|标题|标题", "chg|为深入推进河长制，现提出如下意见。|为全面推行林长制，现提出如下意见。", "eq|附件|附件")},
		{"blank lines and indentation ignored", "  a\n\n\tb  \r\n\n\nc", "a\nb\n   c\n\n",
			diffRows("eq|a|a", "eq|b|b", "eq|c|c")},
		{"whitespace inside a line is a change", "a b", "a  b", diffRows("chg|a b|a  b")},
		{"more deletions than insertions", "a\nx1\nx2\nx3\nb", "a\ny1\nb",
			diffRows("eq|a|a", "chg|x1|y1", "del|x2|", "del|x3|", "eq|b|b")},
		{"more insertions than deletions", "a\nx1\nb", "a\ny1\ny2\ny3\nb",
			diffRows("eq|a|a", "chg|x1|y1", "ins||y2", "ins||y3", "eq|b|b")},
		{"change at both ends", "old head\nmid\nold tail", "new head\nmid\nnew tail",
			diffRows("chg|old head|new head", "eq|mid|mid", "chg|old tail|new tail")},
		{"moved line keeps the longest common part", "a\nb\nc\nd", "b\nc\nd\na",
			diffRows("del|a|", "eq|b|b", "eq|c|c", "eq|d|d", "ins||a")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Diff(tt.old, tt.new)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Diff(%q, %q) =\n%s\nwant\n%s", tt.old, tt.new, renderRows(got), renderRows(tt.want))
			}
		})
	}
}

func TestDiffCapsLongTexts(t *testing.T) {
	long := func(n int, prefix string) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "%s%d\n", prefix, i)
		}
		return b.String()
	}
	const marker = "……（以下省略）"
	t.Run("identical long texts", func(t *testing.T) {
		rows := Diff(long(maxDiffLines+500, "l"), long(maxDiffLines+500, "l"))
		if len(rows) != maxDiffLines+1 {
			t.Fatalf("%d rows, want %d (maxDiffLines and the marker)", len(rows), maxDiffLines+1)
		}
		if last := rows[len(rows)-1]; last != (DiffRow{Op: "eq", Old: marker, New: marker}) {
			t.Errorf("last row %+v, want the marker on both sides", last)
		}
		for _, r := range rows[:maxDiffLines] {
			if r.Op != "eq" {
				t.Fatalf("row %+v in identical texts", r)
			}
		}
	})
	t.Run("only the longer side is cut", func(t *testing.T) {
		rows := Diff(long(10, "l"), long(maxDiffLines+1, "l"))
		if len(rows) != maxDiffLines+1 {
			t.Fatalf("%d rows, want %d", len(rows), maxDiffLines+1)
		}
		for i, r := range rows {
			switch {
			case i < 10 && r.Op != "eq", i >= 10 && r.Op != "ins":
				t.Fatalf("row %d = %+v", i, r)
			}
		}
		if last := rows[len(rows)-1]; last.New != marker || last.Old != "" {
			t.Errorf("last row %+v, want the marker inserted", last)
		}
	})
	t.Run("exactly maxDiffLines is not cut", func(t *testing.T) {
		rows := Diff(long(maxDiffLines, "l"), "")
		if len(rows) != maxDiffLines || rows[len(rows)-1].Old == marker {
			t.Errorf("%d rows, last %+v; want %d deletions without the marker", len(rows), rows[len(rows)-1], maxDiffLines)
		}
	})
}

func eqRows(n int, prefix string) []DiffRow {
	out := make([]DiffRow, n)
	for i := range out {
		s := fmt.Sprintf("%s%d", prefix, i)
		out[i] = DiffRow{Op: "eq", Old: s, New: s}
	}
	return out
}

func catRows(parts ...[]DiffRow) []DiffRow {
	var out []DiffRow
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func foldRow(n int) DiffRow {
	return DiffRow{Op: "fold", Old: fmt.Sprintf("（%d 行相同，已省略）", n)}
}

func TestFold(t *testing.T) {
	chg := diffRows("chg|旧|新")
	del := diffRows("del|删|")
	ins := diffRows("ins||增")
	a, b := eqRows(10, "a"), eqRows(10, "b")
	tests := []struct {
		name    string
		rows    []DiffRow
		context int
		want    []DiffRow
	}{
		{"no rows", nil, 2, nil},
		{"no change folds everything", eqRows(5, "a"), 2, []DiffRow{foldRow(5)}},
		{"change only", catRows(chg, del, ins), 2, catRows(chg, del, ins)},
		{"context around one change", catRows(a, chg, b), 2,
			catRows([]DiffRow{foldRow(8)}, a[8:], chg, b[:2], []DiffRow{foldRow(8)})},
		{"context 0 keeps the changes only", catRows(a, chg, b), 0,
			catRows([]DiffRow{foldRow(10)}, chg, []DiffRow{foldRow(10)})},
		{"short runs at the ends are kept", catRows(a[:2], chg, b[:2]), 2, catRows(a[:2], chg, b[:2])},
		{"run between two changes within the context is kept", catRows(del, a[:4], ins), 2, catRows(del, a[:4], ins)},
		{"long run between two changes is folded once", catRows(del, a, ins), 2,
			catRows(del, a[:2], []DiffRow{foldRow(6)}, a[8:], ins)},
		{"context larger than the rows", catRows(a[:3], chg, b[:3]), 100, catRows(a[:3], chg, b[:3])},
		{"five identical lines said so", catRows(chg, eqRows(7, "c")), 2, catRows(chg, eqRows(2, "c"), []DiffRow{foldRow(5)})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Fold(tt.rows, tt.context)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Fold(context %d) =\n%s\nwant\n%s", tt.context, renderRows(got), renderRows(tt.want))
			}
		})
	}
	if got := foldRow(5).Old; got != "（5 行相同，已省略）" {
		t.Errorf("fold text %q", got)
	}
}

// TestFoldNeverHidesAChange: whatever the context, a changed row is never
// folded away into a row that calls it identical.
func TestFoldNeverHidesAChange(t *testing.T) {
	rows := catRows(eqRows(3, "a"), diffRows("chg|旧|新"), eqRows(3, "b"))
	for _, context := range []int{-1, 0, 1, 2, 5} {
		got := Fold(rows, context)
		n := 0
		for _, r := range got {
			if r.Op == "chg" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("Fold(context %d) = %s: the change is gone", context, renderRows(got))
		}
	}
}

// render is the golden rendering: one line per row, op TAB old TAB new.
func renderRows(rows []DiffRow) string {
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%s\t%s\t%s\n", r.Op, r.Old, r.New)
	}
	return b.String()
}

func TestDiffGolden(t *testing.T) {
	olds, err := filepath.Glob("testdata/diff/*.old.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(olds) == 0 {
		t.Fatal("no testdata/diff/*.old.txt")
	}
	for _, oldPath := range olds {
		name := strings.TrimSuffix(filepath.Base(oldPath), ".old.txt")
		t.Run(name, func(t *testing.T) {
			oldText := readTestFile(t, oldPath)
			newText := readTestFile(t, filepath.Join("testdata/diff", name+".new.txt"))
			rows := Diff(oldText, newText)
			got := "# Diff\n" + renderRows(rows) + "# Fold 2\n" + renderRows(Fold(rows, 2))
			golden := filepath.Join("testdata/diff", name+".golden")
			if *updateGoldens {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if want := readTestFile(t, golden); got != want {
				t.Errorf("%s differs (go test ./console -run TestDiffGolden -update rewrites it):\ngot\n%s\nwant\n%s", golden, got, want)
			}
		})
	}
}

func readTestFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// lcsLen is the length of the longest common subsequence, the plain way.
func lcsLen(a, b []string) int {
	prev := make([]int, len(b)+1)
	for i := range a {
		cur := make([]int, len(b)+1)
		for j := range b {
			if a[i] == b[j] {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(prev[j+1], cur[j])
			}
		}
		prev = cur
	}
	return prev[len(b)]
}

func FuzzDiff(f *testing.F) {
	f.Add("a\nb\nc", "a\nc\nd")
	f.Add("", "x")
	f.Add("第一条\n\n  第二条", "第一条\n第三条\n第二条\n")
	f.Add("a\na\na\nb", "b\na\na")
	f.Add("x\r\ny\r\n", "x\ny")
	f.Fuzz(func(t *testing.T, oldText, newText string) {
		a, b := lines(oldText), lines(newText)
		if len(a) > maxDiffLines || len(b) > maxDiffLines {
			t.Skip("the cap is tested by TestDiffCapsLongTexts")
		}
		rows := Diff(oldText, newText)
		var olds, news []string
		eq := 0
		for _, r := range rows {
			switch r.Op {
			case "eq":
				eq++
				if r.Old != r.New {
					t.Fatalf("eq row %+v with different sides", r)
				}
			case "chg":
				if r.Old == "" || r.New == "" {
					t.Fatalf("chg row %+v with an empty side", r)
				}
			case "del":
				if r.New != "" {
					t.Fatalf("del row %+v with a new side", r)
				}
			case "ins":
				if r.Old != "" {
					t.Fatalf("ins row %+v with an old side", r)
				}
			default:
				t.Fatalf("row %+v: unknown op", r)
			}
			if r.Old == "" && r.New == "" {
				t.Fatalf("row %+v with both sides empty", r)
			}
			if r.Old != "" {
				olds = append(olds, r.Old)
			}
			if r.New != "" {
				news = append(news, r.New)
			}
		}
		if !reflect.DeepEqual(olds, a) {
			t.Fatalf("old sides %q, want the old lines %q", olds, a)
		}
		if !reflect.DeepEqual(news, b) {
			t.Fatalf("new sides %q, want the new lines %q", news, b)
		}
		if want := lcsLen(a, b); eq != want {
			t.Fatalf("%d unchanged rows, want the longest common subsequence %d", eq, want)
		}

		// Folded, the changes stay as they were and the folds count the rest.
		for _, context := range []int{0, 2} {
			folded := Fold(rows, context)
			var changed []DiffRow
			kept := 0
			for _, r := range rows {
				if r.Op != "eq" {
					changed = append(changed, r)
				}
			}
			var gotChanged []DiffRow
			for i, r := range folded {
				switch r.Op {
				case "fold":
					var n int
					if _, err := fmt.Sscanf(r.Old, "（%d 行相同，已省略）", &n); err != nil || n < 1 || r.New != "" {
						t.Fatalf("fold row %+v", r)
					}
					if i > 0 && folded[i-1].Op == "fold" {
						t.Fatalf("two fold rows in a row: %s", renderRows(folded))
					}
					kept += n
				case "eq":
					kept++
				default:
					gotChanged = append(gotChanged, r)
				}
			}
			if !reflect.DeepEqual(gotChanged, changed) || kept != eq {
				t.Fatalf("Fold(context %d) lost rows:\n%s\nof\n%s", context, renderRows(folded), renderRows(rows))
			}
		}
	})
}
