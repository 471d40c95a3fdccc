package extract

import (
	"os"
	"testing"

	"github.com/gyeco/syndicator/config"
)

// The rules inferred from the saved list pages read what the presets'
// rules read there.
func TestSuggestListReadsWhatThePresetReads(t *testing.T) {
	for _, tc := range []struct {
		file, url string
		preset    config.ListRule
		kind      string
	}{
		{"guizhou-list.html", "https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qff/", guizhouSzfwjList, config.KindHTML},
		{"govcn-zuixin.json", "https://www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json", govcnZuixinList, config.KindJSON},
	} {
		body, err := os.ReadFile("testdata/" + tc.file)
		if err != nil {
			t.Fatal(err)
		}
		u := mustURL(t, tc.url)
		rule, notes, ok := SuggestList(body, "", u)
		if !ok || rule.Kind != tc.kind {
			t.Fatalf("%s: ok %v, kind %q, notes %v", tc.file, ok, rule.Kind, notes)
		}
		want, err := List(body, "", u, tc.preset)
		if err != nil {
			t.Fatal(err)
		}
		got, err := List(body, "", u, rule)
		if err != nil {
			t.Fatalf("%s: the inferred rule %+v: %v", tc.file, rule, err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: the inferred rule %+v reads %d entries, the preset %d (notes %v)", tc.file, rule, len(got), len(want), notes)
		}
		for i := range want {
			if got[i].URL != want[i].URL || got[i].Title != want[i].Title || !got[i].Date.Equal(want[i].Date) {
				t.Errorf("%s: entry %d = %+v, want %+v", tc.file, i, got[i], want[i])
			}
		}
	}
}

func TestSuggestDetail(t *testing.T) {
	rule, notes := SuggestDetail(readCase(t, "density-article", nil), "text/html", mustURL(t, "https://sthjj.example.gov.cn/tzgg/202604/t20260401_1.html"))
	if len(rule.Body) != 1 || rule.Body[0] != "div.wz-cont" {
		t.Errorf("body %q, want [div.wz-cont] (notes %v)", rule.Body, notes)
	}
	p, err := Detail(readCase(t, "density-article", nil), "text/html", mustURL(t, "https://sthjj.example.gov.cn/tzgg/202604/t20260401_1.html"), rule)
	if err != nil || p.BodyByDensity || len(p.Missing) > 0 || p.DocNumber != "某环通〔2026〕5号" {
		t.Errorf("the inferred rule reads: by density %v, missing %v, doc number %q, err %v", p.BodyByDensity, p.Missing, p.DocNumber, err)
	}
}

func TestMajorityDir(t *testing.T) {
	for _, tc := range []struct {
		paths []string
		seg   string
	}{
		{[]string{"/govcn/zhengce/content/1.htm", "/govcn/zhengce/content/2.htm", "/govcn/yaowen/liebiao/3.htm"}, "zhengce"},
		{[]string{"/a/b/1.htm", "/a/b/2.htm", "/a/b/3.htm"}, ""},             // all in one place: nothing to filter
		{[]string{"/a/x/1.htm", "/a/y/2.htm", "/a/z/3.htm"}, ""},             // no majority
		{[]string{"/a/1.htm", "/b/2.htm"}, ""},                               // too few
		{[]string{"/z/x/1.htm", "/z/x/2.htm", "/z/x/3.htm", "/z/4.htm"}, ""}, // a file where others have directories
		{[]string{"/p/x/1.htm", "/p/x/2.htm", "/p/x/3.htm", "/p/y/4.htm"}, "x"},
	} {
		if seg, _ := majorityDir(tc.paths); seg != tc.seg {
			t.Errorf("%v: %q, want %q", tc.paths, seg, tc.seg)
		}
	}
}
