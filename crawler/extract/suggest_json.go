package extract

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/gyeco/syndicator/config"
)

// Field names JSON lists use, as hints: a row's keys are chosen by what
// their values look like first, and by these names among equals.
var (
	urlKeyHint   = regexp.MustCompile(`(?i)url|link|href|path`)
	dateKeyHint  = regexp.MustCompile(`(?i)time|date|pub|rq|sj`)
	titleKeyHint = regexp.MustCompile(`(?i)title|^name$|^bt$|^biaoti$`)
	// Prose fields hold Chinese text longer than the title: never a title.
	proseKey = regexp.MustCompile(`(?i)summary|content|abstract|desc|intro|body|text|zy|zhaiyao`)
)

// pageLike says whether s is a link to a page: a URL or path whose path
// ends in a page's extension (.htm, .html, .shtml, .jsp).
func pageLike(s string) bool {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	for _, ext := range []string{".htm", ".html", ".shtml", ".jsp"} {
		if strings.HasSuffix(strings.ToLower(s), ext) {
			return true
		}
	}
	return false
}

// jsonRowFields picks, from a list's first row, the keys holding the page
// URL, the title and the date. A date must read as one between 2000 and
// 2100 (an id of ten digits would otherwise pass as epoch seconds).
func jsonRowFields(row map[string]any) (urlField, titleField, dateField string) {
	keys := slices.Sorted(maps.Keys(row))
	// Named keys before the others, each group in sorted order.
	byHint := func(hint *regexp.Regexp) []string {
		out := slices.Clone(keys)
		slices.SortStableFunc(out, func(a, b string) int {
			ha, hb := hint.MatchString(a), hint.MatchString(b)
			switch {
			case ha && !hb:
				return -1
			case hb && !ha:
				return 1
			}
			return 0
		})
		return out
	}
	for _, k := range byHint(urlKeyHint) {
		if pageLike(scalar(row[k])) {
			urlField = k
			break
		}
	}
	// A written date before an epoch number: an epoch claims a second's
	// precision that a list's midnight timestamps do not have.
	for _, epoch := range []bool{false, true} {
		for _, k := range byHint(dateKeyHint) {
			v := scalar(row[k])
			if k == urlField || dateField != "" || isDigits(v) != epoch {
				continue
			}
			if t, _, err := ParseTime(v); err == nil && t.Year() >= 2000 && t.Year() <= 2100 {
				dateField = k
			}
		}
	}
	// The title: a title-named key with Chinese text, else the longest
	// Chinese text that is not prose, the URL or the date.
	for _, k := range keys {
		s := scalar(row[k])
		if k == urlField || k == dateField || proseKey.MatchString(k) || !hasHan(s) {
			continue
		}
		rank, best := titleRank(k), titleRank(titleField)
		if titleField == "" || rank > best || (rank == best && len(s) > len(scalar(row[titleField]))) {
			titleField = k
		}
	}
	return urlField, titleField, dateField
}

// titleRank orders the keys that may hold a row's title: TITLE before
// SUB_TITLE or doc_title, those before keys with no such name.
func titleRank(k string) int {
	switch {
	case strings.EqualFold(k, "title"):
		return 2
	case titleKeyHint.MatchString(k):
		return 1
	}
	return 0
}

// suggestJSONList finds the array of rows in a JSON list and the fields of
// its rows holding a page URL, a title and a date.
func suggestJSONList(text string, pageURL *url.URL) (rule config.ListRule, notes []string, ok bool) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return rule, []string{"页面不是有效的 JSON：" + err.Error()}, false
	}
	path, rows := jsonRowsArray(doc, "")
	if len(rows) == 0 {
		return rule, []string{"JSON 中没有找到由对象组成的数组：请手写 list.items_path 和各字段"}, false
	}
	rule = config.ListRule{Kind: config.KindJSON, ItemsPath: path}
	rule.URLField, rule.TitleField, rule.DateField = jsonRowFields(rows[0])
	if rule.URLField == "" || rule.TitleField == "" {
		return rule, []string{"JSON 行里没有找到网址或标题字段：请手写 list.url_field、title_field"}, false
	}
	if rule.DateField == "" {
		notes = append(notes, "JSON 行里没有找到日期字段：发布时间将取详情页的日期")
	}
	if param, note := jsonPaging(doc, len(rows), pageURL); param != "" {
		rule.Pages, rule.PageParam = suggestedPages, param
		notes = append(notes, note)
	} else {
		notes = append(notes, cmp.Or(note, "接口网址里没有页码参数：只读这一个网址（gov.cn 的 JSON 列表是整个栏目一个文件，无需分页）"))
	}
	var paths []string
	for _, row := range rows {
		if u, err := pageURL.Parse(scalar(row[rule.URLField])); err == nil {
			paths = append(paths, u.Path)
		}
	}
	if seg, kept := majorityDir(paths); seg != "" {
		rule.LinkPattern = "/" + regexp.QuoteMeta(seg) + "/"
		notes = append(notes, fmt.Sprintf("列表 %d 行中有 %d 行在 /%s/ 下，其余在别的栏目（多为新闻）：已用 link_pattern 只保留前者；如也要其余的，删去 link_pattern", len(paths), kept, seg))
	}
	notes = append(notes, fmt.Sprintf("JSON 列表：items_path %q，网址 %s，标题 %s，日期 %s", path, rule.URLField, rule.TitleField, cmp.Or(rule.DateField, "（无）")))
	return rule, notes, true
}

// jsonRowsArray returns the first array of objects in v, depth first,
// and its dotted path.
func jsonRowsArray(v any, path string) (string, []map[string]any) {
	switch x := v.(type) {
	case []any:
		var rows []map[string]any
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				rows = append(rows, m)
			}
		}
		if len(rows) > 0 {
			return path, rows
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if q, rows := jsonRowsArray(x[k], p); len(rows) > 0 {
				return q, rows
			}
		}
	}
	return "", nil
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

// dateDir is a directory named for a date: 2026, 202611, 20261130.
var dateDir = regexp.MustCompile(`^(19|20)\d{2}(\d{2}){0,2}$`)

// majorityDir finds where the paths first differ and, when one directory
// there holds at least two thirds of them but not all, returns it: a list
// that mixes policy pages with another column's (gov.cn's 最新政策 carries
// 要闻) is read for the first only.
func majorityDir(paths []string) (seg string, kept int) {
	if len(paths) < minGenericRows {
		return "", 0
	}
	split := make([][]string, len(paths))
	for i, p := range paths {
		split[i] = strings.Split(strings.Trim(p, "/"), "/")
	}
	for depth := 0; ; depth++ {
		count := map[string]int{}
		for _, parts := range split {
			if depth >= len(parts)-1 { // the file name is no directory
				return "", 0
			}
			count[parts[depth]]++
		}
		if len(count) == 1 {
			continue
		}
		best, n, dated := "", 0, true
		for k, c := range count {
			if c > n || c == n && k < best {
				best, n = k, c
			}
			dated = dated && dateDir.MatchString(k)
		}
		// Month or day directories (202611/, 2026/11/) are when, not
		// which column: rows of one list spread over them.
		if !dated && 3*n >= 2*len(paths) {
			return best, n
		}
		return "", 0
	}
}
