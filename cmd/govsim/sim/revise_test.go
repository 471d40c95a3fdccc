package sim

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRevise(t *testing.T) {
	t.Parallel()
	s, h := lifecycleSite(10, GovCN, Guizhou, Guiyang)
	srv := serve(t, s)
	for _, col := range []column{colZuixin, colQFF} {
		t.Run(col.slug, func(t *testing.T) {
			old := releasesOf(s, col.slug)[0]
			pageURL := srv.URL + old.Path
			before, _ := get(t, pageURL)
			r, err := s.Revise(old.Path)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Body) != len(old.Body)+1 || !slices.Equal(r.Body[:len(old.Body)], old.Body) || !strings.HasPrefix(r.Body[len(old.Body)], "【更正】") {
				t.Errorf("revised body ends %q", r.Body[len(r.Body)-1])
			}
			if !r.ModifiedAt.After(old.ModifiedAt) || !r.PublishedAt.Equal(old.PublishedAt) {
				t.Errorf("modified %s → %s, published %s → %s", old.ModifiedAt, r.ModifiedAt, old.PublishedAt, r.PublishedAt)
			}
			if got, _ := s.Release(old.Path); !cmp.Equal(got, r) {
				t.Error("Release does not return the revised ground truth")
			}
			resp, body := get(t, pageURL)
			if got, want := resp.Header.Get("Last-Modified"), r.ModifiedAt.UTC().Format(http.TimeFormat); got != want || got == before.Header.Get("Last-Modified") {
				t.Errorf("Last-Modified %q, want %q", got, want)
			}
			doc := parse(t, body)
			sel := doc.Find("#Zoom")
			if col.tmpl == tmplGovA {
				sel = doc.Find("#UCAP-CONTENT").First()
				if got := meta(doc, "lastmodifiedtime"); got != r.ModifiedAt.Format("2006-01-02-15:04:05") {
					t.Errorf("lastmodifiedtime %s, want %s", got, r.ModifiedAt)
				}
			}
			if diff := cmp.Diff(r.Body, paragraphs(sel)); diff != "" {
				t.Errorf("served body (-want +got):\n%s", diff)
			}
		})
	}
	// A reprint keeps the body it copied.
	orig := releasesOf(s, colQFBF.slug)[0]
	rp, err := s.Reprint(Guiyang, orig.Path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Revise(orig.Path); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Release(rp.Path); !slices.Equal(got.Body, orig.Body) {
		t.Error("revising the original changed its reprint")
	}
	if _, err := s.Revise("/guizhou/nowhere.html"); err == nil {
		t.Error("revising an unknown path: no error")
	}
	if n := len(h.seen()); n != 1 { // the reprint only
		t.Errorf("OnPublish called %d times, want once", n)
	}
}

func TestRemove(t *testing.T) {
	t.Parallel()
	s, h := lifecycleSite(11, GovCN, Guizhou)
	srv := serve(t, s)
	var r Release
	for _, c := range releasesOf(s, colQFF.slug) {
		if len(c.Attachments) > 0 {
			r = c
			break
		}
	}
	if r.Path == "" {
		t.Fatal("no 黔府发 release with attachments: pick another seed")
	}
	for _, status := range []int{http.StatusGone, http.StatusNotFound} {
		if err := s.Remove(r.Path, status); err != nil {
			t.Fatal(err)
		}
		if resp, _ := get(t, srv.URL+r.Path); resp.StatusCode != status {
			t.Errorf("removed page answers %d, want %d", resp.StatusCode, status)
		}
		if got, _ := s.Release(r.Path); got.Removed != status {
			t.Errorf("Removed = %d, want %d", got.Removed, status)
		}
	}
	if _, _, ok := s.Body("h", r.Path); ok {
		t.Error("Body serves a removed page")
	}
	if slices.Contains(s.Paths(), r.Path) {
		t.Error("Paths lists a removed page")
	}
	getOK(t, srv.URL+r.Attachments[0].Path)
	var listed bool
	for k := range guizhouPages(len(releasesOf(s, colQFF.slug))) {
		pageURL := srv.URL + colQFF.list + guizhouPageName(k)
		for _, row := range readList(t, pageURL, getOK(t, pageURL)) {
			listed = listed || row.URL == srv.URL+r.Path
		}
	}
	if !listed {
		t.Error("a removed release left its list")
	}
	if err := s.Remove(r.Path, http.StatusOK); err == nil {
		t.Error("Remove with status 200: no error")
	}
	if err := s.Remove("/guizhou/nowhere.html", http.StatusGone); err == nil {
		t.Error("Remove of an unknown path: no error")
	}
	if _, err := s.Revise(r.Path); err == nil {
		t.Error("revising a removed page: no error")
	}
	if n := len(h.seen()); n != 0 {
		t.Errorf("OnPublish called %d times", n)
	}
}
