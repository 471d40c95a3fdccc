package record

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"time"
)

// ReadLines decodes JSON lines of records.
func ReadLines(r io.Reader) ([]Record, error) {
	var out []Record
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for n := 1; sc.Scan(); n++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var rec Record
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		out = append(out, rec)
	}
	return out, sc.Err()
}

// Path is the path of a record's URL, the key records are matched by.
func Path(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Path
}

// Check compares got with the truth, every record: each truth page must
// appear exactly once with equal fields, and nothing else may appear. It
// returns one line per problem, at most limit of them (0: all), and the
// number of problems.
func Check(truth, got []Record, limit int) (problems []string, n int) {
	add := func(format string, args ...any) {
		n++
		if limit <= 0 || len(problems) < limit {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	want := make(map[string]*Record, len(truth))
	for i := range truth {
		want[Path(truth[i].URL)] = &truth[i]
	}
	seen := make(map[string]bool, len(got))
	for i := range got {
		g := &got[i]
		p := Path(g.URL)
		w, ok := want[p]
		switch {
		case !ok:
			add("%s: not in the truth file", p)
			continue
		case seen[p]:
			add("%s: recorded twice", p)
			continue
		}
		seen[p] = true
		for _, d := range diff(w, g) {
			add("%s: %s", p, d)
		}
	}
	for i := range truth {
		if p := Path(truth[i].URL); !seen[p] {
			add("%s: missing", p)
		}
	}
	return problems, n
}

// diff lists the fields of g that differ from w.
func diff(w, g *Record) []string {
	var out []string
	field := func(name, want, got string) {
		if want != got {
			out = append(out, fmt.Sprintf("%s = %q, want %q", name, got, want))
		}
	}
	field("title", w.Title, g.Title)
	field("doc_number", w.DocNumber, g.DocNumber)
	field("issuer", w.Issuer, g.Issuer)
	field("written", w.Written, g.Written)
	if !sameInstant(w.Published, g.Published) {
		out = append(out, fmt.Sprintf("published = %q, want %q", g.Published, w.Published))
	}
	field("body_sha256", w.BodySHA256, g.BodySHA256)
	if w.BodyRunes != g.BodyRunes {
		out = append(out, fmt.Sprintf("body_runes = %d, want %d", g.BodyRunes, w.BodyRunes))
	}
	return out
}

func sameInstant(a, b string) bool {
	ta, errA := time.Parse(time.RFC3339, a)
	tb, errB := time.Parse(time.RFC3339, b)
	if errA != nil || errB != nil {
		return a == b
	}
	return ta.Equal(tb)
}
