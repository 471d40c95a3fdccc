package render_test

import (
	"encoding/xml"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gyeco/syndicator/sinks/site/render"
)

// atomFeed is the part of an Atom 1.0 feed the tests read.
type atomFeed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Author  struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Links []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"link"`
	Entries []struct {
		ID        string `xml:"id"`
		Title     string `xml:"title"`
		Updated   string `xml:"updated"`
		Published string `xml:"published"`
		Links     []struct {
			Rel  string `xml:"rel,attr"`
			Href string `xml:"href,attr"`
		} `xml:"link"`
	} `xml:"entry"`
}

func parseFeed(t *testing.T, b []byte) atomFeed {
	t.Helper()
	var f atomFeed
	if err := xml.Unmarshal(b, &f); err != nil {
		t.Fatalf("feed is not valid XML: %v", err)
	}
	return f
}

func TestFeedEntries(t *testing.T) {
	var arts []render.Article
	for n := range 60 {
		arts = append(arts, seriesArticle("zcwj", n))
	}
	tricky := govcnArticle()
	tricky.Item.Title = "关于<script>&“生态”\x01的通知"
	tricky.Item.PublishedAt = bj(2027, 1, 1, 8, 0)
	arts = append(arts, tricky)

	b, err := newRenderer(t, testSite("http://127.0.0.1:8080/")).Feed(arts)
	if err != nil {
		t.Fatal(err)
	}
	f := parseFeed(t, b)
	if len(f.Entries) != render.FeedSize {
		t.Fatalf("%d entries, want %d", len(f.Entries), render.FeedSize)
	}
	if f.Title != "贵阳市生态文明委员会" || f.Author.Name != "贵阳市生态文明委员会" || f.ID != "http://127.0.0.1:8080/feed.xml" {
		t.Errorf("feed head: title %q author %q id %q", f.Title, f.Author.Name, f.ID)
	}
	if got, want := f.Entries[0].Title, "关于<script>&“生态”\uFFFD的通知"; got != want {
		t.Errorf("first title = %q, want %q", got, want)
	}
	var ids []string
	for _, e := range f.Entries {
		ids = append(ids, e.ID)
	}
	want := []string{render.EntryID(tricky.Item.ID)}
	for n := 59; len(want) < render.FeedSize; n-- {
		want = append(want, render.EntryID(seriesArticle("zcwj", n).Item.ID))
	}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("entry ids (-want +got):\n%s", diff)
	}
	if got := f.Entries[1].Links[0].Href; got != "http://127.0.0.1:8080/zcwj/202603/t20260301_0000000000000000000000000000103b.html" {
		t.Errorf("entry link = %q", got)
	}
	if f.Updated != "2027-01-01T08:00:00+08:00" {
		t.Errorf("feed updated = %q, want the latest entry", f.Updated)
	}
	for _, e := range f.Entries {
		if _, err := time.Parse(time.RFC3339, e.Updated); err != nil {
			t.Errorf("entry %s updated %q: %v", e.ID, e.Updated, err)
		}
	}
}

func TestFeedEmptyAndRelative(t *testing.T) {
	b, err := newRenderer(t, testSite("")).Feed(nil)
	if err != nil {
		t.Fatal(err)
	}
	f := parseFeed(t, b)
	if len(f.Entries) != 0 || f.Updated != "2026-09-30T12:00:00+08:00" {
		t.Errorf("empty feed: %d entries, updated %q; want 0 and Site.Now", len(f.Entries), f.Updated)
	}
	links := map[string]string{}
	for _, l := range f.Links {
		links[l.Rel] = l.Href
	}
	if diff := cmp.Diff(map[string]string{"self": "/feed.xml", "alternate": "/"}, links); diff != "" {
		t.Errorf("links without BaseURL (-want +got):\n%s", diff)
	}
}

func TestFeedInvalid(t *testing.T) {
	a := seriesArticle("zcwj", 1)
	if _, err := newRenderer(t, testSite("")).Feed([]render.Article{a, a}); !errors.Is(err, render.ErrInvalid) {
		t.Errorf("duplicate: error = %v, want ErrInvalid", err)
	}
}
