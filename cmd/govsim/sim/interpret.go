package sim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// interpretation makes a gov.cn 政策解读 (a Template B article) of target,
// published at at: an infographic, a press Q&A of the issuing organ or an
// expert reading. Its 相关文件 link points at target.
func (g *generator) interpretation(col column, at time.Time, target *item, history bool) *item {
	at = at.In(g.loc)
	g.seq[col.site]++
	it := &item{seq: g.seq[col.site], editor: pick(g.rng, editors), tp: target.tp, related: target}
	r := &it.Release
	r.Site, r.Column, r.ColumnName, r.List = col.site, col.slug, col.name, col.list
	r.PublishedAt, r.ModifiedAt = at, at
	r.Keywords = target.Keywords
	r.Interprets = target.Path
	r.ID = strconv.Itoa(g.ids[GovCN].take(at, 1+g.rng.IntN(400)))
	r.Path = col.dir + at.Format("200601") + "/content_" + r.ID + ".htm"
	r.ListDate = at.Format("2006-01-02")
	if history && g.rng.IntN(3) == 0 {
		r.ModifiedAt = at.Add(time.Duration(1+g.rng.IntN(120)) * time.Minute)
	}

	// A title quoting a title turns its 《》 into 〈〉.
	quoted := "《" + strings.NewReplacer("《", "〈", "》", "〉").Replace(target.Title) + "》"
	speaker, _, _ := strings.Cut(target.Issuer, " ")
	if speaker == "国务院" {
		speaker = "国务院办公厅"
	}
	forms := []struct{ title, origin string }{
		{"一图读懂" + quoted, "中国政府网"},
		{speaker + "有关负责人就" + quoted + "答记者问", pick(g.rng, []string{"新华社", "中国政府网"})},
		{"专家解读：推动" + target.tp.name + "取得新成效——解读" + quoted, "中国政府网"},
	}
	form := g.rng.IntN(len(forms))
	for i := range forms {
		if f := (form + i) % len(forms); !g.used[forms[f].title] {
			form = f
			break
		}
	}
	r.Title, r.Origin = forms[form].title, forms[form].origin
	if g.used[r.Title] {
		g.fallback++
		r.Title = fmt.Sprintf("%s（之%d）", r.Title, g.fallback)
	}
	g.used[r.Title] = true
	if form == 1 && target.Origin != "" {
		r.Origin = target.Origin // a ministry's Q&A comes from its own site
	}

	it.paras = g.interpretationBody(form, speaker, quoted, target)
	for _, p := range it.paras {
		r.Body = append(r.Body, p.text)
	}
	return it
}

// interpretationBody writes the text of an interpretation in one of the
// three forms of interpretation.
func (g *generator) interpretationBody(form int, speaker, quoted string, target *item) []para {
	var ps []para
	add := func(text string) { ps = append(ps, para{text: text, att: -1}) }
	issuer := strings.ReplaceAll(target.Issuer, " ", "、")
	dk := newDeck(g.rng, target.tp)
	switch form {
	case 0:
		add("近日，" + issuer + "印发" + quoted + "。一图读懂↓")
		for _, h := range headings[:2+g.rng.IntN(len(headings)-1)] {
			add(h)
			add(dk.paragraph(1))
		}
	case 1:
		add("近日，" + issuer + "印发" + quoted + "。" + speaker + "有关负责人就有关情况回答了记者提问。")
		for _, q := range []string{"出台的背景是什么？", "主要内容有哪些？", "下一步如何抓好贯彻落实？"}[:2+g.rng.IntN(2)] {
			add("问：" + quoted + q)
			add("答：" + dk.paragraph(2+g.rng.IntN(2)))
		}
	default:
		add(quoted + "的印发，对推动" + target.tp.name + "工作具有重要意义。")
		for range 2 + g.rng.IntN(3) {
			add(dk.paragraph(2 + g.rng.IntN(2)))
		}
		add("（作者系有关领域专家）")
	}
	return ps
}
