package sim

import (
	"fmt"
	"net/http"
	"slices"
	"time"
)

// This file holds what happens to documents after they are published, on
// demand of a test: a State Council document, a reprint on another site, a
// 政策解读, a correction, a page taken down. (Repeal is in repeal.go.) Each
// method draws from a generator of its own, so calling one changes nothing
// that Publish would make, except that a release takes the next tick of the
// clock and the next number of its series.

// tick advances the clock shared with Publish and returns the time of the
// new event on site, cut to the site's precision.
func (s *Site) tick(site string) time.Time {
	s.n++
	return s.start.Add(time.Duration(s.n) * s.every).Truncate(precisionOf(site))
}

// precisionOf is how exactly site dates its pages.
func precisionOf(site string) time.Duration {
	if site == GovCN {
		return time.Second
	}
	return time.Minute
}

// publishItem indexes a new release, made and listed under s.mu, and
// returns its ground truth. The caller unlocks and then calls fire.
func (s *Site) publishItem(it *item) Release {
	s.index(it)
	return it.Release.clone()
}

// fire calls OnPublish with r, outside the lock.
func (s *Site) fire(r Release) {
	if s.onPublish != nil {
		s.onPublish(r.clone())
	}
}

// PublishGovDoc publishes a new State Council document (国务院, 国发〔YYYY〕N号)
// on gov.cn at once, on top of the 最新政策 JSON list and, with govcn-all,
// of the 国务院文件 list, and returns it. Without gov.cn it returns the zero
// Release.
func (s *Site) PublishGovDoc() Release {
	s.mu.Lock()
	if !s.sites[GovCN] {
		s.mu.Unlock()
		return Release{}
	}
	col := colZuixin
	col.kinds, col.weights = colZuixin.kinds[:1], []int{1} // 国发 only
	r := s.publishItem(s.list(s.life.release(col, s.tick(GovCN), false)))
	s.mu.Unlock()
	s.fire(r)
	return r
}

// Reprint publishes at once on site a 转载 of the release at origPath: on
// Guiyang (市政府文件) a gov.cn or Guizhou document, on Guizhou (the 国务院文件
// column at /guizhou/zwgk/zcfg/gwywj/) a gov.cn one. The copy keeps title
// byte for byte, 发文字号, issuer, 成文日期, body and attachment bytes; its
// 来源 names the original's site (中国政府网, 贵州省人民政府), its SameAs is
// origPath, its date is never before the original's. A document is
// reprinted once per site; 政策解读 and reprints are not reprinted.
func (s *Site) Reprint(site, origPath string) (Release, error) {
	var col column
	from := []string{GovCN}
	switch site {
	case Guiyang:
		col = colGuiyang
		from = append(from, Guizhou)
	case Guizhou:
		col = colGZGWYWJ
	default:
		return Release{}, fmt.Errorf("sim: reprint on %q: only %s and %s reprint", site, Guizhou, Guiyang)
	}
	s.mu.Lock()
	orig, err := s.reprintable(site, origPath, from)
	if err != nil {
		s.mu.Unlock()
		return Release{}, err
	}
	at := s.tick(site)
	if at.Before(orig.PublishedAt) { // a tiny PublishEvery cut to the minute
		at = orig.PublishedAt.Truncate(time.Minute).Add(time.Minute)
	}
	orig.reprinted++
	r := s.publishItem(s.list(s.life.reprint(col, at, orig)))
	s.mu.Unlock()
	s.fire(r)
	return r, nil
}

// reprintable returns the release at path if site may reprint it now.
func (s *Site) reprintable(site, path string, from []string) (*item, error) {
	if !s.sites[site] {
		return nil, fmt.Errorf("sim: reprint on %s: site not served", site)
	}
	orig, ok := s.byPath[path]
	switch {
	case !ok:
		return nil, fmt.Errorf("sim: reprint %s: no such release", path)
	case !slices.Contains(from, orig.Site):
		return nil, fmt.Errorf("sim: reprint %s: %s does not reprint %s documents", path, site, orig.Site)
	case orig.DocNumber == "" || orig.SameAs != "":
		return nil, fmt.Errorf("sim: reprint %s: not an original document", path)
	}
	for _, it := range s.all {
		if it.Site == site && it.SameAs == path {
			return nil, fmt.Errorf("sim: reprint %s: already reprinted on %s at %s", path, site, it.Path)
		}
	}
	return orig, nil
}

// Interpret publishes at once a gov.cn 政策解读 (Template B) of the gov.cn
// document at path, on top of the 政策解读 JSON list, whose 相关文件 link
// points at the document. It needs govcn-all, which serves that list.
func (s *Site) Interpret(path string) (Release, error) {
	s.mu.Lock()
	target, ok := s.byPath[path]
	var err error
	switch {
	case !s.sites[GovCNAll]:
		err = fmt.Errorf("sim: interpret %s: the 政策解读 list needs %s", path, GovCNAll)
	case !ok:
		err = fmt.Errorf("sim: interpret %s: no such release", path)
	case target.Site != GovCN || target.DocNumber == "":
		err = fmt.Errorf("sim: interpret %s: not a gov.cn document", path)
	}
	if err != nil {
		s.mu.Unlock()
		return Release{}, err
	}
	target.interpreted++
	r := s.publishItem(s.list(s.life.interpretation(colJiedu, s.tick(GovCN), target, false)))
	s.mu.Unlock()
	s.fire(r)
	return r, nil
}

// Revise corrects the body of the release at path now: it appends a
// paragraph 【更正】… naming the time of the correction, and sets ModifiedAt
// (the gov.cn lastmodifiedtime and every site's Last-Modified) to that
// time, which takes a tick of the clock. Lists do not change. It returns the
// new ground truth; it publishes nothing, so OnPublish is not called.
func (s *Site) Revise(path string) (Release, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.byPath[path]
	switch {
	case !ok:
		return Release{}, fmt.Errorf("sim: revise %s: no such release", path)
	case it.Removed != 0:
		return Release{}, fmt.Errorf("sim: revise %s: removed (%d)", path, it.Removed)
	}
	at := s.tick(it.Site)
	if !at.After(it.ModifiedAt) { // history lastmodifiedtime may lie after Start
		at = it.ModifiedAt.Truncate(precisionOf(it.Site)).Add(precisionOf(it.Site))
	}
	text := "【更正】" + cnDate(at) + at.Format("15:04") + "更正：原文部分文字表述有误，现已更正，以本文为准。"
	// Clip: never write into an array another release might share.
	it.paras = append(slices.Clip(it.paras), para{text: text, att: -1})
	it.Body = append(slices.Clip(it.Body), text)
	it.ModifiedAt = at
	return it.Release.clone(), nil
}

// Remove takes the detail page at path down: from now on it answers status
// (http.StatusNotFound or http.StatusGone), Body reports no page and Paths
// leaves it out. The release stays in its lists, a dead link as on the real
// sites, and in Releases with Removed set; its attachments stay served.
// Removing again changes the status.
func (s *Site) Remove(path string, status int) error {
	if status != http.StatusNotFound && status != http.StatusGone {
		return fmt.Errorf("sim: remove %s: status %d, want 404 or 410", path, status)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.byPath[path]
	if !ok {
		return fmt.Errorf("sim: remove %s: no such release", path)
	}
	it.Removed = status
	return nil
}
