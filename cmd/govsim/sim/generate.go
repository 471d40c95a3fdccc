package sim

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

// largeBodyBytes is the body text size of a large release: well above the
// default NATS max payload of 1 MB, so a pipeline must use a claim check.
const largeBodyBytes = 1_500_000

// item is a release plus what the renderers need to draw it.
type item struct {
	Release
	seq   int    // per site, from 1; drives the deterministic markup variants
	paras []para // the body, with layout hints
	files [][]byte
	// editor is the 责任编辑 in the gov.cn page footer noise.
	editor string
}

// para is one body paragraph.
type para struct {
	text  string
	align string // "", "center" or "right"
	att   int    // index into Attachments, or -1
}

// generator makes releases. All randomness comes from its one seeded source,
// so the same seed and the same sequence of calls give the same releases.
type generator struct {
	rng        *rand.Rand
	loc        *time.Location
	largeEvery int // <= 0: never

	used     map[string]bool // titles, and plan names by site, already given
	serial   map[string]int  // 发文字号 serial by prefix and year
	index    map[string]int  // 索引号 sequence by site and year
	seq      map[string]int  // releases made per site
	govID    int             // last gov.cn content id (7 digits, site-wide)
	gzID     int             // last Guizhou id (8 digits, platform-wide)
	fallback int             // counter that keeps fallback titles unique
}

func newGenerator(seed int64, loc *time.Location, largeEvery int) *generator {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x676f7673696d)) // "govsim"
	return &generator{
		rng:        rng,
		loc:        loc,
		largeEvery: largeEvery,
		used:       map[string]bool{},
		serial:     map[string]int{},
		index:      map[string]int{},
		seq:        map[string]int{},
		govID:      7_000_000 + rng.IntN(60_000),
		gzID:       89_000_000 + rng.IntN(900_000),
	}
}

// newsID takes a gov.cn content id for a page that is not a release.
func (g *generator) newsID() int {
	g.govID += 1 + g.rng.IntN(400)
	return g.govID
}

// pastTimes returns n strictly increasing publication times before start,
// mostly in office hours, truncated to prec.
func (g *generator) pastTimes(start time.Time, n int, prec time.Duration) []time.Time {
	ts := make([]time.Time, n)
	prev := start.In(g.loc)
	for i := n - 1; i >= 0; i-- {
		t := prev.Add(-time.Duration(3*60+g.rng.IntN(45*60)) * time.Minute)
		day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, g.loc)
		if t.Hour() < 8 {
			day = day.AddDate(0, 0, -1)
		}
		if t.Hour() < 8 || t.Hour() > 20 {
			t = day.Add(8*time.Hour + time.Duration(g.rng.IntN(13*3600))*time.Second)
		}
		if !t.Before(prev.Add(-10 * time.Minute)) {
			t = prev.Add(-time.Duration(10+g.rng.IntN(110)) * time.Minute)
		}
		t = t.Truncate(prec)
		ts[i], prev = t, t
	}
	return ts
}

// release makes the next release of col, published at at. History releases
// may carry a validity other than 有效 and a later lastmodifiedtime.
func (g *generator) release(col column, at time.Time, history bool) *item {
	at = at.In(g.loc)
	g.seq[col.site]++
	it := &item{seq: g.seq[col.site], editor: pick(g.rng, editors)}
	r := &it.Release
	r.Site, r.Column, r.ColumnName, r.List = col.site, col.slug, col.name, col.list
	r.PublishedAt, r.ModifiedAt = at, at

	kind := col.kinds[weighted(g.rng, col.weights)]
	tp := topics[g.rng.IntN(len(topics))]
	d := g.title(col, kind, tp)
	r.WrittenAt = dateOf(at.AddDate(0, 0, -2-g.rng.IntN(24)))
	year := r.WrittenAt.Year()
	g.serial[kind.prefix+strconv.Itoa(year)] += 1 + g.rng.IntN(3)
	r.DocNumber = fmt.Sprintf("%s〔%d〕%d号", kind.prefix, year, g.serial[kind.prefix+strconv.Itoa(year)])
	r.Issuer, r.Keywords = kind.issuer, tp.keywords
	idxKey := col.site + strconv.Itoa(at.Year())
	g.index[idxKey] += 1 + g.rng.IntN(4)

	dir := col.dir + at.Format("200601") + "/"
	switch col.site {
	case GovCN:
		g.govID += 1 + g.rng.IntN(400)
		r.ID = strconv.Itoa(g.govID)
		r.Path = dir + "content_" + r.ID + ".htm"
		r.Title = d.title
		r.Subject = tp.subject
		r.IndexNumber = fmt.Sprintf("000014349/%d-%05d", at.Year(), g.index[idxKey])
		r.ListDate = at.Format("2006-01-02")
		if history && g.rng.IntN(3) > 0 {
			r.ModifiedAt = at.Add(time.Duration(1+g.rng.IntN(120)) * time.Minute)
		}
	case Guizhou:
		g.gzID += 50 + g.rng.IntN(5000)
		r.ID = strconv.Itoa(g.gzID)
		r.Path = dir + "t" + at.Format("20060102") + "_" + r.ID + ".html"
		r.Title = d.title + "（" + r.DocNumber + "）"
		r.Category = `政策文件\省政府文件`
		r.Origin = "贵州省人民政府办公厅"
		r.IndexNumber = fmt.Sprintf("11520000009390159W/%d-%05d", at.Year(), g.index[idxKey])
		r.ListDate = guizhouListDate(at, it.seq)
		r.Validity = "有效"
		if history {
			switch g.rng.IntN(20) {
			case 0:
				r.Validity = "已废止"
			case 1:
				r.Validity = "已失效"
			case 2:
				r.Validity = "已修改"
			}
		}
	}

	r.Large = g.largeEvery > 0 && it.seq%g.largeEvery == 0
	it.paras = g.body(col, kind, tp, d, r)
	g.attach(it, dir, tp, d.plan)
	for _, p := range it.paras {
		r.Body = append(r.Body, p.text)
	}
	return it
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
	letter bool   // a 函 approving a joint-conference system
}

// title returns a document whose title and plan were not given before on
// the site.
func (g *generator) title(col column, kind docKind, tp topic) doc {
	for range 24 {
		var d doc
		switch r := g.rng.IntN(10); {
		case kind.prefix == "国办函" && r < 5:
			d = doc{title: kind.head + "关于同意建立" + tp.name + "工作部际联席会议制度的函", letter: true}
		case r < 6:
			d = doc{title: kind.head + "关于" + pick(g.rng, verbs) + tp.name + pick(g.rng, aspects) + "的" + pick(g.rng, kinds)}
		default:
			d.plan = tp.name + pick(g.rng, plans)
			if col.site == Guizhou {
				d.plan = "贵州省" + d.plan
			}
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
	return doc{title: fmt.Sprintf("%s关于公布第%d批%s示范单位名单的通知", kind.head, g.fallback, tp.name)}
}

// body writes the paragraphs of a release in the order of a real 公文:
// (title,) number, addressees, text by sections, signature, date.
func (g *generator) body(col column, kind docKind, tp topic, d doc, r *Release) []para {
	var ps []para
	add := func(text, align string) { ps = append(ps, para{text: text, align: align, att: -1}) }
	if col.site == GovCN {
		add(d.title, "center")
	}
	add(r.DocNumber, "center")
	switch {
	case col.site == Guizhou:
		add("各市、自治州人民政府，各县（市、区、特区）人民政府，省政府各部门、各直属机构：", "")
	case d.letter:
		add("国务院有关部门，各省、自治区、直辖市人民政府：", "")
	default:
		add("各省、自治区、直辖市人民政府，国务院各部委、各直属机构：", "")
	}
	approver := "国务院"
	if col.site == Guizhou {
		approver = "省人民政府"
	}
	hs := headings
	switch {
	case d.letter:
		add("国务院同意建立"+tp.name+"工作部际联席会议制度。联席会议不刻制印章，不正式行文，请按照国务院有关文件精神认真组织开展工作。", "")
		hs = letterHeadings
	case d.plan != "":
		add("《"+d.plan+"》已经"+approver+"同意，现印发给你们，请结合实际认真贯彻落实。", "")
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
		g.largeSection(tp, dk, add)
	}
	add(kind.issuer, "right")
	add(fmt.Sprintf("%d年%d月%d日", r.WrittenAt.Year(), r.WrittenAt.Month(), r.WrittenAt.Day()), "right")
	add("（此件公开发布）", "")
	return ps
}

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
func (g *generator) largeSection(tp topic, dk *deck, add func(text, align string)) {
	pool := make([]string, 16)
	for i := range pool {
		pool[i] = dk.paragraph(4)
	}
	add("附："+tp.name+"工作实施细则", "center")
	for n, size := 1, 0; size < largeBodyBytes; n++ {
		head := fmt.Sprintf("第%d条", n)
		text := pool[n%len(pool)]
		add(head, "")
		add(text, "")
		size += len(head) + len(text) + 2
	}
}

// attach gives about one release in three one or two PDF attachments, named
// the TRS way (P0 + publication date + 12 digits) beside the detail page.
func (g *generator) attach(it *item, dir string, tp topic, plan string) {
	if g.rng.IntN(3) != 0 {
		return
	}
	n := 1 + g.rng.IntN(2)
	subject := plan
	if subject == "" {
		subject = tp.name
	}
	for i := range n {
		file := fmt.Sprintf("P0%s%012d.pdf", it.PublishedAt.Format("20060102"), g.rng.Int64N(1e12))
		label := "附件："
		if n > 1 {
			label = fmt.Sprintf("附件%d：", i+1)
		}
		name := label + subject + pick(g.rng, annexes) + ".pdf"
		data := pdf(g.rng.Uint64(), file)
		it.Attachments = append(it.Attachments, Attachment{
			Name:        name,
			Href:        "./" + file,
			Path:        dir + file,
			Size:        len(data),
			SHA256:      sha256Hex(data),
			ContentType: "application/pdf",
		})
		it.files = append(it.files, data)
		it.paras = append(it.paras, para{text: name, att: i})
	}
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

// weighted returns i with probability ws[i] / sum(ws).
func weighted(rng *rand.Rand, ws []int) int {
	total := 0
	for _, w := range ws {
		total += w
	}
	n := rng.IntN(total)
	for i, w := range ws {
		if n < w {
			return i
		}
		n -= w
	}
	return len(ws) - 1
}

// dateOf is midnight of t's day in t's location.
func dateOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}
