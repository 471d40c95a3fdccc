package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/gyeco/syndicator/syndicator/audit"
)

var update = flag.Bool("update", false, "rewrite golden files")

// input is the audit package's golden report: what audit.Build makes of
// its hand-made ledger is what this package renders.
func input(t *testing.T) audit.Report {
	t.Helper()
	data, err := os.ReadFile("../testdata/period.golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var r audit.Report
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := "testdata/" + name
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update, then review the diff)", path)
	}
}

// render is a renderer's output; a test fails on its error.
func render(t *testing.T, f func(audit.Report) ([]byte, error), r audit.Report) []byte {
	t.Helper()
	b, err := f(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// htmlOf is the HTML renderer with the names n, as a function like CSV
// and JSON.
func htmlOf(n Names) func(audit.Report) ([]byte, error) {
	return func(r audit.Report) ([]byte, error) {
		rr, err := NewRenderer()
		if err != nil {
			return nil, err
		}
		return rr.HTML(r, n)
	}
}

func TestGolden(t *testing.T) {
	r := input(t)
	golden(t, "report.html", render(t, htmlOf(Names{}), r))
	golden(t, "report.csv", render(t, CSV, r))
	golden(t, "report.json", render(t, JSON, r))
}

func TestJSONRoundTrips(t *testing.T) {
	r := input(t)
	var back audit.Report
	if err := json.Unmarshal(render(t, JSON, r), &back); err != nil {
		t.Fatal(err)
	}
	if back.Late != r.Late || len(back.Items) != len(r.Items) || back.Items[2].Where != r.Items[2].Where {
		t.Errorf("JSON lost data: %+v", back)
	}
}

func TestCSVOneRowPerItem(t *testing.T) {
	r := input(t)
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(render(t, CSV, r), []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(r.Items)+1 {
		t.Fatalf("%d rows for %d items", len(rows), len(r.Items))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for i, it := range r.Items {
		row := rows[i+1]
		if row[col["编号"]] != it.ItemID || row[col["耗时环节"]] != it.Where || row[col["状态"]] != rowStatus(it) ||
			row[col["原文 sha256"]] != it.OriginalSHA256 || row[col["转载 sha256"]] != it.PublishedSHA256 || row[col["WARC"]] != it.WARC {
			t.Errorf("row %d = %q, item %+v", i, row, it)
		}
	}
}

// TestHTMLChartsMatchData parses the page as a browser would and checks
// every chart's bars against the JSON it embeds and against the report.
func TestHTMLChartsMatchData(t *testing.T) {
	r := input(t)
	doc, err := html.Parse(bytes.NewReader(render(t, htmlOf(Names{}), r)))
	if err != nil {
		t.Fatal(err)
	}
	scripts := map[string]string{} // id → JSON
	bars := map[string][]map[string]string{}
	var styles int
	var walk func(n *html.Node, chart string)
	walk = func(n *html.Node, chart string) {
		if n.Type == html.ElementNode {
			a := attrs(n)
			switch {
			case n.Data == "script" && a["type"] != "application/json":
				t.Errorf("executable script in the page: %v", a)
			case n.Data == "script":
				if n.FirstChild != nil {
					scripts[a["id"]] = n.FirstChild.Data
				}
			case n.Data == "svg":
				chart = a["data-chart"]
			case n.Data == "rect" && a["class"] == "bar":
				bars[chart] = append(bars[chart], a)
			case n.Data == "style":
				// The one inline style sheet, allowed by its hash alone.
				styles++
				if n.FirstChild == nil || styleSource(n.FirstChild.Data) != StyleSource {
					t.Errorf("<style> does not match StyleSource %s", StyleSource)
				}
			case n.Data == "link" || n.Data == "img" || n.Data == "iframe":
				t.Errorf("external resource or style in the page: <%s %v>", n.Data, a)
			}
			for k, v := range a {
				if strings.HasPrefix(k, "on") || strings.Contains(v, "http://") && n.Data != "svg" || strings.Contains(v, "https://") {
					t.Errorf("<%s %s=%q>: handlers and external URLs are not allowed", n.Data, k, v)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, chart)
		}
	}
	walk(doc, "")
	if styles != 1 {
		t.Errorf("%d <style> elements, want 1", styles)
	}

	if len(r.LagBuckets) == 0 || len(r.OnTimeByMonth) == 0 {
		t.Fatal("the input report has no chart data")
	}
	for i, s := range r.LagBuckets {
		id := "chart-lag-" + strconv.Itoa(i)
		var data audit.LagSeries
		if err := json.Unmarshal([]byte(scripts[id]), &data); err != nil {
			t.Fatalf("%s: embedded data %q: %v", id, scripts[id], err)
		}
		if data.Source != s.Source || data.Class != s.Class || len(data.Buckets) != len(s.Buckets) {
			t.Errorf("%s: embedded %+v, report %+v", id, data, s)
		}
		bs := bars[id]
		if len(bs) != len(data.Buckets) {
			t.Fatalf("%s: %d bars for %d buckets", id, len(bs), len(data.Buckets))
		}
		top := 0
		for _, b := range data.Buckets {
			top = max(top, b.Count)
		}
		for j, b := range data.Buckets {
			count, _ := strconv.Atoi(bs[j]["data-count"])
			h, _ := strconv.Atoi(bs[j]["height"])
			if bs[j]["data-key"] != b.Key || count != b.Count || count != s.Buckets[j].Count {
				t.Errorf("%s bar %d: %v, data %+v", id, j, bs[j], b)
			}
			if (b.Count == top) != (h == plotBottom-plotTop) || (b.Count == 0) != (h == 0) {
				t.Errorf("%s bar %d: height %d does not draw %d of %d", id, j, h, b.Count, top)
			}
		}
	}
	var months []audit.MonthRate
	if err := json.Unmarshal([]byte(scripts["chart-ontime-month"]), &months); err != nil {
		t.Fatal(err)
	}
	bs := bars["chart-ontime-month"]
	if len(bs) != len(months) || len(months) != len(r.OnTimeByMonth) {
		t.Fatalf("%d month bars, %d embedded, %d in the report", len(bs), len(months), len(r.OnTimeByMonth))
	}
	for j, m := range months {
		rate, _ := strconv.ParseFloat(bs[j]["data-rate"], 64)
		on, _ := strconv.Atoi(bs[j]["data-met"])
		of, _ := strconv.Atoi(bs[j]["data-of"])
		h, _ := strconv.Atoi(bs[j]["height"])
		if bs[j]["data-key"] != m.Month || rate != m.Rate || on != m.OnTime || of != m.OnTime+m.Late+m.Missed {
			t.Errorf("month bar %d: %v, data %+v", j, bs[j], m)
		}
		if want := int(m.Rate * float64(plotBottom-plotTop)); h != want {
			t.Errorf("month bar %d: height %d, want %d for rate %v", j, h, want, m.Rate)
		}
	}
}

func TestHTMLSections(t *testing.T) {
	r := input(t)
	page := string(render(t, htmlOf(Names{}), r))
	for _, want := range []string{
		"审核 102 小时", "发布 50.5 小时", // late items say where the time went
		`id="missed-items"`, "贵阳市河长制工作方案", // the missed item
		`data-column="sthj" data-stale="true"`, `data-column="zcwj" data-stale="false"`,
		"capture.warc.gz", r.Items[1].OriginalSHA256, r.Items[1].PublishedSHA256,
		"±24 小时", r.DateOnlyRule,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func attrs(n *html.Node) map[string]string {
	m := map[string]string{}
	for _, a := range n.Attr {
		m[a.Key] = a.Val
	}
	return m
}

// styleSource is the CSP hash source of a style element's text.
func styleSource(text string) string {
	sum := sha256.Sum256([]byte(text))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}
