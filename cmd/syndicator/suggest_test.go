package main

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/config"
)

// TestSourceSuggestOnGovsim: for a list of each kind govsim serves — the
// gov.cn JSON list, the Guizhou and Guiyang TRS columns, the GB18030 county
// table — `source suggest` with no preset infers a source whose dry run
// reads every required field of the first 5 items (source test finds no
// problem: exit 0), and prints it as a block that parses.
func TestSourceSuggestOnGovsim(t *testing.T) {
	p := newPipeline(t, sim.Options{Seed: 29, Items: 12, LargeEvery: -1, Sites: sim.AllSites()}, "nats://127.0.0.1:1", 0, "fs")
	cfgPath := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(cfgPath, []byte(p.yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, list string
		want       []string // in the printed block
	}{
		{"govcn", "/govcn/zhengce/zuixin/ZUIXINZHENGCE.json", []string{"preset: json", `url_field: "URL"`}},
		{"guizhou", "/guizhou/zwgk/zcfg/szfwj/qff/", []string{"preset: html", "link_pattern:", "pages: 10"}},
		{"guiyang", "/guiyang/zwgk/zfxxgks/fdzdgknr/lzyj/gfxwj/szfgfxwj/", []string{"preset: html", "item:", "pages: 10", "createPage"}},
		{"county", "/county/zwgk/zcwj/", []string{"preset: html", "item:"}}, // one page of 12 items: no pager links to infer from
		// gov.cn's column page is a shell whose script loads the JSON file.
		{"govcn-shell", "/govcn/zhengce/zhengceku/gwywj/", []string{"preset: json", "本身没有条目", `urls: ["/govcn/zhengce/zhengceku/gwywj/TONGYONGGAILAN.json"]`}},
		// A JSON API paged by p=: the page parameter, checked on page 2.
		{"govcn-search", "/govcn/search-gov/data?t=zhengcelibrary_gw&q=&p=1&n=2&sort=pubtime", []string{"preset: json", `items_path: "searchVO.listVO"`, `page_param: "p"`, "已核对第 2 页"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run([]string{"source", "suggest", p.srv.URL + tc.list, "--id", "s-" + tc.name, "--config", cfgPath}, &out, &errOut)
			if code != 0 {
				t.Fatalf("exit %d\n%s\n%s", code, out.String(), errOut.String())
			}
			for _, w := range append(tc.want, "未发现问题", "id: \"s-"+tc.name+"\"") {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
}

// A page with no list says so and what to write by hand, with exit 1.
func TestSourceSuggestNoList(t *testing.T) {
	p := newPipeline(t, sim.Options{Seed: 29, Items: 3, LargeEvery: -1}, "nats://127.0.0.1:1", 0, "fs")
	cfgPath := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(cfgPath, []byte(p.yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"source", "suggest", p.srv.URL + "/govsim-no-such-page/", "--config", cfgPath}, &out, &errOut); code != 1 {
		t.Errorf("exit %d, want 1\n%s%s", code, out.String(), errOut.String())
	}
	if code := run([]string{"source", "suggest", "ftp://x", "--config", cfgPath}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "http(s)") {
		t.Errorf("bad URL: exit %d, stderr %q", code, errOut.String())
	}
}

// Notes quote page content; a line break in it stays inside the comment
// and cannot add a source to the block.
func TestSuggestedSourceNotesStayComments(t *testing.T) {
	lu, _ := url.Parse("https://x.gov.cn/api/list")
	block := suggestedSource("s", lu, config.ListRule{Kind: config.KindJSON, URLField: "url", TitleField: "title"}, config.DetailRule{Body: []string{"div.text"}},
		[]string{"JSON 的 \"total\n  - id: evil\n    preset: json\" 为 9"})
	cfg, err := config.Parse("t", []byte("sources:\n"+block))
	if err != nil {
		t.Fatalf("%v\n%s", err, block)
	}
	if len(cfg.Sources) != 1 || cfg.Sources[0].ID != "s" {
		t.Errorf("%d sources from the block, want only s:\n%s", len(cfg.Sources), block)
	}
}
