package sim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// This file publishes decisions that repeal documents or declare them
// expired (关于废止、宣布失效部分行政规范性文件的决定), and applies them to
// their targets.

// Validities a decision gives its targets.
const (
	Repealed = "已废止"
	Expired  = "已失效"
)

// lawTopic is what a decision is about, for its metadata and for a
// 政策解读 of it.
var lawTopic = topic{name: "法治政府建设", subject: `综合政务\其他`, keywords: "行政规范性文件;清理;废止;失效"}

// decider is how one site words a decision.
type decider struct {
	col      column
	kind     docKind // its number series and issuer
	who      string  // who cleaned up the documents: 省人民政府
	docs     string  // what they are: 行政规范性文件
	titleFor func(repeal, expire bool) string
}

// deciderOf returns how site words a decision, or false.
func deciderOf(site string) (decider, bool) {
	local := func(col column, issuer string) decider {
		return decider{col: col, kind: col.kinds[0], who: col.kinds[0].head, docs: "行政规范性文件",
			titleFor: func(repeal, expire bool) string {
				switch {
				case repeal && expire:
					return issuer + "关于废止、宣布失效部分行政规范性文件的决定"
				case repeal:
					return issuer + "关于废止部分行政规范性文件的决定"
				}
				return issuer + "关于宣布失效部分行政规范性文件的决定"
			}}
	}
	switch site {
	case Guizhou:
		return local(colQFF, "贵州省人民政府"), true
	case Guiyang:
		return local(colGuiyang, "贵阳市人民政府"), true
	case GovCN:
		return decider{col: colZuixin, kind: colZuixin.kinds[0], who: "国务院", docs: "国务院文件",
			titleFor: func(repeal, expire bool) string {
				switch {
				case repeal && expire:
					return "国务院关于废止和宣布失效部分行政法规和文件的决定"
				case repeal:
					return "国务院关于废止部分行政法规和文件的决定"
				}
				return "国务院关于宣布失效一批国务院文件的决定"
			}}, true
	}
	return decider{}, false
}

// Repeal publishes at once on site (GovCN: 国发, Guizhou: 黔府发, Guiyang:
// 筑府发) a decision that gives every target, a detail page path on any
// site, the validity to (Repealed or Expired). See RepealAndExpire.
func (s *Site) Repeal(site string, targets []string, to string) (Release, error) {
	switch to {
	case Repealed:
		return s.RepealAndExpire(site, targets, nil)
	case Expired:
		return s.RepealAndExpire(site, nil, targets)
	}
	return Release{}, fmt.Errorf("sim: repeal on %s: validity %q, want %s or %s", site, to, Repealed, Expired)
}

// RepealAndExpire publishes at once on site (GovCN, Guizhou or Guiyang) a
// decision that repeals the documents at the paths repeal and declares
// those at expire expired. Its body lists them, one a paragraph, in
// sections that have entries:
//
//	一、废止以下行政规范性文件（共2件）
//	1.《贵州省人民政府关于……的通知》（黔府发〔2019〕4号）
//	二、宣布失效以下行政规范性文件（共1件）
//	1.《……》（黔府办发〔2018〕3号）
//
// quoting each target's title (without its trailing （发文字号）, kept byte
// for byte otherwise, 《》 inside included) and 发文字号. From then on each
// target has RepealedBy set and, where its page prints a 有效性 (not on
// gov.cn), that validity and a ModifiedAt of the decision's time; Guizhou
// targets join the 失效废止文件 list (guizhou-all). Targets must exist,
// carry a 发文字号, be in force (not repealed or expired before) and appear
// once.
func (s *Site) RepealAndExpire(site string, repeal, expire []string) (Release, error) {
	d, ok := deciderOf(site)
	if !ok {
		return Release{}, fmt.Errorf("sim: repeal on %q: only %s, %s and %s decide", site, GovCN, Guizhou, Guiyang)
	}
	s.mu.Lock()
	groups, err := s.repealTargets(site, repeal, expire)
	if err != nil {
		s.mu.Unlock()
		return Release{}, err
	}
	at := s.tick(site)
	it := s.life.decision(d, at, groups)
	s.list(it)
	for i, targets := range groups {
		for _, t := range targets {
			s.repeal(t, it.Path, []string{Repealed, Expired}[i], at)
		}
	}
	r := s.publishItem(it)
	s.mu.Unlock()
	s.fire(r)
	return r, nil
}

// repealTargets checks the targets of a decision on site and returns them:
// those to repeal, then those to declare expired.
func (s *Site) repealTargets(site string, repeal, expire []string) ([2][]*item, error) {
	var groups [2][]*item
	if !s.sites[site] {
		return groups, fmt.Errorf("sim: repeal on %s: site not served", site)
	}
	if len(repeal)+len(expire) == 0 {
		return groups, fmt.Errorf("sim: repeal on %s: no targets", site)
	}
	seen := map[string]bool{}
	for i, paths := range [][]string{repeal, expire} {
		for _, p := range paths {
			t, ok := s.byPath[p]
			switch {
			case !ok:
				return groups, fmt.Errorf("sim: repeal %s: no such release", p)
			case seen[p]:
				return groups, fmt.Errorf("sim: repeal %s: listed twice", p)
			case t.DocNumber == "":
				return groups, fmt.Errorf("sim: repeal %s: no 发文字号", p)
			case t.RepealedBy != "" || t.Validity == Repealed || t.Validity == Expired:
				return groups, fmt.Errorf("sim: repeal %s: already %s", p, t.Validity)
			}
			seen[p] = true
			groups[i] = append(groups[i], t)
		}
	}
	return groups, nil
}

// repeal applies a decision published at at to its target t.
func (s *Site) repeal(t *item, decision, to string, at time.Time) {
	t.RepealedBy = decision
	if t.Validity == "" {
		return // gov.cn prints no 有效性: the page does not change
	}
	t.Validity = to
	if at.After(t.ModifiedAt) {
		t.ModifiedAt = at
	}
	if t.Site == Guizhou && s.sites[GuizhouAll] {
		t.AlsoListed = append(t.AlsoListed, colSXFZWJ.list)
		s.lists[colSXFZWJ.slug] = append(s.lists[colSXFZWJ.slug], t)
		s.touched[colSXFZWJ.slug] = at
	}
}

// decision makes the decision d publishes at at on groups (to repeal, to
// declare expired).
func (g *generator) decision(d decider, at time.Time, groups [2][]*item) *item {
	at = at.In(g.loc)
	col := d.col
	g.seq[col.site]++
	it := &item{seq: g.seq[col.site], editor: pick(g.rng, editors), tp: lawTopic}
	r := &it.Release
	r.Site, r.Column, r.ColumnName, r.List = col.site, col.slug, col.name, col.list
	r.PublishedAt, r.ModifiedAt = at, at
	r.WrittenAt = dateOf(at.AddDate(0, 0, -1-g.rng.IntN(6)))
	r.DocNumber = g.number(d.kind, r.WrittenAt.Year())
	r.Issuer, r.Keywords = d.kind.issuer, lawTopic.keywords
	idxKey := col.site + strconv.Itoa(at.Year())
	g.index[idxKey] += 1 + g.rng.IntN(4)
	r.IndexNumber = fmt.Sprintf("%s/%d-%05d", col.indexOrg, at.Year(), g.index[idxKey])

	title := d.titleFor(len(groups[0]) > 0, len(groups[1]) > 0)
	dir := col.dir + at.Format("200601") + "/"
	if col.tmpl == tmplGovA {
		r.ID = strconv.Itoa(g.ids[GovCN].take(at, 1+g.rng.IntN(400)))
		r.Path = dir + "content_" + r.ID + ".htm"
		if g.used[title] { // gov.cn titles carry no number to tell them apart
			g.fallback++
			title = fmt.Sprintf("%s（第%d批）", title, g.fallback)
		}
		r.Title, r.Subject = title, lawTopic.subject
		r.ListDate = at.Format("2006-01-02")
	} else {
		r.ID = strconv.Itoa(g.idSpace(col.site).take(at, 50+g.rng.IntN(5000)))
		r.Path = dir + "t" + at.Format("20060102") + "_" + r.ID + ".html"
		r.Title = title + "（" + r.DocNumber + "）"
		r.Category, r.Origin = col.category, col.origin
		r.ListDate = guizhouListDate(at, it.seq)
		r.Validity = "有效"
	}
	g.used[r.Title] = true

	it.paras = decisionBody(d, col, title, r, groups)
	for i, targets := range groups {
		for _, t := range targets {
			r.Repeals = append(r.Repeals, Target{Path: t.Path, Title: quotedTitle(t), DocNumber: t.DocNumber, Validity: []string{Repealed, Expired}[i]})
		}
	}
	for _, p := range it.paras {
		r.Body = append(r.Body, p.text)
	}
	return it
}

// decisionBody writes a decision: (title,) number, addressees, preamble,
// the numbered sections of targets, the closing sentence, signature, date.
func decisionBody(d decider, col column, title string, r *Release, groups [2][]*item) []para {
	var ps []para
	add := func(text, align string) { ps = append(ps, para{text: text, align: align, att: -1}) }
	if col.titlePara {
		add(title, "center")
	}
	add(r.DocNumber, "center")
	addressee := col.addressee
	if addressee == "" {
		addressee = "各省、自治区、直辖市人民政府，国务院各部委、各直属机构："
	}
	add(addressee, "")
	add("为维护法制统一，"+d.who+"对现行"+d.docs+"进行了清理。现决定：", "")
	section := 0
	for i, targets := range groups {
		if len(targets) == 0 {
			continue
		}
		section++
		verb := []string{"废止", "宣布失效"}[i]
		add(fmt.Sprintf("%s、%s以下%s（共%d件）", cnNumber(section), verb, d.docs, len(targets)), "")
		for n, t := range targets {
			add(fmt.Sprintf("%d.《%s》（%s）", n+1, quotedTitle(t), t.DocNumber), "")
		}
	}
	add("本决定自公布之日起施行。", "")
	add(d.kind.issuer, "right")
	add(cnDate(r.WrittenAt), "right")
	return ps
}

// quotedTitle is how a decision quotes t: its title without the trailing
// （发文字号） of Guizhou and Guiyang titles.
func quotedTitle(t *item) string {
	return strings.TrimSuffix(t.Title, "（"+t.DocNumber+"）")
}
