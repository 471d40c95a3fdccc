package sim

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestPublishPutsReleaseOnTop(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 9, 1, 10, 0, 0, 0, shanghai())
	var hooked []Release
	s := New(Options{Seed: 10, Items: 30, PublishEvery: time.Hour, Start: start, OnPublish: func(r Release) { hooked = append(hooked, r) }})
	srv := serve(t, s)
	before := len(s.Releases())

	var published []Release
	for n, wantCol := range []string{"zuixin", "qff", "zuixin", "qfbf"} {
		r := s.Publish()
		published = append(published, r)
		if r.Column != wantCol {
			t.Fatalf("release %d in %s, want %s", n+1, r.Column, wantCol)
		}
		if want := start.Add(time.Duration(n+1) * time.Hour); !r.PublishedAt.Equal(want) {
			t.Errorf("release %d published at %s, want %s", n+1, r.PublishedAt, want)
		}
		if r.Validity != "" && r.Validity != "有效" {
			t.Errorf("new release has validity %q", r.Validity)
		}

		var top string
		if r.Site == GovCN {
			var rows []jsonRow
			if err := json.Unmarshal(getOK(t, srv.URL+govcnList), &rows); err != nil {
				t.Fatal(err)
			}
			top = rows[0].URL
		} else {
			pageURL := srv.URL + r.List
			top = readList(t, pageURL, getOK(t, pageURL))[0].URL
		}
		if top != srv.URL+r.Path {
			t.Errorf("top of %s is %s, want the new release %s", r.List, top, r.Path)
		}
		if got, ok := s.Release(r.Path); !ok || got.Title != r.Title {
			t.Errorf("Release(%s) = %v, %v", r.Path, got.Title, ok)
		}
		getOK(t, srv.URL+r.Path)
		for _, a := range r.Attachments {
			getOK(t, srv.URL+a.Path)
		}
	}
	rels := s.Releases()
	if len(rels) != before+4 {
		t.Errorf("%d releases after 4 publications, want %d", len(rels), before+4)
	}
	newest := []Release{rels[3], rels[2], rels[1], rels[0]}
	if diff := cmp.Diff(published, newest); diff != "" {
		t.Errorf("Releases does not start with the published ones, newest first (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(published, hooked); diff != "" {
		t.Errorf("OnPublish saw (-want +got):\n%s", diff)
	}
}

func TestRunPublishesUntilCancelled(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 1, Items: 5, PublishEvery: 5 * time.Millisecond, LargeEvery: -1})
	before := len(s.Releases())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()

	deadline := time.Now().Add(5 * time.Second)
	for len(s.Releases()) < before+3 {
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("only %d releases published after 5s", len(s.Releases())-before)
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	after := len(s.Releases())
	time.Sleep(20 * time.Millisecond) // four intervals
	if got := len(s.Releases()); got != after {
		t.Errorf("%d releases published after Run returned", got-after)
	}
}

// TestServeWhilePublishing is for the race detector.
func TestServeWhilePublishing(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 1, Items: 20, LargeEvery: -1})
	srv := serve(t, s)
	var wg sync.WaitGroup
	for _, p := range []string{govcnList, colQFF.list, colQFBF.list + "index_1.html", "/robots.txt"} {
		wg.Go(func() {
			for range 20 {
				resp, err := http.Get(srv.URL + p)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
			}
		})
	}
	wg.Go(func() {
		for range 40 {
			r := s.Publish()
			s.Releases()
			s.Hits(r.Path)
		}
	})
	wg.Wait()
}
