package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/sinks/blob"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/minio/minio-go/v7"
)

// truth is govsim's record: every release it published, by item id.
type truth struct {
	base     string // govsim's base URL
	site     *sim.Site
	releases []sim.Release
	ids      []string // item id of each release, in the same order
}

func newTruth(s *sim.Site, base string) (*truth, error) {
	t := &truth{base: base, site: s, releases: s.Releases()}
	for _, r := range t.releases {
		canon, err := syndicator.CanonicalURL(base+r.Path, nil)
		if err != nil {
			return nil, fmt.Errorf("release %s: %w", r.Path, err)
		}
		t.ids = append(t.ids, syndicator.ItemID(canon))
	}
	return t, nil
}

// settled reports whether every release has each of its events, and a
// word on the first that has not.
func (t *truth) settled(o *observer) (bool, string) {
	waiting := 0
	first := ""
	for i, id := range t.ids {
		c := o.Counts(id)
		if c.Discovered == 0 || c.Decided == 0 || c.Archived == 0 || c.Published == 0 {
			waiting++
			if first == "" {
				first = fmt.Sprintf("%s (discovered %d, decided %d, archived %d, published %d)",
					t.releases[i].Path, c.Discovered, c.Decided, c.Archived, c.Published)
			}
		}
	}
	if waiting == 0 {
		return true, ""
	}
	return false, fmt.Sprintf("%d of %d releases not through yet, e.g. %s", waiting, len(t.ids), first)
}

// findings are the verification's counts and the problems behind them.
type findings struct {
	Lost, Duplicated, Mismatched int
	Problems                     []string
}

func (f *findings) add(counter *int, format string, args ...any) {
	*counter++
	f.Problems = append(f.Problems, fmt.Sprintf(format, args...))
}

var reArticle = regexp.MustCompile(`t\d{8}_([0-9a-f]{32})\.html`)

// verify checks the deployment against the truth: one event of each kind
// per release, the archived original byte-identical to what govsim served
// and written once (one object version per key), the release listed once
// in the column's index pages.
func (t *truth) verify(ctx context.Context, d *deployment, o *observer) (*findings, error) {
	f := &findings{}
	for i, id := range t.ids {
		r := t.releases[i]
		c := o.Counts(id)
		for _, k := range []struct {
			what string
			n    int
		}{{"discovered", c.Discovered}, {"decided", c.Decided}, {"archived", c.Archived}, {"published", c.Published}} {
			switch {
			case k.n == 0:
				f.add(&f.Lost, "%s: no %s event", r.Path, k.what)
			case k.n > 1:
				f.add(&f.Duplicated, "%s: %d %s events", r.Path, k.n, k.what)
			}
		}
	}
	if n := o.Items(); n != len(t.ids) {
		f.add(&f.Duplicated, "events name %d distinct items, govsim published %d releases", n, len(t.ids))
	}

	s3, err := d.s3Client()
	if err != nil {
		return nil, err
	}
	archive, err := d.store(archiveBucket)
	if err != nil {
		return nil, err
	}
	site, err := d.store(siteBucket)
	if err != nil {
		return nil, err
	}
	// Archive: identical bytes, one version per key.
	host := strings.TrimPrefix(t.base, "http://")
	for i, id := range t.ids {
		r := t.releases[i]
		key := o.Counts(id).Original
		if key == "" {
			continue // counted lost above
		}
		got, err := archive.Get(ctx, key)
		if err != nil {
			f.add(&f.Lost, "%s: archived original %s: %v", r.Path, key, err)
			continue
		}
		want, _, _ := t.site.Body(host, r.Path)
		if sha256.Sum256(got) != sha256.Sum256(want) {
			f.add(&f.Mismatched, "%s: archived %s differs from what govsim served (%d bytes, want %d)", r.Path, key, len(got), len(want))
		}
	}
	versions := map[string]int{}
	for obj := range s3.ListObjects(ctx, archiveBucket, minio.ListObjectsOptions{Recursive: true, WithVersions: true}) {
		if obj.Err != nil {
			return nil, fmt.Errorf("list versions in %s: %w", archiveBucket, obj.Err)
		}
		versions[obj.Key]++
	}
	for key, n := range versions {
		if n > 1 {
			f.add(&f.Duplicated, "archive key %s has %d versions", key, n)
		}
	}

	// Site: each release listed once in the column's index pages.
	listed := map[string]int{}
	for n := 0; ; n++ {
		key := column + "/index.html"
		if n > 0 {
			key = fmt.Sprintf("%s/index_%d.html", column, n)
		}
		page, err := site.Get(ctx, key)
		if errors.Is(err, blob.ErrNotFound) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("site page %s: %w", key, err)
		}
		for _, m := range reArticle.FindAllSubmatch(page, -1) {
			listed[string(m[1])]++
		}
	}
	for i, id := range t.ids {
		switch n := listed[id]; {
		case n == 0:
			f.add(&f.Lost, "%s: not listed in %s's index pages", t.releases[i].Path, column)
		case n > 1:
			f.add(&f.Duplicated, "%s: listed %d times in %s's index pages", t.releases[i].Path, n, column)
		}
	}
	if len(listed) > len(t.ids) {
		f.add(&f.Duplicated, "the column lists %d articles, govsim published %d releases", len(listed), len(t.ids))
	}
	return f, nil
}

// verifyLedger runs `syndicator audit verify` with a role's configuration:
// the live ledger's chain, checked against every anchor in the archive.
func (d *deployment) verifyLedger(ctx context.Context, config string, env []string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, d.synBin, "audit", "verify", "--config", config)
	cmd.Env = append(cmd.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	text := strings.TrimSpace(out.String())
	if err != nil {
		return text, fmt.Errorf("audit verify: %w: %s", err, text)
	}
	return text, nil
}

// ledgerCheck is what `audit verify` found: entries in the chain, anchors
// checked; OK only when it passed with at least one anchor.
type ledgerCheck struct {
	OK      bool `json:"ok"`
	Entries int  `json:"entries"`
	Anchors int  `json:"anchors"`
}

var (
	reLedgerEntries = regexp.MustCompile(`账本校验通过：(\d+) 条`)
	reLedgerAnchors = regexp.MustCompile(`已核对存档锚点 (\d+) 个`)
)

// parseLedgerCheck reads `audit verify`'s output.
func parseLedgerCheck(text string, err error) ledgerCheck {
	var c ledgerCheck
	if m := reLedgerEntries.FindStringSubmatch(text); m != nil {
		c.Entries, _ = strconv.Atoi(m[1])
	}
	if m := reLedgerAnchors.FindStringSubmatch(text); m != nil {
		c.Anchors, _ = strconv.Atoi(m[1])
	}
	c.OK = err == nil && c.Entries > 0 && c.Anchors > 0
	return c
}
