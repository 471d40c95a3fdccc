package ledger

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// maxLine bounds one exported line; an entry is a few KiB at most.
const maxLine = 16 << 20

// VerifyOptions say what a verifier checks besides the chain itself.
type VerifyOptions struct {
	// Live means the entries come from stream SYND_AUDIT, not from a file:
	// there is no trailer and the chain must start at seq 1.
	Live bool
	// Anchors are the chain heads written to the archive, by seq: the entry
	// with that seq must carry that hash, and a full chain must reach every
	// anchor (a ledger shorter than an anchor was truncated) except, in an
	// export, anchors of entries recorded after it was made: those are
	// counted in Summary.AnchorsAfter.
	Anchors map[uint64]Anchor
}

// Summary describes a chain that verified.
type Summary struct {
	Count    int    `json:"count"`
	FirstSeq uint64 `json:"first_seq"`
	LastSeq  uint64 `json:"last_seq"`
	Head     string `json:"head"`
	Partial  bool   `json:"partial,omitempty"`
	// Anchors counts the archive anchors the chain was checked against.
	Anchors int `json:"anchors"`
	// AnchorsAfter counts anchors of entries recorded after the export.
	AnchorsAfter int `json:"anchors_after,omitempty"`
}

// Verifier checks a chain one line at a time, so a ledger of any length
// verifies in constant memory. Feed it with Add and finish with End; the
// first error is a *VerifyError naming the entry and is returned again by
// every later call.
type Verifier struct {
	opts         VerifyOptions
	line         int
	count        int
	first        *Entry
	firstLine    int
	last         *Entry
	lastLine     int
	trailer      *Trailer
	anchors      int
	anchorsAfter int
	err          error
}

// NewVerifier returns a verifier; it does no I/O.
func NewVerifier(opts VerifyOptions) *Verifier { return &Verifier{opts: opts} }

// Add checks the next line (without its newline) and returns its entry, or
// nil for the trailer.
func (v *Verifier) Add(raw []byte) (*Entry, error) {
	if v.err != nil {
		return nil, v.err
	}
	v.line++
	e, err := v.add(raw)
	if err != nil {
		v.err = err
	}
	return e, err
}

func (v *Verifier) add(raw []byte) (*Entry, error) {
	if v.trailer != nil {
		return nil, v.fail(v.trailer.LastSeq, "结尾记录之后还有内容（文件被拼接或改动）")
	}
	if bytes.HasPrefix(raw, []byte(`{"type":`)) {
		if v.opts.Live {
			return nil, v.fail(v.nextSeq(), "账本流中出现了导出文件的结尾记录")
		}
		return nil, v.addTrailer(raw)
	}
	var e Entry
	if err := json.Unmarshal(raw, &e); err != nil {
		return nil, v.fail(v.nextSeq(), fmt.Sprintf("无法解析，不是完整的 JSON 记录（可能被截断或编辑）：%v", err))
	}
	if reason := link(v.last, &e, raw); reason != "" {
		return nil, v.fail(e.Seq, reason)
	}
	if v.first == nil && v.opts.Live && (e.Seq != 1 || e.Prev != "") {
		return nil, v.fail(e.Seq, "缺少开头的条目：账本应从 seq 1 开始（前面的条目被删除）")
	}
	if a, ok := v.opts.Anchors[e.Seq]; ok {
		if a.Hash != e.Hash {
			return nil, v.fail(e.Seq, fmt.Sprintf("与存档锚点不符（锚点 %s 记录的哈希为 %s，条目为 %s）：账本被改写", a.Key, short(a.Hash), short(e.Hash)))
		}
		v.anchors++
	}
	if v.first == nil {
		v.first, v.firstLine = &e, v.line
	}
	v.last, v.lastLine = &e, v.line
	v.count++
	return &e, nil
}

func (v *Verifier) addTrailer(raw []byte) error {
	var t Trailer
	if err := json.Unmarshal(raw, &t); err != nil {
		return v.fail(v.nextSeq(), fmt.Sprintf("结尾记录无法解析（可能被截断或编辑）：%v", err))
	}
	if canon, err := json.Marshal(&t); err != nil || !bytes.Equal(canon, raw) || t.Type != trailerType {
		return v.fail(0, "结尾记录格式被改动")
	}
	var lastSeq uint64
	var head string
	if v.last != nil {
		lastSeq, head = v.last.Seq, v.last.Hash
	}
	if t.Count != v.count || t.LastSeq != lastSeq || t.Head != head {
		return v.fail(0, fmt.Sprintf("结尾记录与内容不符：结尾记录为 %d 条、最后 seq %d、链头 %s，实际为 %d 条、最后 seq %d、链头 %s（条目被删除或结尾被改动）",
			t.Count, t.LastSeq, short(t.Head), v.count, lastSeq, short(head)))
	}
	v.trailer = &t
	return nil
}

// End finishes the check once every line has been added.
func (v *Verifier) End() (Summary, error) {
	if v.err != nil {
		return Summary{}, v.err
	}
	v.err = v.end()
	if v.err != nil {
		return Summary{}, v.err
	}
	s := Summary{Count: v.count, Anchors: v.anchors, AnchorsAfter: v.anchorsAfter}
	if v.first != nil {
		s.FirstSeq, s.LastSeq, s.Head = v.first.Seq, v.last.Seq, v.last.Hash
	}
	if v.trailer != nil {
		s.Partial = v.trailer.Partial
	}
	return s, nil
}

func (v *Verifier) end() error {
	t := v.trailer
	if !v.opts.Live && t == nil {
		if v.last == nil {
			return &VerifyError{Line: 1, Reason: "导出文件不完整：没有任何条目，也缺少结尾记录（文件为空或被截断）"}
		}
		return &VerifyError{Line: v.lastLine, Seq: v.last.Seq,
			Reason: "导出文件不完整：缺少结尾记录，可能被截断（这是最后一条完整条目）"}
	}
	partial := t != nil && t.Partial
	if v.first != nil {
		bad := ""
		switch {
		case t != nil && t.FirstSeq != v.first.Seq:
			bad = fmt.Sprintf("结尾记录称首条为 seq %d，文件首条为 seq %d（开头的条目被删除）", t.FirstSeq, v.first.Seq)
		case !partial && (v.first.Seq != 1 || v.first.Prev != ""):
			bad = "缺少开头的条目：完整导出应从 seq 1 开始（前面的条目被删除）"
		case partial && v.first.Prev != t.FirstPrev:
			bad = "首条的前一哈希与结尾记录不符（开头的条目被删除或替换）"
		}
		if bad != "" {
			return &VerifyError{Line: v.firstLine, Seq: v.first.Seq, Reason: bad}
		}
	}
	if partial {
		return nil
	}
	var lastSeq uint64
	if v.last != nil {
		lastSeq = v.last.Seq
	}
	for seq, a := range v.opts.Anchors {
		if seq > lastSeq && t != nil && !t.ExportedAt.IsZero() && a.At.After(t.ExportedAt) {
			v.anchorsAfter++ // recorded after the export was made
			continue
		}
		if seq > lastSeq {
			return &VerifyError{Line: v.lastLine, Seq: lastSeq,
				Reason: fmt.Sprintf("账本短于存档锚点：锚点 %s 记录了 seq %d，账本只到 seq %d（其后的条目被删除或截断）", a.Key, seq, lastSeq)}
		}
	}
	return nil
}

func (v *Verifier) nextSeq() uint64 {
	if v.last == nil {
		return 0
	}
	return v.last.Seq + 1
}

func (v *Verifier) fail(seq uint64, reason string) error {
	line := v.line
	if v.opts.Live {
		line = 0
		if seq == 0 {
			seq = uint64(v.line)
		}
	}
	return &VerifyError{Seq: seq, Line: line, Reason: reason}
}

// ReadFile verifies an exported ledger while reading it and hands every
// entry, once it has been checked against the one before, to fn (which may
// be nil). It returns a *VerifyError for a broken chain.
func ReadFile(r io.Reader, opts VerifyOptions, fn func(*Entry) error) (Summary, error) {
	v := NewVerifier(opts)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	sc.Split(splitLines)
	for sc.Scan() {
		e, err := v.Add(sc.Bytes())
		if err != nil {
			return Summary{}, err
		}
		if e != nil && fn != nil {
			if err := fn(e); err != nil {
				return Summary{}, err
			}
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return Summary{}, &VerifyError{Line: v.line + 1, Seq: v.nextSeq(), Reason: "行过长，不是账本条目（文件被改动）"}
		}
		return Summary{}, fmt.Errorf("read ledger export: %w", err)
	}
	return v.End()
}

// Verify checks an exported ledger end to end.
func Verify(r io.Reader, opts VerifyOptions) (Summary, error) {
	return ReadFile(r, opts, nil)
}

// splitLines splits on '\n' only: unlike bufio.ScanLines it keeps a '\r',
// so no byte of the file escapes the check.
func splitLines(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return i + 1, data[:i], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}
