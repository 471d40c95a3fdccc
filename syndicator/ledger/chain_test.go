package ledger

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
)

// chain returns n sealed entries with varied facts (Chinese text, HTML
// metacharacters, times in +08:00) so canonical form is exercised.
func chain(t testing.TB, n int) []*Entry {
	t.Helper()
	cst := time.FixedZone("CST", 8*3600)
	kinds := []syndicator.Kind{syndicator.KindDiscovered, syndicator.KindDecided, syndicator.KindArchived, syndicator.KindPublished}
	var out []*Entry
	var prev *Entry
	for i := range n {
		e := &Entry{
			At:          time.Date(2024, 5, 6, 9, 0, i, 123456789, time.UTC),
			EventSeq:    uint64(10 + 2*i),
			Subject:     fmt.Sprintf("synd.item.%s.govcn", kinds[i%len(kinds)]),
			EventSHA256: fmt.Sprintf("%064x", i+1),
			Fact: Fact{
				Kind: kinds[i%len(kinds)], ID: fmt.Sprintf("%032x", i), Revision: 1, Source: "govcn",
				EventAt:     time.Date(2024, 5, 6, 17, 0, i, 0, cst),
				Title:       fmt.Sprintf("国务院关于印发《生态环境<保护>&规划》的通知 %d", i),
				PublishedAt: time.Date(2024, 5, 6, 0, 0, 0, 0, cst), Precision: syndicator.PrecisionDay,
				ArchiveKeys: []string{"govcn/2024/05/x/r1/original.html"},
			},
		}
		if err := Seal(prev, e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
		prev = e
	}
	return out
}

// export writes entries as an export made an hour after the last of them.
func export(t testing.TB, entries []*Entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	at := time.Date(2024, 5, 6, 10, 0, 0, 0, time.UTC)
	if len(entries) > 0 {
		at = entries[len(entries)-1].At.Add(time.Hour)
	}
	x := NewWriter(&buf, at)
	for _, e := range entries {
		if err := x.Write(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func lines(b []byte) []string { return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") }

func join(ls []string) []byte { return []byte(strings.Join(ls, "\n") + "\n") }

func verifyErr(t *testing.T, data []byte) *VerifyError {
	t.Helper()
	_, err := Verify(bytes.NewReader(data), VerifyOptions{})
	if err == nil {
		t.Fatalf("tampered export verified:\n%s", data)
	}
	var ve *VerifyError
	if !errors.As(err, &ve) {
		t.Fatalf("error is %T (%v), want *VerifyError", err, err)
	}
	return ve
}

func TestUntouchedExportVerifies(t *testing.T) {
	entries := chain(t, 10)
	s, err := Verify(bytes.NewReader(export(t, entries)), VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Count != 10 || s.FirstSeq != 1 || s.LastSeq != 10 || s.Head != entries[9].Hash || s.Partial {
		t.Errorf("summary %+v", s)
	}
}

func TestSealLinksEntries(t *testing.T) {
	es := chain(t, 3)
	if es[0].Prev != "" || es[1].Prev != es[0].Hash || es[2].Seq != 3 || len(es[2].Hash) != 64 {
		t.Fatalf("bad links: %+v", es)
	}
	h, _ := HashOf(es[1])
	if h != es[1].Hash {
		t.Fatalf("HashOf %s != sealed %s", h, es[1].Hash)
	}
	c := *es[1]
	c.Fact.Title += "x"
	if h2, _ := HashOf(&c); h2 == es[1].Hash {
		t.Fatal("hash ignores the title")
	}
}

func TestTamperingNamesTheEntry(t *testing.T) {
	entries := chain(t, 10)
	good := lines(export(t, entries)) // line i+1 holds seq i+1; line 11 the trailer
	edit := func(f func(ls []string) []string) []byte {
		ls := append([]string(nil), good...)
		return join(f(ls))
	}
	cases := []struct {
		name       string
		data       []byte
		line       int
		seq        uint64
		reasonPart string
	}{
		{"edited title", edit(func(ls []string) []string {
			ls[4] = strings.Replace(ls[4], "通知", "通告", 1)
			return ls
		}), 5, 5, "哈希不符"},
		{"edited and rehashed", edit(func(ls []string) []string {
			e := *entries[4]
			e.Fact.Title = "伪造"
			e.Hash, _ = HashOf(&e)
			b, _ := Canonical(&e)
			ls[4] = string(b)
			return ls
		}), 6, 6, "前一哈希不符"},
		{"non-canonical key case", edit(func(ls []string) []string {
			ls[2] = strings.Replace(ls[2], `"subject"`, `"Subject"`, 1)
			return ls
		}), 3, 3, "格式被改动"},
		{"deleted", edit(func(ls []string) []string {
			return append(ls[:6], ls[7:]...)
		}), 7, 8, "缺少 seq 7"},
		{"deleted two", edit(func(ls []string) []string {
			return append(ls[:2], ls[4:]...)
		}), 3, 5, "缺少 seq 3–4"},
		{"reordered", edit(func(ls []string) []string {
			ls[3], ls[4] = ls[4], ls[3]
			return ls
		}), 4, 5, "缺少 seq 4"},
		{"duplicated", edit(func(ls []string) []string {
			return append(ls[:5], append([]string{ls[3]}, ls[5:]...)...)
		}), 6, 4, "序号倒退"},
		{"truncated line", edit(func(ls []string) []string {
			ls[7] = ls[7][:len(ls[7])/2]
			return ls
		}), 8, 8, "无法解析"},
		{"truncated tail", edit(func(ls []string) []string {
			return ls[:7]
		}), 7, 7, "缺少结尾记录"},
		{"last entry and trailer cut", edit(func(ls []string) []string {
			return append(ls[:9], ls[9][:40])
		}), 10, 10, "无法解析"},
		{"last entry deleted", edit(func(ls []string) []string {
			return append(ls[:9], ls[10])
		}), 10, 0, "结尾记录与内容不符"},
		{"first entry deleted", edit(func(ls []string) []string {
			return ls[1:]
		}), 10, 0, "结尾记录与内容不符"},
		{"first entry deleted, trailer rewritten", edit(func(ls []string) []string {
			// A consistent trailer for seq 2–10 that does not admit to being partial.
			tr := fmt.Sprintf(`{"type":"end","count":9,"first_seq":2,"last_seq":10,"head":"%s"}`, entries[9].Hash)
			return append(ls[1:10], tr)
		}), 1, 2, "缺少开头的条目"},
		{"content after trailer", edit(func(ls []string) []string {
			return append(ls, ls[0])
		}), 12, 10, "结尾记录之后"},
		{"blank line", edit(func(ls []string) []string {
			return append(ls[:3], append([]string{""}, ls[3:]...)...)
		}), 4, 4, "无法解析"},
		{"carriage return", edit(func(ls []string) []string {
			ls[1] += "\r"
			return ls
		}), 2, 2, "格式被改动"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ve := verifyErr(t, c.data)
			if ve.Line != c.line || (c.seq != 0 && ve.Seq != c.seq) || !strings.Contains(ve.Reason, c.reasonPart) {
				t.Errorf("got %v (line %d seq %d); want line %d seq %d reason containing %q", ve, ve.Line, ve.Seq, c.line, c.seq, c.reasonPart)
			}
		})
	}
}

func TestEmptyAndPartialExports(t *testing.T) {
	empty := export(t, nil)
	if s, err := Verify(bytes.NewReader(empty), VerifyOptions{}); err != nil || s.Count != 0 {
		t.Fatalf("empty export: %+v %v", s, err)
	}
	if ve := verifyErr(t, nil); ve.Line != 1 || !strings.Contains(ve.Reason, "缺少结尾记录") {
		t.Errorf("empty file: %v", ve)
	}
	entries := chain(t, 10)
	part := export(t, entries[3:8])
	s, err := Verify(bytes.NewReader(part), VerifyOptions{})
	if err != nil {
		t.Fatalf("partial export: %v", err)
	}
	if !s.Partial || s.FirstSeq != 4 || s.LastSeq != 8 || s.Count != 5 {
		t.Errorf("partial summary %+v", s)
	}
	ls := lines(part)
	if ve := verifyErr(t, join(append(ls[:1], ls[2:]...))); ve.Seq != 6 || ve.Line != 2 {
		t.Errorf("partial with a deletion: %v", ve)
	}
}

func TestAnchorsCatchARewrittenTail(t *testing.T) {
	entries := chain(t, 10)
	anchors := map[uint64]Anchor{9: {Seq: 9, Hash: entries[8].Hash, Key: "audit/anchors/k9"}}
	if s, err := Verify(bytes.NewReader(export(t, entries)), VerifyOptions{Anchors: anchors}); err != nil || s.Anchors != 1 {
		t.Fatalf("untouched with anchor: %+v %v", s, err)
	}
	// Cut after seq 7 with a consistent trailer: only the anchor knows.
	_, err := Verify(bytes.NewReader(export(t, entries[:7])), VerifyOptions{Anchors: anchors})
	var ve *VerifyError
	if !errors.As(err, &ve) || ve.Seq != 7 || !strings.Contains(ve.Reason, "短于存档锚点") {
		t.Fatalf("truncated tail with anchor: %v", err)
	}
	// An export made before entry 9 was recorded is not held against its
	// anchor, but reports it; so is one from before exported_at existed.
	var early bytes.Buffer
	x := NewWriter(&early, entries[6].At.Add(time.Millisecond))
	for _, e := range entries[:7] {
		if err := x.Write(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	later := map[uint64]Anchor{9: {Seq: 9, Hash: entries[8].Hash, At: entries[8].At, Key: "audit/anchors/k9"}}
	if s, err := Verify(bytes.NewReader(early.Bytes()), VerifyOptions{Anchors: later}); err != nil || s.Anchors != 0 || s.AnchorsAfter != 1 {
		t.Fatalf("export older than the anchor: %+v %v", s, err)
	}
	legacy := strings.Replace(early.String(), `,"exported_at":"`+x.Trailer().ExportedAt.Format(time.RFC3339Nano)+`"`, "", 1)
	if legacy == early.String() {
		t.Fatalf("exported_at not in the trailer: %s", early.String())
	}
	if _, err := Verify(strings.NewReader(legacy), VerifyOptions{Anchors: later}); !errors.As(err, &ve) || !strings.Contains(ve.Reason, "短于存档锚点") {
		t.Fatalf("export without exported_at, shorter than an anchor: %v", err)
	}
	// A rewritten entry 9 that chains correctly: the anchor disagrees.
	forged := append([]*Entry(nil), entries[:8]...)
	prev := entries[7]
	for _, e := range entries[8:] {
		c := *e
		c.Fact.Title = "伪造"
		if err := Seal(prev, &c); err != nil {
			t.Fatal(err)
		}
		forged = append(forged, &c)
		prev = &c
	}
	_, err = Verify(bytes.NewReader(export(t, forged)), VerifyOptions{Anchors: anchors})
	if !errors.As(err, &ve) || ve.Seq != 9 || ve.Line != 9 || !strings.Contains(ve.Reason, "存档锚点") {
		t.Fatalf("forged tail with anchor: %v", err)
	}
}

func TestLiveVerifyNeedsNoTrailer(t *testing.T) {
	entries := chain(t, 4)
	v := NewVerifier(VerifyOptions{Live: true})
	for _, e := range entries {
		b, _ := Canonical(e)
		if _, err := v.Add(b); err != nil {
			t.Fatal(err)
		}
	}
	if s, err := v.End(); err != nil || s.Count != 4 {
		t.Fatalf("live: %+v %v", s, err)
	}
	v = NewVerifier(VerifyOptions{Live: true})
	b, _ := Canonical(entries[1])
	_, err := v.Add(b)
	var ve *VerifyError
	if !errors.As(err, &ve) || ve.Seq != 2 || ve.Line != 0 || !strings.Contains(ve.Error(), "seq 2") {
		t.Fatalf("live chain missing seq 1: %v", err)
	}
}

// Every single-byte change anywhere in an entry line is caught.
func TestEverySingleByteEditFails(t *testing.T) {
	t.Parallel()
	valid := export(t, chain(t, 3))
	end := bytes.LastIndexByte(valid[:len(valid)-1], '\n')
	for i := range end {
		for _, b := range []byte{'0', 'a', ' ', '"', '\n', '\r', 0xff} {
			if valid[i] == b || valid[i] == '\n' {
				continue
			}
			edited := bytes.Clone(valid)
			edited[i] = b
			if _, err := Verify(bytes.NewReader(edited), VerifyOptions{}); err == nil {
				t.Fatalf("byte %d changed from %q to %q and the export still verifies", i, valid[i], b)
			}
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	data := export(b, chain(b, 10000))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Verify(bytes.NewReader(data), VerifyOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
