package lifecycle_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/lifecycle"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// result is what a golden file holds.
type result struct {
	OK      bool              `json:"ok"`
	Entries []lifecycle.Entry `json:"entries"`
}

// readCase reads testdata/<name>.txt: the title on the first line, the
// body (one paragraph a line, as extract gives it) below.
func readCase(t testing.TB, name string) (title, body string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	title, body, _ = strings.Cut(string(b), "\n")
	return title, body
}

func parse(t testing.TB, name string) result {
	t.Helper()
	title, body := readCase(t, name)
	d, ok := lifecycle.ParseDecision(title, body)
	return result{OK: ok, Entries: d.Entries}
}

func TestParseDecisionGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		t.Run(name, func(t *testing.T) {
			got := parse(t, name)
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(got); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", name+".golden.json")
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), buf.String()); diff != "" {
				t.Errorf("%s mismatch (-want +got):\n%s", golden, diff)
			}
			// Every key is the crawler's key of the printed number.
			for _, e := range got.Entries {
				if e.DocKey != syndicator.DocKey(e.DocNumber) {
					t.Errorf("%q: doc_key %q, syndicator.DocKey gives %q", e.DocNumber, e.DocKey, syndicator.DocKey(e.DocNumber))
				}
			}
		})
	}
}

// TestParseDecisionFacts states what the goldens must show, so that an
// -update that breaks one is caught.
func TestParseDecisionFacts(t *testing.T) {
	const (
		rep = syndicator.ValidityRepealed
		exp = syndicator.ValidityExpired
		amd = syndicator.ValidityAmended
	)
	type fact struct {
		key string // doc_key, or "title:" + title for an entry without number
		to  syndicator.Validity
	}
	tests := []struct {
		name string
		ok   bool
		want []fact
	}{
		{"brief-format", true, []fact{{"黔府发〔2019〕4号", rep}, {"黔府办发〔2020〕12号", rep}, {"黔府办发〔2018〕3号", exp}}},
		{"guizhou-qianfufa-2024-3", true, []fact{
			{"黔府发〔2015〕9号", rep}, {"黔府办发〔2014〕13号", rep}, {"黔府发〔2011〕17号", rep}, {"黔府办发〔2019〕22号", rep},
			{"黔府发〔2016〕31号", exp}, {"黔府办函〔2018〕45号", exp}, {"黔府发〔2013〕20号", amd},
		}},
		{"guowuyuan-feizhi-xingzhengfagui", true, []fact{
			{"建设部令第1号", rep}, {"中华人民共和国国务院令第183号", rep}, {"国发〔2011〕35号", rep}, {"国办发〔2010〕33号", rep},
		}},
		{"guowuyuan-shixiao-table", true, []fact{{"国发〔2013〕30号", exp}, {"国发〔2012〕40号", exp}, {"国办发〔2014〕56号", exp}}},
		{"single-target", true, []fact{{"国发〔2016〕12号", rep}}},
		{"single-target-title-only", true, []fact{{"title:贵阳市城市生活垃圾分类管理暂行办法", rep}}},
		{"ordinary-tongshi-feizhi", true, []fact{
			{"黔府办发〔2016〕35号", rep}, {"黔府办函〔2017〕12号", rep}, {"title:贵州省环境污染损害鉴定评估暂行办法", rep},
		}},
		{"negative-passing", false, nil},
		{"negative-jiedu", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parse(t, tt.name)
			var facts []fact
			for _, e := range got.Entries {
				k := e.DocKey
				if k == "" {
					k = "title:" + e.Title
				}
				facts = append(facts, fact{k, e.To})
			}
			if got.OK != tt.ok {
				t.Errorf("ok = %v, want %v", got.OK, tt.ok)
			}
			if diff := cmp.Diff(tt.want, facts, cmp.AllowUnexported(fact{})); diff != "" {
				t.Errorf("entries (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseDecisionInline(t *testing.T) {
	tests := []struct {
		name, title, body string
		ok                bool
		want              []lifecycle.Entry
	}{
		{"split title and number on its own line, half-width brackets",
			"国务院关于废止部分规章的决定", "一、废止下列规章\n1.《关于加强\n城市绿化管理的\n规定》\n(国发[2001]20号)",
			true, []lifecycle.Entry{{Title: "关于加强城市绿化管理的规定", DocNumber: "国发[2001]20号", DocKey: "国发〔2001〕20号", To: "repealed"}}},
		{"verb column of a table row outside a section",
			"省人民政府关于废止和宣布失效部分规范性文件的决定", "1 贵州省环境保护规定 黔府发〔2010〕2号 宣布失效\n2 贵州省水资源办法 黔府发〔2011〕3号 有效",
			true, []lifecycle.Entry{{Title: "贵州省环境保护规定", DocNumber: "黔府发〔2010〕2号", DocKey: "黔府发〔2010〕2号", To: "expired"}}},
		{"amendment of one document, quoted wording ignored",
			"国务院关于修改《城镇排水与污水处理条例》的决定", "国务院决定对《城镇排水与污水处理条例》作如下修改：\n一、将第五条修改为：“依照《中华人民共和国水污染防治法》的规定予以废止。”",
			true, []lifecycle.Entry{{Title: "城镇排水与污水处理条例", To: "amended"}}},
		{"without a normaliser the number is kept, the key empty",
			"", "《贵州省甲办法》（黔府发〔2019〕4号）同时废止。", true,
			[]lifecycle.Entry{{Title: "贵州省甲办法", DocNumber: "黔府发〔2019〕4号", To: "repealed"}}},
		{"an entry whose title holds a verb is no heading",
			"国务院关于宣布失效一批国务院文件的决定", "一、宣布失效下列文件\n1.国务院关于废止部分规章的通知（国发〔2001〕3号）\n2、国务院关于修改部分文件的通知 国发〔2002〕4号",
			true, []lifecycle.Entry{
				{Title: "国务院关于废止部分规章的通知", DocNumber: "国发〔2001〕3号", DocKey: "国发〔2001〕3号", To: "expired"},
				{Title: "国务院关于修改部分文件的通知", DocNumber: "国发〔2002〕4号", DocKey: "国发〔2002〕4号", To: "expired"},
			}},
		{"a decision whose list is in an attachment", "国务院关于宣布失效一批国务院文件的决定", "现决定宣布失效一批国务院文件（目录见附件）。", true, nil},
		{"a mention without verb", "关于印发《甲办法》的通知", "现将《甲办法》（黔府发〔2019〕4号）印发给你们。", false, nil},
		{"a comma separates the verb from the title", "通知", "根据《甲办法》，废止相关条款。", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := syndicator.DocKey
			if strings.HasPrefix(tt.name, "without") {
				key = nil
			}
			d, ok := lifecycle.ParseDecisionWith(tt.title, tt.body, key)
			if ok != tt.ok {
				t.Errorf("ok = %v, want %v", ok, tt.ok)
			}
			if diff := cmp.Diff(tt.want, d.Entries); diff != "" {
				t.Errorf("entries (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseDecisionLongLines: a long body (govsim's large pages hold
// 1.5 MB) with many titles on one line, or unclosed brackets, is read in
// linear time (about 4 µs a title); a quadratic scan took minutes.
func TestParseDecisionLongLines(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		strings.Repeat("《甲》（国发〔2016〕12号）、", 12000) + "《乙》同时废止",
		strings.Repeat("《甲》（", 25000),
		"一、废止以下文件\n" + strings.Repeat("1.《甲乙丙丁》（国发〔2016〕12号）\n", 8000),
	} {
		start := time.Now()
		lifecycle.ParseDecision("国务院关于废止部分文件的决定", body)
		if d := time.Since(start); d > 15*time.Second {
			t.Errorf("%d bytes took %v", len(body), d)
		}
	}
}
