package sim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func TestDefaultSitesAreGovCNAndGuizhou(t *testing.T) {
	t.Parallel()
	a := New(Options{Seed: 1})
	b := New(Options{Seed: 1, Sites: []string{Guizhou, GovCN}})
	if diff := cmp.Diff(a.Paths(), b.Paths()); diff != "" {
		t.Fatalf("paths differ (-nil +explicit):\n%s", diff)
	}
	for _, p := range a.Paths() {
		ba, _, _ := a.Body("h", p)
		bb, _, _ := b.Body("h", p)
		if !bytes.Equal(ba, bb) {
			t.Errorf("%s differs", p)
		}
	}
	for _, r := range a.Releases() {
		if !slices.Contains([]string{"zuixin", "qff", "qfbf"}, r.Column) || r.AlsoListed != nil {
			t.Errorf("default release %s in %s, also listed %v", r.Path, r.Column, r.AlsoListed)
		}
	}
	for _, p := range []string{gwywjList, bmwjList, jieduList, colSZFL.list, colSXFZWJ.list, guiyangList, countyList} {
		if _, _, ok := a.Body("h", p); ok {
			t.Errorf("%s served by default", p)
		}
	}
}

// TestHistoryIndependentOfOtherSites checks that enabling more sites
// changes nothing in the history of govcn and guizhou.
func TestHistoryIndependentOfOtherSites(t *testing.T) {
	t.Parallel()
	base := New(Options{Seed: 7, Items: 35})
	for _, sites := range [][]string{AllSites(), {Guizhou}, {GovCN, County}} {
		s := New(Options{Seed: 7, Items: 35, Sites: sites})
		for _, r := range base.Releases() {
			got, ok := s.Release(r.Path)
			if !ok {
				if set := newSiteSet(sites); set[r.Site] {
					t.Errorf("%v: %s missing", sites, r.Path)
				}
				continue
			}
			got.AlsoListed = nil
			if diff := cmp.Diff(r, got); diff != "" {
				t.Errorf("%v: %s differs (-default +now):\n%s", sites, r.Path, diff)
			}
			want, _, _ := base.Body("h", r.Path)
			if now, _, _ := s.Body("h", r.Path); !bytes.Equal(want, now) {
				t.Errorf("%v: page %s differs", sites, r.Path)
			}
		}
		for _, p := range []string{govcnList, colQFF.list, colQFBF.list} {
			want, _, _ := base.Body("h", p)
			if now, _, ok := s.Body("h", p); ok && !bytes.Equal(want, now) {
				t.Errorf("%v: list %s differs", sites, p)
			}
		}
	}
}

func TestSitesOption(t *testing.T) {
	t.Parallel()
	if err := CheckSites(AllSites()); err != nil {
		t.Errorf("CheckSites(AllSites()) = %v", err)
	}
	if err := CheckSites([]string{"govcn", "gz"}); err == nil || !strings.Contains(err.Error(), `"gz"`) {
		t.Errorf("CheckSites(gz) = %v, want an error naming it", err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("New with an unknown site did not panic")
			}
		}()
		New(Options{Sites: []string{"nowhere"}})
	}()

	none := New(Options{Seed: 1, Sites: []string{}})
	if n := len(none.Releases()); n != 0 {
		t.Errorf("no sites: %d releases", n)
	}
	if r := none.Publish(); r.Path != "" {
		t.Errorf("no sites: published %s", r.Path)
	}
	if got := none.Paths(); !slices.Equal(got, []string{"/", "/robots.txt"}) {
		t.Errorf("no sites: paths %v", got)
	}

	empty := New(Options{Seed: 1, Items: -1, Sites: AllSites()})
	for range 12 { // a 政策解读 with nothing to interpret becomes a 部门文件
		empty.Publish()
	}
	if n := len(empty.Releases()); n != 12 {
		t.Errorf("no history: %d releases after 12 publications", n)
	}

	count := map[string]int{}
	for _, r := range New(Options{Seed: 2, Items: 12, Sites: AllSites()}).Releases() {
		count[r.Site]++
	}
	if diff := cmp.Diff(map[string]int{GovCN: 24, Guizhou: 24, Guiyang: 12, County: 12}, count); diff != "" {
		t.Errorf("releases per site (-want +got):\n%s", diff)
	}
}

func TestAllSitesSameSeedSameBytes(t *testing.T) {
	t.Parallel()
	opts := Options{Seed: 42, Items: 45, Sites: AllSites()}
	a, b := New(opts), New(opts)
	for range 14 {
		if diff := cmp.Diff(a.Publish(), b.Publish()); diff != "" {
			t.Fatalf("Publish differs (-a +b):\n%s", diff)
		}
	}
	paths := a.Paths()
	if diff := cmp.Diff(paths, b.Paths()); diff != "" {
		t.Fatalf("paths differ (-a +b):\n%s", diff)
	}
	for _, p := range paths {
		ba, ta, _ := a.Body("example.test", p)
		bb, tb, _ := b.Body("example.test", p)
		if !bytes.Equal(ba, bb) || ta != tb {
			t.Errorf("%s: bytes differ for the same seed", p)
		}
	}
	if diff := cmp.Diff(a.Releases(), b.Releases()); diff != "" {
		t.Errorf("releases differ (-a +b):\n%s", diff)
	}
	c := New(Options{Seed: 43, Items: 45, Sites: AllSites()})
	for _, p := range []string{bmwjList, guiyangList, countyList} {
		ba, _, _ := a.Body("h", p)
		bc, _, _ := c.Body("h", p)
		if bytes.Equal(ba, bc) {
			t.Errorf("%s is the same for seeds 42 and 43", p)
		}
	}
}

func TestAllSitesServedBytesEqualHTTP(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 4, Items: 25, Sites: AllSites()})
	for range 6 {
		s.Publish()
	}
	srv := serve(t, s)
	h := host(t, srv)
	for _, p := range s.Paths() {
		want, ctype, ok := s.Body(h, p)
		if !ok {
			t.Errorf("%s is listed by Paths but Body has no page", p)
			continue
		}
		resp, got := get(t, srv.URL+p)
		if resp.StatusCode != http.StatusOK || !bytes.Equal(got, want) || resp.Header.Get("Content-Type") != ctype {
			t.Errorf("%s: status %d, %d bytes of type %q; Body says %d bytes of %q", p, resp.StatusCode, len(got), resp.Header.Get("Content-Type"), len(want), ctype)
		}
	}
}

func TestAllSitesConsistent(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 21, Items: 300, Sites: AllSites(), LargeEvery: -1})
	rels := s.Releases()
	seen := map[string]string{}
	unique := func(key, path string) {
		if other, ok := seen[key]; ok {
			t.Errorf("%s and %s share %q", other, path, key)
		}
		seen[key] = path
	}
	inversions := 0
	lastID := map[string]int{}
	for _, r := range slices.Backward(rels) {
		space := r.Site
		if space == Guiyang {
			space = Guizhou // one platform-wide id sequence
		}
		unique(space+" id "+r.ID, r.Path)
		unique(r.Site+" title "+r.Title, r.Path)
		if r.SameAs == "" && r.DocNumber != "" {
			unique(r.Site+" number "+r.DocNumber, r.Path)
		}
		id, _ := strconv.Atoi(r.ID)
		if id < lastID[space] {
			inversions++
		}
		lastID[space] = id
		if r.WrittenAt.After(r.PublishedAt) || r.ModifiedAt.Before(r.PublishedAt) {
			t.Errorf("%s: written %s, published %s, modified %s", r.Path, r.WrittenAt, r.PublishedAt, r.ModifiedAt)
		}
		if !r.PublishedAt.Before(time.Date(2026, 9, 1, 10, 0, 0, 0, shanghai())) {
			t.Errorf("history release %s at %s", r.Path, r.PublishedAt)
		}
	}
	// Ids increase with publication time within each id space, but for the
	// rare release that finds no free id between its neighbours.
	if inversions > len(rels)/500 {
		t.Errorf("%d ids out of time order in %d releases", inversions, len(rels))
	}
	for i := 1; i < len(rels); i++ {
		if rels[i].PublishedAt.After(rels[i-1].PublishedAt) {
			t.Fatalf("Releases not newest first at %d", i)
		}
	}
}

// topOf returns the URL path of the first row of a list.
func topOf(t *testing.T, s *Site, list string) string {
	t.Helper()
	body, _, ok := s.Body("h", list)
	if !ok {
		t.Fatalf("list %s not served", list)
	}
	if strings.HasSuffix(list, ".json") {
		var rows []jsonRow
		if err := json.Unmarshal(body, &rows); err != nil || len(rows) == 0 {
			t.Fatalf("%s: %v", list, err)
		}
		return strings.TrimPrefix(rows[0].URL, "http://h")
	}
	site, _, _ := strings.Cut(strings.TrimPrefix(list, "/"), "/")
	rows := rowLinks(t, site, list, body)
	if len(rows) == 0 {
		t.Fatalf("%s: no rows", list)
	}
	path, _, _ := strings.Cut(rows[0], "|")
	return path
}

func TestPublishGoesRoundAllSites(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 9, 1, 10, 0, 0, 0, shanghai())
	var hooked []Release
	s := New(Options{Seed: 10, Items: 20, PublishEvery: time.Hour, Start: start, Sites: AllSites(),
		OnPublish: func(r Release) { hooked = append(hooked, r) }})
	before := len(s.Releases())
	var published []Release
	columns := map[string]int{}
	for n := 1; n <= 24; n++ {
		r := s.Publish()
		published = append(published, r)
		columns[r.Column]++
		if want := []string{GovCN, Guizhou, Guiyang, County}[(n-1)%4]; r.Site != want {
			t.Errorf("release %d on %s, want %s", n, r.Site, want)
		}
		if !r.PublishedAt.Equal(start.Add(time.Duration(n) * time.Hour)) {
			t.Errorf("release %d at %s", n, r.PublishedAt)
		}
		if r.Validity != "" && r.Validity != "有效" {
			t.Errorf("new release %s is %s", r.Path, r.Validity)
		}
		if top := topOf(t, s, r.List); top != r.Path {
			t.Errorf("top of %s is %s, want the new %s", r.List, top, r.Path)
		}
		for _, also := range r.AlsoListed {
			if top := topOf(t, s, also); top != r.Path {
				t.Errorf("top of %s is %s, want the new %s", also, top, r.Path)
			}
		}
		if r.Interprets != "" {
			if target, ok := s.Release(r.Interprets); !ok || !target.PublishedAt.Before(r.PublishedAt) {
				t.Errorf("%s interprets %s (%v)", r.Path, r.Interprets, ok)
			}
		}
	}
	for _, col := range []string{"zuixin", "bmwj", "jiedu", "gwywj", "qff", "qfbf", "qfh", "qfbh", "szfl", "szfgfxwj", "zcwj"} {
		if columns[col] == 0 {
			t.Errorf("nothing published in %s: %v", col, columns)
		}
	}
	rels := s.Releases()
	if len(rels) != before+24 {
		t.Errorf("%d releases, want %d", len(rels), before+24)
	}
	newest := slices.Clone(rels[:24])
	slices.Reverse(newest)
	if diff := cmp.Diff(published, newest); diff != "" {
		t.Errorf("Releases does not start with the published ones (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(published, hooked); diff != "" {
		t.Errorf("OnPublish saw (-want +got):\n%s", diff)
	}
	// Pages published earlier never change.
	for _, r := range published[:4] {
		page, _, _ := s.Body("h", r.Path)
		if r.Charset == "gb18030" {
			page = decodeWith(t, simplifiedchinese.GB18030, page)
		}
		if !bytes.Contains(page, []byte(r.Body[len(r.Body)-1])) {
			t.Errorf("%s: page lost its body", r.Path)
		}
	}
}
