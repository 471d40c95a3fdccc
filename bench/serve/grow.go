package main

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// grower serves a JSON list (an array, newest first) that reveals its rows
// oldest first at a steady rate, so that a crawler polling it finds new
// items as on a live site.
type grower struct {
	path  string
	rows  []json.RawMessage // newest first
	start int
	rate  float64

	once sync.Once
	t0   time.Time
}

func newGrower(root, path string, start int, rate float64) (*grower, error) {
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(path)))
	if err != nil {
		return nil, err
	}
	var rows []json.RawMessage
	if err := json.Unmarshal(data, &rows); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &grower{path: path, rows: rows, start: start, rate: rate}, nil
}

// visible is how many rows are shown now: start, plus rate a second since
// the first request.
func (g *grower) visible(now time.Time) int {
	g.once.Do(func() { g.t0 = now })
	n := g.start + int(math.Floor(g.rate*now.Sub(g.t0).Seconds()))
	return min(max(n, 0), len(g.rows))
}

func (g *grower) serve(w http.ResponseWriter, r *http.Request) {
	n := g.visible(time.Now())
	etag := fmt.Sprintf(`"grow-%d"`, n)
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	data, err := json.Marshal(g.rows[len(g.rows)-n:])
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(data)
}
