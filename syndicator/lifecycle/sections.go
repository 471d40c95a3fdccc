package lifecycle

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/gyeco/syndicator/syndicator"
)

// body reads the lines of a body: section headings set the To of the list
// entries below them until a new top-level part starts; every line is
// also searched for single-target sentences.
func (p *parser) body(lines []string) {
	var section syndicator.Validity
	for _, l := range lines {
		rest, numbered, top := stripNumbering(l)
		if to := p.headingValidity(rest); to != "" {
			section = to
			continue
		}
		switch {
		case section != "":
			if p.listEntry(rest, numbered, section) {
				continue
			}
			if top {
				section = "" // a new part that is no entry ends the list
			}
		case p.decision && numbered:
			// A table row with a 处理意见 column outside any section.
			if p.listEntry(rest, numbered, "") {
				continue
			}
		}
		p.sentences(dropQuotes(l))
	}
}

// reVerbColumn is a last table cell saying what becomes of the row.
var reVerbColumn = regexp.MustCompile(`\s(?:拟|予以|决定)?(废止|宣布失效|失效|修改|修订)\s*$`)

// listEntry reads one entry of a list whose heading said to: a line
// starting with 《 (or 将《, 对《), or a numbered line or table row ending in
// a document number. A last cell 废止/失效/修改 overrides to. It reports
// whether the line was an entry.
func (p *parser) listEntry(rest string, numbered bool, to syndicator.Validity) bool {
	if m := reVerbColumn.FindStringSubmatchIndex(rest); m != nil {
		to = verbValidity(rest[m[2]:m[3]])
		rest = rest[:m[0]]
	}
	if to == "" {
		return false
	}
	r := strings.TrimLeft(rest, "将对把 　")
	if strings.HasPrefix(r, "《") {
		toks := p.tokens(r)
		for _, t := range firstGroup(r, toks) {
			p.add(t.title, t.number, to)
		}
		return len(toks) > 0
	}
	if !numbered {
		return false
	}
	title, number := p.row(rest)
	if number == "" {
		return false
	}
	p.add(title, number, to)
	return true
}

var (
	reEndParen = regexp.MustCompile(`[（(]([^（()）]+)[）)]\s*[。；;，,]?\s*$`)
	reEndPunct = regexp.MustCompile(`[\s。；;，,：:]+$`)
)

// row splits a list line without 《》 into its title and the document
// number it ends with, in brackets or as a last table cell.
func (p *parser) row(rest string) (title, number string) {
	rest = reEndPunct.ReplaceAllString(rest, "")
	if m := reEndParen.FindStringSubmatchIndex(rest); m != nil {
		if n := p.numberIn(rest[m[2]:m[3]]); n != "" {
			return strings.TrimSpace(rest[:m[0]]), n
		}
	}
	if f := strings.Fields(rest); len(f) > 1 && p.isDocNo(f[len(f)-1]) {
		last := f[len(f)-1]
		return strings.TrimSpace(strings.TrimSuffix(rest, last)), last
	}
	return "", ""
}

// firstGroup returns the first run of tokens joined only by 、 和 及 与
// (《A》（N1）、《B》（N2）).
func firstGroup(l string, toks []token) []token {
	groups := groupTokens(l, toks)
	if len(groups) == 0 {
		return nil
	}
	return groups[0]
}

var reJoiner = regexp.MustCompile(`^[\s、和及与以]*$`)

func groupTokens(l string, toks []token) [][]token {
	var out [][]token
	for i, t := range toks {
		if i > 0 && reJoiner.MatchString(l[toks[i-1].end:t.start]) {
			out[len(out)-1] = append(out[len(out)-1], t)
			continue
		}
		out = append(out, []token{t})
	}
	return out
}

// Single-target sentences. After a group of titles: 同时废止, 一并废止,
// 予以废止, 即行失效, 自2024年1月1日起废止; in a decision also 作如下修改.
// Before it, in a decision: 决定废止, 宣布失效, 修改.
var (
	reAfterVerb  = regexp.MustCompile(`^\s*(?:同时|一并|即行|即|亦|也|均)?\s*(?:予以|宣布|停止执行并)?\s*(?:自[^，。；,;《》]{0,24}?起)?\s*(?:予以|宣布)?(废止|失效)`)
	reAfterAmend = regexp.MustCompile(`^\s*(?:的?部分条款|第[^，。；,;《》]{1,20}?条)?\s*(?:作(?:如下|以下|出)?|予以|进行)\s*(修改|修订|修正)`)
	reBeforeVerb = regexp.MustCompile(`(废止|宣布失效|修改|修订)\s*$`)
)

// sentences adds the titles a sentence of l repeals, declares expired or
// (in a decision) amends.
func (p *parser) sentences(l string) {
	toks := p.tokens(l)
	for _, g := range groupTokens(l, toks) {
		after := l[g[len(g)-1].end:]
		var to syndicator.Validity
		if m := reAfterVerb.FindStringSubmatch(after); m != nil {
			to = verbValidity(m[1])
		} else if p.decision {
			if m := reAfterAmend.FindStringSubmatch(after); m != nil {
				to = syndicator.ValidityAmended
			} else if m := reBeforeVerb.FindStringSubmatch(tail(l[:g[0].start], beforeVerbBytes)); m != nil {
				to = verbValidity(m[1])
			}
		}
		if to == "" {
			continue
		}
		for _, t := range g {
			p.add(t.title, t.number, to)
		}
	}
}

// beforeVerbBytes bounds the text searched for a verb before a title, so
// that a long line with many titles stays linear.
const beforeVerbBytes = 32

// tail returns the last n bytes of s or fewer, starting at a rune boundary.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := len(s) - n
	for i < len(s) && !utf8.RuneStart(s[i]) {
		i++
	}
	return s[i:]
}

// dropQuotes removes text in “…” outside 《》: amendment wording such as
// 将第五条修改为：“依据《…》予以废止” quotes other documents without
// changing them.
func dropQuotes(l string) string {
	if !strings.Contains(l, "“") {
		return l
	}
	var b strings.Builder
	depth, quoted := 0, false
	for _, r := range l {
		switch {
		case quoted:
			if r == '”' {
				quoted = false
			}
			continue
		case r == '《':
			depth++
		case r == '》' && depth > 0:
			depth--
		case r == '“' && depth == 0:
			quoted = true
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
