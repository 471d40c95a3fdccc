package ledger

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// The canonical form of an entry is json.Marshal of the Entry struct:
// encoding/json writes struct fields in declaration order, escapes strings
// the same way every time and formats times as RFC 3339 with nanoseconds,
// so the bytes depend only on the values. Marshal(Unmarshal(b)) == b for
// every canonical b, which lets a verifier require each stored line to be
// canonical: any change to a line's bytes then changes either the values
// (and so the hash) or the form (and the line is rejected).
//
// Fields added to Entry or Fact later must be omitempty/omitzero, or the
// canonical form of old entries changes and their hashes no longer match.

// Canonical returns the canonical JSON of e.
func Canonical(e *Entry) ([]byte, error) {
	b, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("encode ledger entry %d: %w", e.Seq, err)
	}
	return b, nil
}

// HashOf returns the hex sha256 of e's canonical JSON with Hash empty.
func HashOf(e *Entry) (string, error) {
	c := *e
	c.Hash = ""
	b, err := Canonical(&c)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// Seal puts e on the chain after prev (nil for the first entry): it sets
// e.Seq, e.Prev and e.Hash.
func Seal(prev *Entry, e *Entry) error {
	e.Seq, e.Prev = 1, ""
	if prev != nil {
		e.Seq, e.Prev = prev.Seq+1, prev.Hash
	}
	h, err := HashOf(e)
	if err != nil {
		return err
	}
	e.Hash = h
	return nil
}

// VerifyError names the first entry that breaks the chain. Line is the
// 1-based line of an exported file (0 for the live ledger); Seq is the
// entry's sequence, or the sequence expected at that place when the line
// cannot be read.
type VerifyError struct {
	Seq    uint64
	Line   int
	Reason string
}

func (e *VerifyError) Error() string {
	switch {
	case e.Line > 0 && e.Seq > 0:
		return fmt.Sprintf("第 %d 行（seq %d）：%s", e.Line, e.Seq, e.Reason)
	case e.Line > 0:
		return fmt.Sprintf("第 %d 行：%s", e.Line, e.Reason)
	default:
		return fmt.Sprintf("seq %d：%s", e.Seq, e.Reason)
	}
}

// link checks one decoded entry against its line's bytes and the entry
// before it (nil at the start of the chain or of a partial export).
func link(prev *Entry, e *Entry, raw []byte) string {
	canon, err := Canonical(e)
	if err != nil {
		return "条目无法重新编码：" + err.Error()
	}
	if !bytes.Equal(canon, raw) {
		return "条目格式被改动（与规范 JSON 不一致），内容可能被编辑"
	}
	h, err := HashOf(e)
	if err != nil {
		return "条目无法重新编码：" + err.Error()
	}
	if h != e.Hash {
		return fmt.Sprintf("哈希不符：内容被编辑（记录的哈希 %s，重新计算为 %s）", short(e.Hash), short(h))
	}
	if prev == nil {
		return ""
	}
	switch {
	case e.Seq == prev.Seq+1:
	case e.Seq == prev.Seq+2:
		return fmt.Sprintf("序号不连续：seq %d 之后缺少 seq %d（条目被删除或重排）", prev.Seq, prev.Seq+1)
	case e.Seq > prev.Seq+1:
		return fmt.Sprintf("序号不连续：seq %d 之后缺少 seq %d–%d（条目被删除或重排）", prev.Seq, prev.Seq+1, e.Seq-1)
	default:
		return fmt.Sprintf("序号倒退：seq %d 出现在 seq %d 之后（条目被重排或重复）", e.Seq, prev.Seq)
	}
	if e.Prev != prev.Hash {
		return fmt.Sprintf("前一哈希不符：与 seq %d 不衔接（条目被删除、重排或替换）", prev.Seq)
	}
	return ""
}

// short abbreviates a hash for messages.
func short(h string) string {
	if len(h) > 16 {
		return h[:16] + "…"
	}
	return h
}
