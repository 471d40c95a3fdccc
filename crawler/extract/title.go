package extract

import "strings"

// siteName ends the <title> of every gov.cn page.
const siteName = "中国政府网"

// TrimTitleSuffix removes site and column names from a <title> text
// (sources.md §3.6): it splits on "_" and drops trailing segments while they
// are empty, end in 中国政府网, or end in one of suffixes. The first segment
// is never dropped, so a title that itself contains "_" stays whole:
// "关于A_B的通知_国务院文件_中国政府网" with suffixes ["国务院文件"] gives
// "关于A_B的通知". Nothing else is changed.
func TrimTitleSuffix(title string, suffixes []string) string {
	segs := strings.Split(title, "_")
	n := len(segs)
	for n > 1 && droppable(segs[n-1], suffixes) {
		n--
	}
	return strings.Join(segs[:n], "_")
}

func droppable(seg string, suffixes []string) bool {
	seg = strings.TrimSpace(seg)
	if seg == "" || strings.HasSuffix(seg, siteName) {
		return true
	}
	for _, s := range suffixes {
		if s = strings.TrimSpace(s); s != "" && strings.HasSuffix(seg, s) {
			return true
		}
	}
	return false
}
