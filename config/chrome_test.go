package config

import (
	"strings"
	"testing"
)

func TestSiteChrome(t *testing.T) {
	good := `site:
  chrome:
    site_code: "5201000047"
    icp: 黔ICP备05002212号-1
    police_record: 贵公网安备 52010302000123号
    sponsor: 贵阳市生态文明委员会
    organizer: 贵阳市生态文明委员会办公室
    conac_url: https://bszs.conac.cn/sitename?method=show&id=0000000000000000
    contact_url: mailto:stwm@example.gov.cn
    accessibility_url: https://www.example.gov.cn/wza/
`
	c, err := Parse("c.yml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	want := SiteChrome{
		SiteCode: "5201000047", ICP: "黔ICP备05002212号-1", PoliceRecord: "贵公网安备 52010302000123号",
		Sponsor: "贵阳市生态文明委员会", Organizer: "贵阳市生态文明委员会办公室",
		ConacURL:   "https://bszs.conac.cn/sitename?method=show&id=0000000000000000",
		ContactURL: "mailto:stwm@example.gov.cn", AccessibilityURL: "https://www.example.gov.cn/wza/",
	}
	if c.Site.Chrome != want {
		t.Errorf("chrome = %+v, want %+v", c.Site.Chrome, want)
	}

	// Defaults are empty: nothing is shown that was not configured.
	d, err := Parse("d.yml", []byte("site: {name: 委员会}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if d.Site.Chrome != (SiteChrome{}) {
		t.Errorf("default chrome = %+v, want empty", d.Site.Chrome)
	}

	bad := []struct{ yaml, want string }{
		{"site: {chrome: {site_code: 待填写}}", "site.chrome.site_code"},
		{"site: {chrome: {icp: ICP备案号}}", "site.chrome.icp"},
		{"site: {chrome: {police_record: 公安备案}}", "site.chrome.police_record"},
		{"site: {chrome: {conac_url: bszs.conac.cn}}", "site.chrome.conac_url"},
		{"site: {chrome: {contact_url: \"javascript:alert(1)\"}}", "site.chrome.contact_url"},
		{"site: {chrome: {accessibility_url: /wza}}", "site.chrome.accessibility_url"},
		{"site: {chrome: {sponsor: \"a\\nb\"}}", "site.chrome.sponsor"},
		{"site: {chrome: {site_cod: x}}", `unknown key "site_cod"`},
	}
	for _, tt := range bad {
		_, err := Parse("b.yml", []byte(tt.yaml))
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "b.yml:1") {
			t.Errorf("%s: err = %v, want %q at b.yml:1", tt.yaml, err, tt.want)
		}
	}
}
