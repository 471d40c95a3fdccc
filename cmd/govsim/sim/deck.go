package sim

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// This file deals the sentences of bodies.

// deck deals the sentences about one topic in random order, without repeats
// until all were dealt.
type deck struct {
	rng   *rand.Rand
	lines []string
	next  int
}

func newDeck(rng *rand.Rand, tp topic) *deck {
	var lines []string
	for _, l := range append(slices.Clone(commonLines), tp.lines...) {
		lines = append(lines, strings.ReplaceAll(l, "{T}", tp.name))
	}
	rng.Shuffle(len(lines), func(i, j int) { lines[i], lines[j] = lines[j], lines[i] })
	return &deck{rng: rng, lines: lines}
}

// paragraph joins the next k sentences.
func (d *deck) paragraph(k int) string {
	var b strings.Builder
	for range k {
		if d.next == len(d.lines) {
			d.rng.Shuffle(len(d.lines), func(i, j int) { d.lines[i], d.lines[j] = d.lines[j], d.lines[i] })
			d.next = 0
		}
		b.WriteString(d.lines[d.next])
		d.next++
	}
	return b.String()
}

// largeSection appends a detailed-rules section of about largeBodyBytes. Its
// paragraphs repeat a small pool of strings so that a large release costs
// little memory although its page is large.
func (g *generator) largeSection(ps []para, tp topic, dk *deck) []para {
	pool := make([]string, 16)
	for i := range pool {
		pool[i] = dk.paragraph(4)
	}
	articles := 0
	for n, size := 1, 0; size < largeBodyBytes; n++ {
		size += len(g.article(n)) + len(pool[n%len(pool)]) + 2
		articles = n
	}
	ps = slices.Grow(ps, 1+2*articles+3)
	ps = append(ps, para{text: "附：" + tp.name + "工作实施细则", align: "center", att: -1})
	for n := 1; n <= articles; n++ {
		ps = append(ps, para{text: g.article(n), att: -1}, para{text: pool[n%len(pool)], att: -1})
	}
	return ps
}

// article returns "第n条"; the strings are made once and shared.
func (g *generator) article(n int) string {
	for len(g.articles) < n {
		g.articles = append(g.articles, fmt.Sprintf("第%d条", len(g.articles)+1))
	}
	return g.articles[n-1]
}
