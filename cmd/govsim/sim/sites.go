package sim

import (
	"fmt"
	"slices"
	"strings"
)

// Site names, as in Release.Site and as the first URL path segment.
const (
	GovCN   = "govcn"   // www.gov.cn
	Guizhou = "guizhou" // www.guizhou.gov.cn
	Guiyang = "guiyang" // www.guiyang.gov.cn
	County  = "county"  // a county site off the Guizhou platform (修文县)
)

// Names of Options.Sites that widen a site to all its simulated lists.
const (
	// GovCNAll is gov.cn with, besides 最新政策, the 国务院文件 and 部门文件
	// lists of the 政策文件库 and the 政策解读 list.
	GovCNAll = "govcn-all"
	// GuizhouAll is Guizhou with, besides 黔府发 and 黔府办发, the 省政府令,
	// 黔府函 and 黔府办函 columns and the 失效废止文件 list.
	GuizhouAll = "guizhou-all"
)

// AllSites returns every name Options.Sites accepts, widest first: the
// command's default.
func AllSites() []string {
	return []string{GovCNAll, GuizhouAll, Guiyang, County}
}

// siteNames are the names Options.Sites accepts, in generation order.
func siteNames() []string {
	return []string{GovCN, Guizhou, GovCNAll, GuizhouAll, Guiyang, County}
}

// siteSet is the set of enabled Options.Sites names, widened: govcn-all
// implies govcn, guizhou-all implies guizhou.
type siteSet map[string]bool

// newSiteSet checks and widens names; nil means govcn and guizhou. It
// panics on an unknown name.
func newSiteSet(names []string) siteSet {
	if names == nil {
		names = []string{GovCN, Guizhou}
	}
	if err := CheckSites(names); err != nil {
		panic(err)
	}
	set := siteSet{}
	for _, n := range names {
		n = strings.TrimSpace(n)
		set[n] = true
		if host, ok := strings.CutSuffix(n, "-all"); ok {
			set[host] = true
		}
	}
	return set
}

// hosts returns the enabled Release.Site names in a fixed order.
func (set siteSet) hosts() []string {
	var hs []string
	for _, h := range []string{GovCN, Guizhou, Guiyang, County} {
		if set[h] {
			hs = append(hs, h)
		}
	}
	return hs
}

// CheckSites reports the first name Options.Sites would not accept. Names
// may carry surrounding spaces.
func CheckSites(names []string) error {
	for _, n := range names {
		if !slices.Contains(siteNames(), strings.TrimSpace(n)) {
			return fmt.Errorf("sim: unknown site %q (known: %s)", n, strings.Join(siteNames(), ", "))
		}
	}
	return nil
}
