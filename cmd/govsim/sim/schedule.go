package sim

// This file decides which columns a set of sites serves, how their history
// is spread over the columns, and in which order new releases come.

// historySpread returns the columns that receive the history of an
// Options.Sites name beyond govcn and guizhou: the i-th historical release
// goes to cols[i%len(cols)].
func historySpread(group string) []column {
	switch group {
	case GovCNAll:
		return []column{colGWYWJ, colBMWJ, colJiedu, colBMWJ}
	case GuizhouAll:
		return []column{colQFH, colQFBH, colQFH, colSZFL}
	case Guiyang:
		return []column{colGuiyang}
	case County:
		return []column{colCounty}
	}
	return nil
}

// optInGroups are the Options.Sites names with a history of their own
// besides govcn and guizhou, in generation order.
func optInGroups() []string {
	return []string{GovCNAll, GuizhouAll, Guiyang, County}
}

// publishCycle is the order in which a site publishes: its k-th new release
// goes to cycle[k%len(cycle)].
func (set siteSet) publishCycle(host string) []column {
	switch host {
	case GovCN:
		if set[GovCNAll] {
			return []column{colZuixin, colBMWJ, colJiedu, colZuixin, colGWYWJ, colJiedu}
		}
		return []column{colZuixin}
	case Guizhou:
		if set[GuizhouAll] {
			return []column{colQFF, colQFH, colQFBF, colSZFL, colQFF, colQFBH}
		}
		return []column{colQFF, colQFBF}
	case Guiyang:
		return []column{colGuiyang}
	case County:
		return []column{colCounty}
	}
	return nil
}

// htmlLists are the enabled paged HTML lists, in a fixed order.
func (set siteSet) htmlLists() []column {
	var cols []column
	if set[Guizhou] {
		cols = append(cols, guizhouColumns...)
		cols = append(cols, colGZGWYWJ)
	}
	if set[GuizhouAll] {
		cols = append(cols, colSZFL, colQFH, colQFBH, colSXFZWJ)
	}
	if set[Guiyang] {
		cols = append(cols, colGuiyang)
	}
	if set[County] {
		cols = append(cols, colCounty)
	}
	return cols
}

// jsonLists are the enabled gov.cn JSON lists, in a fixed order.
func (set siteSet) jsonLists() []column {
	var cols []column
	if set[GovCN] {
		cols = append(cols, colZuixin)
	}
	if set[GovCNAll] {
		cols = append(cols, colGWYWJ, colBMWJ, colJiedu)
	}
	return cols
}

// columnOf returns the column of a release's Column slug.
func columnOf(slug string) column {
	for _, c := range []column{colZuixin, colQFF, colQFBF, colGWYWJ, colBMWJ, colJiedu, colSZFL, colQFH, colQFBH, colGZGWYWJ, colGuiyang, colCounty} {
		if c.slug == slug {
			return c
		}
	}
	panic("sim: no column " + slug) // unreachable: every release has a column
}
