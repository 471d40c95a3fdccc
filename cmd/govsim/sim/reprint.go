package sim

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// reprint makes a Guiyang 转载 of orig, published at at: the same document
// (title byte for byte, 发文字号, issuer, 成文日期, body) under a Guiyang URL,
// with 来源 中国政府网 or 贵州省人民政府 and its attachments copied beside it
// (same bytes, new names).
func (g *generator) reprint(col column, at time.Time, orig *item) *item {
	at = at.In(g.loc)
	g.seq[col.site]++
	it := &item{seq: g.seq[col.site], editor: pick(g.rng, editors), tp: orig.tp}
	o, r := &orig.Release, &it.Release
	r.Site, r.Column, r.ColumnName, r.List = col.site, col.slug, col.name, col.list
	r.PublishedAt, r.ModifiedAt = at, at
	r.Title, r.DocNumber, r.Issuer, r.WrittenAt, r.Keywords = o.Title, o.DocNumber, o.Issuer, o.WrittenAt, o.Keywords
	r.SameAs = o.Path
	r.Origin = "贵州省人民政府"
	if o.Site == GovCN {
		r.Origin = "中国政府网"
	}
	r.Category = col.category
	idxKey := col.site + strconv.Itoa(at.Year())
	g.index[idxKey] += 1 + g.rng.IntN(4)
	r.IndexNumber = fmt.Sprintf("%s/%d-%05d", col.indexOrg, at.Year(), g.index[idxKey])
	r.ID = strconv.Itoa(g.idSpace(col.site).take(at, 50+g.rng.IntN(5000)))
	dir := col.dir + at.Format("200601") + "/"
	r.Path = dir + "t" + at.Format("20060102") + "_" + r.ID + ".html"
	r.ListDate = guizhouListDate(at, it.seq)
	r.Validity = "有效"
	r.Large = o.Large

	it.paras = slices.Clone(orig.paras)
	r.Body = slices.Clone(o.Body)
	for i, a := range o.Attachments {
		file := fmt.Sprintf("P0%s%012d.pdf", at.Format("20060102"), g.rng.Int64N(1e12))
		a.Href, a.Path = "./"+file, dir+file
		r.Attachments = append(r.Attachments, a)
		it.files = append(it.files, orig.files[i])
	}
	return it
}
