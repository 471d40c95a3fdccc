package sim

import (
	"fmt"
	"strings"
	"time"
)

// decreeBody writes a 令: the decree head and number, the promulgation
// sentence, the signature, then the rules themselves in numbered articles.
func (g *generator) decreeBody(kind docKind, tp topic, d doc, r *Release) []para {
	var ps []para
	add := func(text, align string) { ps = append(ps, para{text: text, align: align, att: -1}) }
	number := strings.TrimPrefix(r.DocNumber, kind.prefix)
	adopted := r.WrittenAt.AddDate(0, 0, -3-g.rng.IntN(20))
	effective := r.WrittenAt.AddDate(0, 1+g.rng.IntN(3), 0)
	add(kind.issuer+"令", "center")
	add(number, "center")
	meeting := fmt.Sprintf(kind.meeting, 1+g.rng.IntN(40))
	add("《"+d.title+"》已经"+cnDate(adopted)+meeting+"审议通过，现予公布，自"+cnDate(effective)+"起施行。", "")
	add(kind.signer+"　"+pick(g.rng, signers), "right")
	add(cnDate(r.WrittenAt), "right")
	add(d.title, "center")

	dk := newDeck(g.rng, tp)
	n := 0
	for i, ch := range []string{"总则", "主要任务", "监督管理", "附则"} {
		add("第"+cnNumber(i+1)+"章　"+ch, "center")
		for range 2 + g.rng.IntN(3) {
			n++
			add("第"+cnNumber(n)+"条　"+dk.paragraph(1+g.rng.IntN(2)), "")
		}
	}
	if r.Large {
		ps = g.largeSection(ps, tp, dk)
	}
	return ps
}

// cnDate writes a date the way a 公文 does: 2026年3月5日.
func cnDate(t time.Time) string {
	return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
}

// cnNumber writes 1 ≤ n ≤ 99 in Chinese numerals: 一, 十, 十一, 二十三.
func cnNumber(n int) string {
	digits := []string{"", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	switch {
	case n < 10:
		return digits[n]
	case n < 20:
		return "十" + digits[n%10]
	default:
		return digits[n/10] + "十" + digits[n%10]
	}
}
