package sim

import (
	"bytes"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRepealOnGuizhou(t *testing.T) {
	t.Parallel()
	s, h := lifecycleSite(20, GovCN, GuizhouAll)
	srv := serve(t, s)
	g1, g2, gov := inForce(t, s, colQFF, 1), inForce(t, s, colQFBF, 0), inForce(t, s, colZuixin, 2)
	govBefore := getOK(t, srv.URL+gov.Path)
	listBefore, _ := get(t, srv.URL+colSXFZWJ.list)
	pageBefore, _ := get(t, srv.URL+g1.Path)

	d, err := s.RepealAndExpire(Guizhou, []string{g1.Path, gov.Path}, []string{g2.Path})
	if err != nil {
		t.Fatal(err)
	}
	bare := func(r Release) string { return strings.TrimSuffix(r.Title, "（"+r.DocNumber+"）") }
	wantBody := []string{
		d.DocNumber,
		"各市、自治州人民政府，各县（市、区、特区）人民政府，省政府各部门、各直属机构：",
		"为维护法制统一，省人民政府对现行行政规范性文件进行了清理。现决定：",
		"一、废止以下行政规范性文件（共2件）",
		"1.《" + bare(g1) + "》（" + g1.DocNumber + "）",
		"2.《" + gov.Title + "》（" + gov.DocNumber + "）",
		"二、宣布失效以下行政规范性文件（共1件）",
		"1.《" + bare(g2) + "》（" + g2.DocNumber + "）",
		"本决定自公布之日起施行。",
		"贵州省人民政府",
		cnDate(d.WrittenAt),
	}
	if diff := cmp.Diff(wantBody, d.Body); diff != "" {
		t.Errorf("decision body (-want +got):\n%s", diff)
	}
	if !regexp.MustCompile(`^黔府发〔2026〕\d+号$`).MatchString(d.DocNumber) || d.Issuer != "贵州省人民政府" || d.Column != colQFF.slug {
		t.Errorf("decision %s by %s in %s", d.DocNumber, d.Issuer, d.Column)
	}
	if want := "贵州省人民政府关于废止、宣布失效部分行政规范性文件的决定（" + d.DocNumber + "）"; d.Title != want {
		t.Errorf("title %q, want %q", d.Title, want)
	}
	wantRepeals := []Target{
		{Path: g1.Path, Title: bare(g1), DocNumber: g1.DocNumber, Validity: Repealed},
		{Path: gov.Path, Title: gov.Title, DocNumber: gov.DocNumber, Validity: Repealed},
		{Path: g2.Path, Title: bare(g2), DocNumber: g2.DocNumber, Validity: Expired},
	}
	if diff := cmp.Diff(wantRepeals, d.Repeals); diff != "" {
		t.Errorf("Repeals (-want +got):\n%s", diff)
	}
	listURL := srv.URL + colQFF.list
	if rows := readList(t, listURL, getOK(t, listURL)); rows[0].URL != srv.URL+d.Path {
		t.Errorf("top of 黔府发 is %s, want the decision %s", rows[0].URL, d.Path)
	}
	got, paras := trsInfo(parse(t, getOK(t, srv.URL+d.Path)))
	if diff := cmp.Diff(d.Body, paras); diff != "" {
		t.Errorf("served decision body (-want +got):\n%s", diff)
	}
	if got["文号"] != d.DocNumber || got["有效性"] != "有效" {
		t.Errorf("decision page says 文号 %q, 有效性 %q", got["文号"], got["有效性"])
	}

	for _, tc := range []struct {
		r    Release
		want string
	}{{g1, Repealed}, {g2, Expired}} {
		now, _ := s.Release(tc.r.Path)
		if now.Validity != tc.want || now.RepealedBy != d.Path || !now.ModifiedAt.Equal(d.PublishedAt) {
			t.Errorf("%s: validity %s, repealed by %s, modified %s", tc.r.Path, now.Validity, now.RepealedBy, now.ModifiedAt)
		}
		if !slices.Contains(now.AlsoListed, colSXFZWJ.list) {
			t.Errorf("%s: also listed %v", tc.r.Path, now.AlsoListed)
		}
		info, _ := trsInfo(parse(t, getOK(t, srv.URL+tc.r.Path)))
		if info["有效性"] != tc.want {
			t.Errorf("%s: page says 有效性 %q, want %s", tc.r.Path, info["有效性"], tc.want)
		}
	}
	// A crawler asking whether the page changed since it last saw it is told yes.
	req, _ := http.NewRequest(http.MethodGet, srv.URL+g1.Path, nil)
	req.Header.Set("If-Modified-Since", pageBefore.Header.Get("Last-Modified"))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("conditional GET of a repealed page: %v %v, want 200", resp, err)
	} else {
		resp.Body.Close()
	}

	now, _ := s.Release(gov.Path)
	if now.Validity != "" || now.RepealedBy != d.Path || !now.ModifiedAt.Equal(gov.ModifiedAt) {
		t.Errorf("gov.cn target: validity %q, repealed by %s, modified %s", now.Validity, now.RepealedBy, now.ModifiedAt)
	}
	if !bytes.Equal(govBefore, getOK(t, srv.URL+gov.Path)) {
		t.Error("the gov.cn page changed: it prints no 有效性")
	}

	sx := srv.URL + colSXFZWJ.list
	var rows []string
	for _, row := range readList(t, sx, getOK(t, sx)) {
		rows = append(rows, row.URL)
	}
	if rows[0] != srv.URL+g2.Path || rows[1] != srv.URL+g1.Path {
		t.Errorf("失效废止文件 starts %v, want the expired then the repealed target", rows[:2])
	}
	listAfter, _ := get(t, sx)
	if listAfter.Header.Get("Last-Modified") == listBefore.Header.Get("Last-Modified") {
		t.Error("Last-Modified of 失效废止文件 did not change")
	}
	if diff := cmp.Diff([]Release{d}, h.seen()); diff != "" {
		t.Errorf("OnPublish saw (-want +got):\n%s", diff)
	}

	other := inForce(t, s, colQFF, 0).Path
	for name, call := range map[string]func() error{
		"repealed again": func() error { _, err := s.Repeal(Guizhou, []string{g1.Path}, Expired); return err },
		"gov.cn again":   func() error { _, err := s.Repeal(GovCN, []string{gov.Path}, Repealed); return err },
		"bad validity":   func() error { _, err := s.Repeal(Guizhou, []string{other}, "已修改"); return err },
		"twice listed":   func() error { _, err := s.RepealAndExpire(Guizhou, []string{other}, []string{other}); return err },
		"no targets":     func() error { _, err := s.Repeal(Guizhou, nil, Repealed); return err },
		"unknown target": func() error { _, err := s.Repeal(Guizhou, []string{"/guizhou/x.html"}, Repealed); return err },
		"county decides": func() error { _, err := s.Repeal(County, []string{other}, Repealed); return err },
		"guiyang absent": func() error { _, err := s.Repeal(Guiyang, []string{other}, Repealed); return err },
	} {
		if call() == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if n := len(h.seen()); n != 1 {
		t.Errorf("failed decisions published: OnPublish called %d times", n)
	}
}

func TestRepealOnGovCNAndGuiyang(t *testing.T) {
	t.Parallel()
	s, _ := lifecycleSite(21, GovCN, Guizhou, Guiyang)
	srv := serve(t, s)
	gov1, gov2 := inForce(t, s, colZuixin, 0), inForce(t, s, colZuixin, 1)
	d, err := s.Repeal(GovCN, []string{gov1.Path}, Expired)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"国务院关于宣布失效一批国务院文件的决定",
		d.DocNumber,
		"各省、自治区、直辖市人民政府，国务院各部委、各直属机构：",
		"为维护法制统一，国务院对现行国务院文件进行了清理。现决定：",
		"一、宣布失效以下国务院文件（共1件）",
		"1.《" + gov1.Title + "》（" + gov1.DocNumber + "）",
		"本决定自公布之日起施行。",
		"国务院",
		cnDate(d.WrittenAt),
	}
	if diff := cmp.Diff(want, d.Body); diff != "" {
		t.Errorf("gov.cn decision body (-want +got):\n%s", diff)
	}
	if d.Title != want[0] || !regexp.MustCompile(`^国发〔2026〕\d+号$`).MatchString(d.DocNumber) || d.Validity != "" {
		t.Errorf("gov.cn decision %q %s validity %q", d.Title, d.DocNumber, d.Validity)
	}
	if top := jsonTop(t, srv.URL+govcnList); top != srv.URL+d.Path {
		t.Errorf("top of 最新政策 is %s, want %s", top, d.Path)
	}
	if diff := cmp.Diff(d.Body, paragraphs(parse(t, getOK(t, srv.URL+d.Path)).Find("#UCAP-CONTENT").First())); diff != "" {
		t.Errorf("served body (-want +got):\n%s", diff)
	}
	// The same kind of decision again gets a title of its own.
	d2, err := s.Repeal(GovCN, []string{gov2.Path}, Expired)
	if err != nil {
		t.Fatal(err)
	}
	if d2.Title == d.Title || !strings.HasPrefix(d2.Title, d.Title) || d2.DocNumber == d.DocNumber {
		t.Errorf("second decision %q %s after %q %s", d2.Title, d2.DocNumber, d.Title, d.DocNumber)
	}

	gy := inForce(t, s, colGuiyang, 0)
	for k := 1; gy.SameAs != ""; k++ {
		gy = inForce(t, s, colGuiyang, k) // its own document, not a reprint
	}
	dg, err := s.Repeal(Guiyang, []string{gy.Path}, Repealed)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^筑府发〔2026〕\d+号$`).MatchString(dg.DocNumber) ||
		dg.Title != "贵阳市人民政府关于废止部分行政规范性文件的决定（"+dg.DocNumber+"）" ||
		!slices.Contains(dg.Body, "为维护法制统一，市人民政府对现行行政规范性文件进行了清理。现决定：") ||
		!slices.Contains(dg.Body, "一、废止以下行政规范性文件（共1件）") {
		t.Errorf("Guiyang decision %q %s: %q", dg.Title, dg.DocNumber, dg.Body)
	}
	info, _ := trsInfo(parse(t, getOK(t, srv.URL+gy.Path)))
	if info["有效性"] != Repealed {
		t.Errorf("Guiyang target says 有效性 %q", info["有效性"])
	}
	// Without guizhou-all there is no 失效废止文件 list to join.
	if r, _ := s.Release(gy.Path); slices.Contains(r.AlsoListed, colSXFZWJ.list) {
		t.Error("a Guiyang target joined the Guizhou 失效废止文件 list")
	}
}
