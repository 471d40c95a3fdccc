package render

import (
	"regexp"
	"strings"
)

// Well-known docroot paths of the site chrome.
const (
	// NotFoundPath is the styled "page not found" page; serve answers
	// unknown paths with it and status 404.
	NotFoundPath = "404.html"
	// SitemapPagePath is the human-readable 网站地图.
	SitemapPagePath = "sitemap.html"
)

// Chrome is the site furniture the national norms for government websites
// (政府网站发展指引) ask for in every page footer. Every field is
// optional: what is empty is left out, never shown as a placeholder.
type Chrome struct {
	// SiteCode is the 网站标识码, e.g. "5201000047".
	SiteCode string
	// ICP is the ICP备案号, e.g. "黔ICP备05002212号-1"; it links to
	// https://beian.miit.gov.cn/.
	ICP string
	// PoliceRecord is the 公安机关备案号, e.g. "贵公网安备 52010302000123号";
	// it links to the public security filing system by its digits.
	PoliceRecord string
	// Sponsor is the 主办单位; Organizer the 承办单位.
	Sponsor   string
	Organizer string
	// ConacURL is the 党政机关网站标识 link (https://bszs.conac.cn/…).
	ConacURL string
	// ContactURL is the 联系我们 page (http(s) or mailto:).
	ContactURL string
	// AccessibilityURL is the 无障碍 entry.
	AccessibilityURL string
}

// ICPURL is where an ICP备案号 links.
const ICPURL = "https://beian.miit.gov.cn/"

// PoliceRecordURL is the public security filing record of a 公安机关备案号:
// http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=<digits>.
func PoliceRecordURL(record string) string {
	code := PoliceRecordCode(record)
	if code == "" {
		return ""
	}
	return "http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=" + code
}

var reDigits = regexp.MustCompile(`[0-9]{6,}`)

// PoliceRecordCode is the record code of a 公安机关备案号: its longest run
// of digits ("贵公网安备 52010302000123号" → "52010302000123"), or "".
func PoliceRecordCode(record string) string {
	best := ""
	for _, d := range reDigits.FindAllString(record, -1) {
		if len(d) > len(best) {
			best = d
		}
	}
	return best
}

// chromeView is what the footer shows.
type chromeView struct {
	Links         []Link // 网站地图, 联系我们, 无障碍
	Sponsor       string
	Organizer     string
	SiteCode      string
	ICP           string
	ICPHref       string
	Police        string
	PoliceHref    string
	ConacHref     string
	HasRecordLine bool
}

// chrome builds the footer of the page at docroot path p.
func (r *Renderer) chrome(sitemapHref string) chromeView {
	c := r.site.Chrome
	v := chromeView{
		Sponsor:   strings.TrimSpace(c.Sponsor),
		Organizer: strings.TrimSpace(c.Organizer),
		SiteCode:  strings.TrimSpace(c.SiteCode),
		ICP:       strings.TrimSpace(c.ICP),
		Police:    strings.TrimSpace(c.PoliceRecord),
		ConacHref: strings.TrimSpace(c.ConacURL),
	}
	v.Links = append(v.Links, Link{Name: "网站地图", Href: sitemapHref})
	if u := strings.TrimSpace(c.ContactURL); u != "" {
		v.Links = append(v.Links, Link{Name: "联系我们", Href: u})
	}
	if u := strings.TrimSpace(c.AccessibilityURL); u != "" {
		v.Links = append(v.Links, Link{Name: "无障碍", Href: u})
	}
	if v.ICP != "" {
		v.ICPHref = ICPURL
	}
	if v.Police != "" {
		v.PoliceHref = PoliceRecordURL(v.Police)
	}
	v.HasRecordLine = v.SiteCode != "" || v.ICP != "" || v.Police != ""
	return v
}
