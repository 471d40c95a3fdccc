package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gyeco/syndicator/syndicator"
)

// NormLabel normalises a metadata label (sources.md §2.3): it deletes white
// space (U+00A0 and U+3000 included), every colon form and zero-width
// characters, so "标　　题：", "索&nbsp;引&nbsp;号:" and "索 引 号﹕" become
// "标题" and "索引号".
func NormLabel(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || isColon(r) {
			return -1
		}
		switch r {
		case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', elemMark:
			return -1
		}
		return r
	}, s)
}

func isColon(r rune) bool {
	return r == ':' || r == '：' || r == '﹕' || r == '︰'
}

// builtinLabel maps a normalised label to its page field. A fallback label
// fills the field only when no primary label does.
func builtinLabel(label string) (field string, fallback, ok bool) {
	switch label {
	case "索引号":
		return fieldIndexNumber, false, true
	case "主题分类":
		return fieldSubject, false, true
	case "发文机关":
		return fieldIssuer, false, true
	case "发布机构":
		return fieldIssuer, true, true
	case "成文日期":
		return fieldWrittenAt, false, true
	case "生成日期":
		return fieldWrittenAt, true, true
	case "标题":
		return fieldTitle, false, true
	case "发文字号":
		return fieldDocNumber, false, true
	case "文号":
		return fieldDocNumber, true, true
	case "发布日期":
		return fieldPublishedAt, false, true
	case "发布时间":
		return fieldPublishedAt, true, true
	case "公文种类":
		return fieldDocType, false, true
	case "来源":
		return fieldOrigin, false, true
	case "有效性":
		return fieldValidity, false, true
	case "时效性":
		return fieldValidity, true, true
	// Synonyms of the 政府信息公开 catalogue and common CMS templates,
	// each below the label it stands for.
	case "发文单位", "发布单位", "制发机关":
		return fieldIssuer, true, true
	case "印发日期", "成文时间":
		return fieldWrittenAt, true, true
	case "名称", "文件名称":
		return fieldTitle, true, true
	case "公开日期", "发文日期":
		return fieldPublishedAt, true, true
	}
	// 信息分类 (on TRS sites a column's catalogue path, 政策文件\市政府文件 or
	// 黔府办发) and 主题词 (keywords) are not the 主题分类 subject: they map
	// to no field.
	return "", false, false
}

// labels is the built-in label map with a rule's Fields merged over it.
type labels map[string]string // normalised label -> field ("" = ignored)

func newLabels(fields map[string]string) labels {
	l := make(labels, len(fields))
	for k, v := range fields {
		if k = NormLabel(k); k != "" {
			l[k] = v
		}
	}
	return l
}

// field returns the page field of a normalised label.
func (l labels) field(label string) (field string, fallback, ok bool) {
	if f, found := l[label]; found {
		return f, false, f != ""
	}
	return builtinLabel(label)
}

func (l labels) known(label string) bool {
	_, _, ok := l.field(label)
	return ok
}

// pair is one label and its value as found on the page.
type pair struct {
	label string // normalised
	value string // collapsed
}

// splitPairs reads "LABEL：VALUE" pairs from one line of text. Several pairs
// may share a line ("发布时间：2025-10-21 10:30 来源：省政府办公厅"): a colon
// starts a new pair when the text before it ends with a known label, or with
// a short run of Chinese characters after white space (an unknown label).
// Any other colon (a time such as 10:30) belongs to the value. Text before
// the first label is ignored.
func splitPairs(line string, known func(string) bool) []pair {
	type cut struct{ start, colon, next int } // label start, colon byte offset, value start
	var cuts []cut
	from := 0
	for i, r := range line {
		if !isColon(r) {
			continue
		}
		if s, ok := labelStart(line[from:i], from == 0, known); ok {
			cuts = append(cuts, cut{from + s, i, i + utf8.RuneLen(r)})
			from = i + utf8.RuneLen(r)
		}
	}
	var out []pair
	for j, c := range cuts {
		end := len(line)
		if j+1 < len(cuts) {
			end = cuts[j+1].start
		}
		out = append(out, pair{label: NormLabel(line[c.start:c.colon]), value: trimDangling(line[c.next:end])})
	}
	return out
}

// trimDangling collapses white space and removes what belongs to the
// neighbouring pairs: opening brackets and separators at the end of a value
// ("新华社 【字体：…" gives "新华社"), closing brackets at its start.
func trimDangling(v string) string {
	v = strings.ReplaceAll(v, string(elemMark), "")
	v = strings.TrimRightFunc(v, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.Is(unicode.Ps, r) || r == '|' || r == '丨' || r == '｜'
	})
	v = strings.TrimLeftFunc(v, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.Is(unicode.Pe, r) || r == '|' || r == '丨' || r == '｜'
	})
	return collapseSpace(v)
}

// maxLabelRunes bounds how far back a label is looked for.
const maxLabelRunes = 12

// labelStart returns where the label ending at the end of s starts: the
// longest suffix whose normalised form is a known label, else a run of 2–8
// Han characters preceded by white space, punctuation or an element
// boundary (elemMark), or starting the line (lineStart: s is not the value
// of an earlier label).
func labelStart(s string, lineStart bool, known func(string) bool) (int, bool) {
	best, found := 0, false
	n := 0
	for i := len(s); i > 0 && n < maxLabelRunes; {
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
		n++
		if l := NormLabel(s[i:]); l != "" && known(l) {
			best, found = i, true
		}
	}
	if found {
		return best, true
	}
	i, han := len(strings.TrimRight(s, string(elemMark))), 0
	for i > 0 {
		r, size := utf8.DecodeLastRuneInString(s[:i])
		if !unicode.Is(unicode.Han, r) {
			break
		}
		i -= size
		han++
	}
	if han < 2 || han > 8 {
		return 0, false
	}
	if i == 0 {
		return 0, lineStart
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return i, unicode.IsSpace(r) || unicode.IsPunct(r) || r == elemMark
}

// ParseValidity maps a 有效性 value to a Validity (sources.md §7.5):
// 有效 effective; 已修改/已修订 amended; 已废止 repealed; 已失效/失效
// expired; anything else (or nothing) unknown.
func ParseValidity(s string) syndicator.Validity {
	v := NormLabel(s)
	switch v {
	case "有效", "现行有效", "现行":
		return syndicator.ValidityEffective
	case "":
		return syndicator.ValidityUnknown
	}
	switch {
	case strings.Contains(v, "废止"):
		return syndicator.ValidityRepealed
	case strings.Contains(v, "失效"):
		return syndicator.ValidityExpired
	case strings.Contains(v, "修改"), strings.Contains(v, "修订"), strings.Contains(v, "修正"):
		return syndicator.ValidityAmended
	}
	return syndicator.ValidityUnknown
}
