package sim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// This file writes the text of a document: its topic, number, title and
// body.

// topic picks what a document is about: from the organ's fields if it has
// any, mostly ecological on columns with ecoBias, else any topic.
func (g *generator) topic(col column, kind docKind) topic {
	switch {
	case kind.topics != nil:
		return topicNamed(pick(g.rng, kind.topics))
	case col.ecoBias && g.rng.IntN(4) > 0:
		var eco []topic
		for _, tp := range topics {
			if tp.eco {
				eco = append(eco, tp)
			}
		}
		return pick(g.rng, eco)
	}
	return topics[g.rng.IntN(len(topics))]
}

func topicNamed(name string) topic {
	for _, tp := range topics {
		if tp.name == name {
			return tp
		}
	}
	panic("sim: no topic " + name) // unreachable: the tables name known topics
}

// number returns the next 发文字号 of a kind, written in year:
// prefix〔year〕n号, or prefix第n号 for a decree series.
func (g *generator) number(kind docKind, year int) string {
	if kind.decree {
		if g.serial[kind.prefix] == 0 {
			g.serial[kind.prefix] = kind.decreeBase
		}
		g.serial[kind.prefix] += 1 + g.rng.IntN(2)
		return fmt.Sprintf("%s第%d号", kind.prefix, g.serial[kind.prefix])
	}
	key := kind.prefix + strconv.Itoa(year)
	g.serial[key] += 1 + g.rng.IntN(3)
	return fmt.Sprintf("%s〔%d〕%d号", kind.prefix, year, g.serial[key])
}

// docType is the 公文种类 of a document, from its title.
func docType(d doc) string {
	switch {
	case d.decree:
		return "令"
	case strings.HasSuffix(d.title, "意见"):
		return "意见"
	case strings.HasSuffix(d.title, "通知"):
		return "通知"
	case strings.HasSuffix(d.title, "批复"):
		return "批复"
	case strings.HasSuffix(d.title, "函"):
		return "函"
	}
	return "其他"
}

// guizhouListDate varies the list date format the way the platform does:
// mostly "YYYY-MM-DD HH:MM", sometimes with two spaces, sometimes date only.
func guizhouListDate(at time.Time, seq int) string {
	switch {
	case seq%5 == 2:
		return at.Format("2006-01-02")
	case seq%7 == 1 || seq%7 == 4:
		return at.Format("2006-01-02  15:04")
	default:
		return at.Format("2006-01-02 15:04")
	}
}

// doc is the shape of a document: its title and what kind of text it is.
type doc struct {
	title  string
	plan   string // name of the plan it issues ("关于印发《plan》的通知"), or ""
	letter bool   // a 函 setting up a joint-conference system
	reply  string // the place a 批复 answers, or ""
	decree bool   // a 令: rules in articles
}

// title returns a document whose title and plan were not given before on
// the site.
func (g *generator) title(col column, kind docKind, tp topic) doc {
	for range 24 {
		var d doc
		switch r := g.rng.IntN(10); {
		case kind.decree:
			d = doc{title: kind.head + tp.name + pick(g.rng, decreeNames), decree: true}
		case kind.reply != nil && r < 6:
			place := pick(g.rng, kind.reply)
			d = doc{title: kind.head + "关于" + place + tp.name + pick(g.rng, replyObjects) + "的批复", reply: place}
		case kind.letter != "" && r < 5:
			d = doc{title: kind.head + "关于同意建立" + tp.name + "工作" + kind.letter + "制度的函", letter: true}
		case kind.local != nil && r >= 7:
			d.plan = pick(g.rng, kind.local) + tp.name + pick(g.rng, plans)
			d.title = kind.head + "关于印发《" + d.plan + "》的通知"
		case r < 6:
			d = doc{title: kind.head + "关于" + pick(g.rng, verbs) + tp.name + pick(g.rng, aspects) + "的" + pick(g.rng, kinds)}
		default:
			d.plan = col.planPrefix + tp.name + pick(g.rng, plans)
			d.title = kind.head + "关于印发《" + d.plan + "》的通知"
		}
		if !g.used[d.title] && (d.plan == "" || !g.used[col.site+d.plan]) {
			g.used[d.title] = true
			if d.plan != "" {
				g.used[col.site+d.plan] = true
			}
			return d
		}
	}
	// The combinations ran out (very large Items): a numbered list title is
	// unique by construction.
	g.fallback++
	if kind.decree {
		return doc{title: fmt.Sprintf("%s关于修改和废止部分规章的决定（第%d批）", kind.issuer, g.fallback), decree: true}
	}
	return doc{title: fmt.Sprintf("%s关于公布第%d批%s示范单位名单的通知", kind.head, g.fallback, tp.name)}
}

// body writes the paragraphs of a release in the order of a real 公文:
// (title,) number, addressees, text by sections, signature, date.
func (g *generator) body(col column, kind docKind, tp topic, d doc, r *Release) []para {
	var ps []para
	add := func(text, align string) { ps = append(ps, para{text: text, align: align, att: -1}) }
	if col.titlePara {
		add(d.title, "center")
	}
	add(r.DocNumber, "center")
	addressee := col.addressee
	if kind.addressee != "" {
		addressee = kind.addressee
	}
	switch {
	case d.reply != "":
		add(d.reply+"人民政府：", "")
	case addressee != "":
		add(addressee, "")
	case d.letter:
		add("国务院有关部门，各省、自治区、直辖市人民政府：", "")
	default:
		add("各省、自治区、直辖市人民政府，国务院各部委、各直属机构：", "")
	}
	approver := col.approver
	hs := headings
	switch {
	case d.letter:
		add(approver+"同意建立"+tp.name+"工作"+kind.letter+"制度。联席会议不刻制印章，不正式行文，请按照"+approver+"有关文件精神认真组织开展工作。", "")
		hs = letterHeadings
	case d.reply != "":
		add("你"+placeKind(d.reply)+"《关于"+tp.name+"有关事项的请示》收悉。现批复如下：", "")
		hs = replyHeadings
	case d.plan != "" && approver == "":
		add("现将《"+d.plan+"》印发给你们，请结合实际认真贯彻落实。", "")
	case d.plan != "":
		add("《"+d.plan+"》已经"+approver+"同意，现印发给你们，请结合实际认真贯彻落实。", "")
	case approver == "":
		add("为"+pick(g.rng, verbs)+tp.name+"工作，现提出如下意见。", "")
	default:
		add("为"+pick(g.rng, verbs)+tp.name+"工作，经"+approver+"同意，现提出如下意见。", "")
	}
	dk := newDeck(g.rng, tp)
	for _, h := range hs[:2+g.rng.IntN(len(hs)-1)] {
		add(h, "")
		for range 1 + g.rng.IntN(2) {
			add(dk.paragraph(1+g.rng.IntN(3)), "")
		}
	}
	if r.Large {
		ps = g.largeSection(ps, tp, dk)
	}
	add(kind.issuer, "right")
	add(fmt.Sprintf("%d年%d月%d日", r.WrittenAt.Year(), r.WrittenAt.Month(), r.WrittenAt.Day()), "right")
	add("（此件公开发布）", "")
	return ps
}

// placeKind is how a 批复 addresses a place: 你省, 你区, 你市, 你州.
func placeKind(place string) string {
	r, _ := utf8.DecodeLastRuneInString(place)
	return string(r)
}
