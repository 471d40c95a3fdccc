package lifecycle

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gyeco/syndicator/syndicator"
)

// maxJoin bounds how many following lines one entry may take (a title split
// over lines, its number on a line of its own).
const maxJoin = 4

// joinLines splits the body into trimmed lines and joins the lines an entry
// was broken into: while a line leaves 《 or （ open, and when the next line
// is the （number） of a title the line ends with.
func joinLines(body string) []string {
	raw := strings.Split(body, "\n")
	var out []string
	for i := 0; i < len(raw); i++ {
		l := strings.TrimSpace(raw[i])
		if l == "" {
			continue
		}
		for joins := 0; joins < maxJoin; joins++ {
			j := i + 1
			for j < len(raw) && strings.TrimSpace(raw[j]) == "" {
				j++
			}
			if j >= len(raw) {
				break
			}
			next := strings.TrimSpace(raw[j])
			open := strings.Count(l, "《") > strings.Count(l, "》") || parenDepth(l) > 0
			number := strings.HasSuffix(l, "》") && (strings.HasPrefix(next, "（") || strings.HasPrefix(next, "("))
			if !open && !number {
				break
			}
			l += next
			i = j
		}
		out = append(out, l)
	}
	return out
}

// parenDepth is how many round brackets s leaves open.
func parenDepth(s string) int {
	d := 0
	for _, r := range s {
		switch r {
		case '（', '(':
			d++
		case '）', ')':
			if d > 0 {
				d--
			}
		}
	}
	return d
}

// Numbering at the start of a line: （一） (1) 一、 第一条 1. 1、 １． "1 "
// (a table row's first cell).
var (
	reNumParen = regexp.MustCompile(`^[（(]\s*[一二三四五六七八九十百零〇0-9０-９]{1,4}\s*[)）]\s*`)
	reNumTop   = regexp.MustCompile(`^(?:[一二三四五六七八九十百]{1,4}\s*[、.．]|第[一二三四五六七八九十百]{1,4}(?:条|部分|章))\s*`)
	reNumDigit = regexp.MustCompile(`^[0-9０-９]{1,3}(?:\s*[.、．,，)）]|\s)\s*`)
)

// stripNumbering returns the line without its numbering, whether it had
// one, and whether that numbering is a top-level part (一、, 第一条).
func stripNumbering(l string) (rest string, numbered, top bool) {
	if m := reNumTop.FindString(l); m != "" {
		return l[len(m):], true, true
	}
	for _, re := range []*regexp.Regexp{reNumParen, reNumDigit} {
		if m := re.FindString(l); m != "" {
			return l[len(m):], true, false
		}
	}
	return l, false, false
}

// reHeadingMarker tells a section heading from a sentence that happens to
// hold a verb: 以下/下列/如下, or a name of the listed kind at the end
// (…废止的行政规范性文件（12件）, 宣布失效的文件目录).
var reHeadingMarker = regexp.MustCompile(`以下|下列|如下|(?:文件|规章|法规|规定|决定|办法|通知|意见)(?:目录|清单|名录)?\s*(?:[（(][^（()）]*[）)])?\s*[：:。]?$`)

// maxHeadingRunes bounds a section heading; longer lines are sentences.
const maxHeadingRunes = 60

// headingValidity returns the To of a section heading such as
// 废止以下行政规范性文件（共2件）, "" when rest is not one. A line with a
// document number is an entry (国务院关于废止部分规章的通知（国发〔2001〕3号）).
func (p *parser) headingValidity(rest string) syndicator.Validity {
	if strings.ContainsAny(rest, "《》") || utf8.RuneCountInString(rest) > maxHeadingRunes || !reHeadingMarker.MatchString(rest) {
		return ""
	}
	if _, number := p.row(rest); number != "" {
		return ""
	}
	return verbValidity(rest)
}

// token is one 《title》 in a line, with the document number printed in the
// brackets right after it.
type token struct {
	title, number string
	start, end    int // byte offsets of 《 and of what follows the token
}

// tokens returns the 《…》 of a line at nesting depth zero, in order.
func (p *parser) tokens(l string) []token {
	var out []token
	for i := 0; i < len(l); {
		open := strings.Index(l[i:], "《")
		if open < 0 {
			break
		}
		start := i + open
		end, ok := matching(l, start, "《", "》")
		if !ok {
			break
		}
		t := token{title: strings.TrimSpace(l[start+len("《") : end]), start: start, end: end + len("》")}
		rest := strings.TrimLeft(l[t.end:], " \t　")
		if strings.HasPrefix(rest, "（") || strings.HasPrefix(rest, "(") {
			off := len(l) - len(rest)
			if cl, ok := matchingParen(l, off); ok {
				if n := p.numberIn(l[off+parenLen(l, off) : cl]); n != "" {
					t.number = n
					t.end = cl + parenLen(l, cl)
				}
			}
		}
		if t.number == "" {
			// A table row: the number is the next cell.
			if n, end := nextField(l, t.end); p.isDocNo(n) {
				t.number, t.end = n, end
			}
		}
		if t.title != "" {
			out = append(out, t)
		}
		i = t.end
	}
	return out
}

// maxFieldBytes bounds a table cell read as a document number.
const maxFieldBytes = 64

// nextField returns the text from i, after white space, up to the next
// white space, and where it ends; "" when longer than maxFieldBytes.
func nextField(l string, i int) (string, int) {
	for i < len(l) {
		r, size := utf8.DecodeRuneInString(l[i:])
		if !unicode.IsSpace(r) {
			break
		}
		i += size
	}
	start := i
	for i < len(l) && i-start <= maxFieldBytes {
		r, size := utf8.DecodeRuneInString(l[i:])
		if unicode.IsSpace(r) {
			return l[start:i], i
		}
		i += size
	}
	if i-start > maxFieldBytes {
		return "", start
	}
	return l[start:i], i
}

// matching returns the offset of the close that matches the open at start.
func matching(s string, start int, open, close string) (int, bool) {
	depth := 0
	for i := start; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], open):
			depth++
			i += len(open)
		case strings.HasPrefix(s[i:], close):
			depth--
			if depth == 0 {
				return i, true
			}
			i += len(close)
		default:
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
		}
	}
	return 0, false
}

// maxRemarkBytes bounds the bracketed remark after a title that is
// searched for a document number, so unclosed brackets stay cheap.
const maxRemarkBytes = 256

// matchingParen is matching for round brackets, either width, within
// maxRemarkBytes.
func matchingParen(s string, start int) (int, bool) {
	depth := 0
	for i, r := range s[start:] {
		if i > maxRemarkBytes {
			break
		}
		switch r {
		case '（', '(':
			depth++
		case '）', ')':
			depth--
			if depth == 0 {
				return start + i, true
			}
		}
	}
	return 0, false
}

func parenLen(s string, i int) int {
	_, size := utf8.DecodeRuneInString(s[i:])
	return size
}

var (
	reRemarkSep  = regexp.MustCompile(`[，,、；;]`)
	reDatePrefix = regexp.MustCompile(`^.*[0-9０-９]{1,2}\s*日`)
)

// numberIn returns the document number among the parts of a bracketed
// remark such as "黔府发〔2019〕4号" or "国发〔2016〕12号，以下简称…".
func (p *parser) numberIn(s string) string {
	for _, part := range reRemarkSep.Split(s, -1) {
		part = strings.TrimSpace(part)
		if p.isDocNo(part) {
			return part
		}
		// "1990年2月8日国务院令第50号发布": the number inside a remark.
		part = reDatePrefix.ReplaceAllString(part, "")
		if m := syndicator.FindDocNo(part); m != "" && p.isDocNo(m) {
			return m
		}
	}
	return ""
}

func (p *parser) isDocNo(s string) bool {
	if s == "" {
		return false
	}
	if p.docKey != nil && p.docKey(s) != "" {
		return true
	}
	return syndicator.IsPrintedDocNo(s)
}
