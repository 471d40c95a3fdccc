package sim

import (
	"fmt"
	"math/rand/v2"
	"strconv"
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
	tp     topic // what it is about
	// related is the document a 政策解读 interprets, for its 相关文件 link.
	related *item

	// Mutable under Site.mu: how often the release was interpreted (gov.cn
	// 政策解读) or reprinted (Guiyang 转载).
	interpreted, reprinted int
}

// para is one body paragraph.
type para struct {
	text  string
	align string // "", "center" or "right"
	att   int    // index into Attachments, or -1
}

// generator makes releases. All randomness comes from its one seeded source,
// so the same seed and the same sequence of calls give the same releases.
// Generators forked from one another share a registry, which keeps titles,
// numbers and ids unique across them.
type generator struct {
	rng        *rand.Rand
	loc        *time.Location
	seed       int64
	largeEvery int            // <= 0: never
	seq        map[string]int // releases made per site
	*registry
}

// registry is what the generators of one Site share.
type registry struct {
	used     map[string]bool   // titles, and plan names by site, already given
	serial   map[string]int    // 发文字号 serial by prefix and year
	index    map[string]int    // 索引号 sequence by site and year
	ids      map[string]*idSeq // by id space: the site name; Guiyang shares Guizhou's
	fallback int               // counter that keeps fallback titles unique
	articles []string          // "第n条" at n-1, shared by large bodies
}

func newGenerator(seed int64, loc *time.Location, largeEvery int) *generator {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x676f7673696d)) // "govsim"
	g := &generator{
		rng:        rng,
		loc:        loc,
		seed:       seed,
		largeEvery: largeEvery,
		seq:        map[string]int{},
		registry: &registry{
			used:   map[string]bool{},
			serial: map[string]int{},
			index:  map[string]int{},
			ids:    map[string]*idSeq{},
		},
	}
	g.ids[GovCN] = newIDSeq(7_000_000 + rng.IntN(60_000))     // content_ ids, 7 digits, site-wide
	g.ids[Guizhou] = newIDSeq(89_000_000 + rng.IntN(900_000)) // t…_ ids, 8 digits, platform-wide
	return g
}

// fork returns a generator with a random source of its own, named by
// stream, that shares g's registry: what it makes does not change what g
// makes, yet stays unique next to it.
func (g *generator) fork(stream string) *generator {
	h := uint64(0x676f7673696d)
	for _, c := range []byte(stream) {
		h = h*1099511628211 ^ uint64(c)
	}
	return &generator{
		rng:        rand.New(rand.NewPCG(uint64(g.seed), h)),
		loc:        g.loc,
		seed:       g.seed,
		largeEvery: g.largeEvery,
		seq:        map[string]int{},
		registry:   g.registry,
	}
}

// idSpace returns the id sequence of a site; the county site has its own
// short ids, made on first use.
func (g *generator) idSpace(site string) *idSeq {
	if site == Guiyang {
		site = Guizhou
	}
	s, ok := g.ids[site]
	if !ok {
		s = newIDSeq(1000 + g.rng.IntN(500))
		g.ids[site] = s
	}
	return s
}

// newsID takes a gov.cn content id for a page published at at that is not
// a release.
func (g *generator) newsID(at time.Time) int {
	return g.ids[GovCN].take(at, 1+g.rng.IntN(400))
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
	tp := g.topic(col, kind)
	it.tp = tp
	d := g.title(col, kind, tp)
	r.WrittenAt = dateOf(at.AddDate(0, 0, -2-g.rng.IntN(24)))
	r.DocNumber = g.number(kind, r.WrittenAt.Year())
	r.Issuer, r.Keywords = kind.issuer, tp.keywords
	idxKey := col.site + strconv.Itoa(at.Year())
	g.index[idxKey] += 1 + g.rng.IntN(4)
	index := fmt.Sprintf("%s/%d-%05d", col.indexOrg, at.Year(), g.index[idxKey])

	dir := col.dir + at.Format("200601") + "/"
	switch col.tmpl {
	case tmplGovA, tmplGovLib:
		r.ID = strconv.Itoa(g.ids[GovCN].take(at, 1+g.rng.IntN(400)))
		r.Path = dir + "content_" + r.ID + ".htm"
		r.Title = d.title
		r.Subject = tp.subject
		if col.tmpl == tmplGovA {
			r.IndexNumber = index
		} else {
			r.Origin, r.DocType = kind.origin, docType(d)
		}
		r.ListDate = at.Format("2006-01-02")
		if history && g.rng.IntN(3) > 0 {
			r.ModifiedAt = at.Add(time.Duration(1+g.rng.IntN(120)) * time.Minute)
		}
	case tmplTRS:
		r.ID = strconv.Itoa(g.idSpace(col.site).take(at, 50+g.rng.IntN(5000)))
		r.Path = dir + "t" + at.Format("20060102") + "_" + r.ID + ".html"
		r.Title = d.title + "（" + r.DocNumber + "）"
		r.Category = col.category
		r.Origin = col.origin
		r.IndexNumber = index
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
	case tmplCounty:
		r.ID = strconv.Itoa(g.idSpace(col.site).take(at, 1+g.rng.IntN(30)))
		r.Path = dir + "t" + at.Format("20060102") + "_" + r.ID + ".html"
		r.Title = d.title
		r.Origin = col.origin
		r.IndexNumber = index
		r.ListDate = at.Format("2006年01月02日")
		r.Validity = "有效"
		r.Charset = "gb18030"
	}

	r.Large = g.largeEvery > 0 && it.seq%g.largeEvery == 0
	if d.decree {
		it.paras = g.decreeBody(kind, tp, d, r)
	} else {
		it.paras = g.body(col, kind, tp, d, r)
	}
	g.attach(it, dir, tp, d.plan)
	r.Body = make([]string, 0, len(it.paras))
	for _, p := range it.paras {
		r.Body = append(r.Body, p.text)
	}
	return it
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
