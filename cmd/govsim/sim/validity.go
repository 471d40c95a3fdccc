package sim

// validityAt is the 有效性 of the i-th of n historical releases (0 the
// oldest) of a site other than the default two: the older a document, the
// likelier it was amended, repealed or expired since; the newest quarter
// are all in force.
func validityAt(g *generator, i, n int) string {
	age := 1 - float64(i)/(0.75*float64(n))
	if age <= 0 || g.rng.Float64() >= 0.45*age {
		return "有效"
	}
	return pick(g.rng, []string{"已修改", "已废止", "已失效"})
}

// listRepealed fills the Guizhou 失效废止文件 list: every Guizhou release
// repealed or expired, oldest first, each linking to its own page.
func (s *Site) listRepealed() {
	var out []*item
	for _, it := range s.all {
		if it.Site == Guizhou && (it.Validity == "已废止" || it.Validity == "已失效") {
			it.AlsoListed = append(it.AlsoListed, colSXFZWJ.list)
			out = append(out, it)
		}
	}
	s.lists[colSXFZWJ.slug] = out
}
