package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
)

// TestBaselineShownAsBaseline: the baseline document j1 (on the municipal
// list at its first poll) reads 基线 in every format, is counted apart in
// the summary, and its sighting says so.
func TestBaselineShownAsBaseline(t *testing.T) {
	r := input(t)
	if r.Baseline != 1 {
		t.Fatalf("input report counts %d baseline documents, want 1", r.Baseline)
	}

	page := string(render(t, htmlOf(Names{}), r))
	for _, want := range []string{
		`<th>其中基线</th>`, `<td data-count="baseline">1</td>`,
		`<tr data-item="j1"><td>贵阳市饮用水水源保护区管理办法<br>筑府发〔2026〕4号<br><code>j1</code></td><td>基线<br>`,
		`guiyang-gfxwj 2026-09-20 10:00 #36（基线）`,
		"历史补录、基线、不相关与审核驳回的文件不计时效",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if strings.Count(page, "（基线）") != 1 {
		t.Errorf("%d sightings marked 基线, want 1", strings.Count(page, "（基线）"))
	}

	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(render(t, CSV, r), []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	status := 0
	for i, h := range rows[0] {
		if h == "状态" {
			status = i
		}
	}
	for _, row := range rows[1:] {
		if got := row[status]; (row[0] == "j1") != (got == "基线") {
			t.Errorf("CSV row %s: 状态 %q", row[0], got)
		}
	}

	var back struct {
		Baseline int `json:"baseline"`
		Items    []struct {
			ItemID   string `json:"item_id"`
			Status   string `json:"status"`
			Baseline bool   `json:"baseline"`
			Timeline struct {
				Baseline  bool `json:"baseline"`
				Sightings []struct {
					Baseline bool `json:"baseline"`
				} `json:"sightings"`
			} `json:"timeline"`
		} `json:"items"`
	}
	if err := json.Unmarshal(render(t, JSON, r), &back); err != nil {
		t.Fatal(err)
	}
	if back.Baseline != 1 {
		t.Errorf("JSON baseline count %d", back.Baseline)
	}
	for _, it := range back.Items {
		j1 := it.ItemID == "j1"
		if it.Baseline != j1 || it.Timeline.Baseline != j1 || len(it.Timeline.Sightings) == 0 || it.Timeline.Sightings[0].Baseline != j1 {
			t.Errorf("JSON item %s: baseline %v, timeline %v", it.ItemID, it.Baseline, it.Timeline.Baseline)
		}
		if j1 && it.Status != "exempt" {
			t.Errorf("JSON j1 status %q, want exempt", it.Status)
		}
	}
}
