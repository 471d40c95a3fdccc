package sim

import (
	"net/url"
	"strings"
	"testing"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/crawler/extract"
	"github.com/gyeco/syndicator/syndicator"
)

// TestPresetReadsLifecycle reads what the lifecycle methods publish with the
// crawler's own rules: the guizhou-szfwj preset with its list URLs set to
// the Guizhou 国务院文件 column finds the reprint and reads its page as the
// ground truth says; a repealed target's page reads as repealed.
func TestPresetReadsLifecycle(t *testing.T) {
	t.Parallel()
	s, _ := lifecycleSite(30, GovCN, GuizhouAll)
	srv := serve(t, s)
	h := host(t, srv)
	p, ok := config.Presets()["guizhou-szfwj"]
	if !ok {
		t.Fatal("no guizhou-szfwj preset")
	}
	rule := p.List
	rule.URLs = []string{strings.TrimPrefix(guizhouGWYWJ, "/guizhou")}
	if err := extract.ValidateList(rule); err != nil {
		t.Fatal(err)
	}
	orig := s.PublishGovDoc()
	r, err := s.Reprint(Guizhou, orig.Path)
	if err != nil {
		t.Fatal(err)
	}

	pageURL, _ := url.Parse(srv.URL + "/guizhou" + rule.URLs[0])
	body, ctype, _ := s.Body(h, pageURL.Path)
	entries, err := extract.List(body, ctype, pageURL, rule)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].URL != srv.URL+r.Path || entries[0].Title != r.Title {
		t.Fatalf("entries %+v, want the reprint %s %q", entries, r.Path, r.Title)
	}

	ext := extract.New(nil)
	read := func(path string) *extract.Page {
		t.Helper()
		body, ctype, _ := s.Body(h, path)
		u, _ := url.Parse(srv.URL + path)
		page, err := ext.Detail(body, ctype, u, p.Detail)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return page
	}
	page := read(r.Path)
	got := []string{page.Title, page.DocNumber, page.Issuer, page.Origin, page.WrittenAt, page.IndexNumber, string(page.Validity)}
	want := []string{r.Title, r.DocNumber, "国务院", "中国政府网", r.WrittenAt.Format("2006-01-02"), r.IndexNumber, string(syndicator.ValidityEffective)}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("reprint field %d = %q, want %q", i, got[i], want[i])
		}
	}
	if !page.PublishedAt.Equal(r.PublishedAt) {
		t.Errorf("published %s, want %s", page.PublishedAt, r.PublishedAt)
	}
	squash := func(s string) string { return strings.Join(strings.Fields(s), "") }
	if squash(page.BodyText) != squash(orig.Text()) {
		t.Errorf("reprint body text differs from the original (%d vs %d chars)", len(page.BodyText), len(orig.Text()))
	}

	target := inForce(t, s, colQFF, 0)
	d, err := s.Repeal(Guizhou, []string{target.Path}, Repealed)
	if err != nil {
		t.Fatal(err)
	}
	if got := read(target.Path); got.Validity != syndicator.ValidityRepealed || got.ValidityText != Repealed {
		t.Errorf("repealed target reads %s (%q)", got.Validity, got.ValidityText)
	}
	dec := read(d.Path)
	if dec.DocNumber != d.DocNumber || !strings.Contains(dec.BodyText, "1.《"+strings.TrimSuffix(target.Title, "（"+target.DocNumber+"）")+"》（"+target.DocNumber+"）") {
		t.Errorf("decision reads %s, body %q", dec.DocNumber, dec.BodyText)
	}
}
