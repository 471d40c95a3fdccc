package syndicator

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// This file owns the grammar of the 发文字号 (document number) and the
// doc_key built from it (DESIGN §6), so that the crawler's keys of items and
// the keys a repeal decision names are made by the same code.

// NormDocNo folds full-width characters to ASCII (（）［］ and digits) and
// deletes all white space (sources.md §6.3).
func NormDocNo(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, width.Fold.String(s))
}

// Document-number patterns (sources.md §6.3).
var (
	// Anchored: they run on an isolated, normalised value, never on
	// running text.
	reDocNo     = regexp.MustCompile(`^(\p{Han}{1,16}?)[〔\[(【﹝〖](\d{4})[〕\])】﹞〗]第?(\d{1,5})号$`)
	reDecreeNo  = regexp.MustCompile(`^(\p{Han}{1,16}?)令(?:(\d{4})年)?第(\d{1,5})号$`)
	reDecreeNo2 = regexp.MustCompile(`^(\p{Han}{1,16}?)(\d{4})年第(\d{1,5})号令$`)

	// A number at the end of a title: "…实施意见（黔府发〔2019〕4号）".
	reTitleDocNo = regexp.MustCompile(
		`[（(]\s*(\p{Han}[^（()）]{0,20}?[〔\[［【﹝〖(（]\s*(?:19|20)\d{2}\s*[〕\]］】﹞〗)）]\s*第?\s*\d{1,5}\s*号)\s*[）)]\s*$`)
	reTitleDecreeNo = regexp.MustCompile(
		`[（(]\s*(\p{Han}{1,16}令\s*(?:(?:19|20)\d{2}\s*年\s*)?第\s*\d{1,5}\s*号)\s*[）)]\s*$`)

	// A printed number (after width folding) that DocKey may not accept:
	// org〔year〕num号 with any bracket and any organ name, org令第num号.
	rePrintedDocNo = regexp.MustCompile(`^\p{Han}[^，,、；;]{0,20}?(?:[〔\[【﹝(（〖]\s*(?:19|20)\d{2}\s*[〕\]】﹞)）〗]\s*第?\s*\d{1,5}\s*号|令\s*(?:(?:19|20)\d{2}\s*年\s*)?第\s*\d{1,5}\s*号)$`)
	// A number inside running text, digits of either width.
	reDocNoInText = regexp.MustCompile(`\p{Han}{1,16}?(?:[〔\[［【﹝(（〖]\s*[12１２][0-9０-９]{3}\s*[〕\]］】﹞)）〗]\s*第?\s*[0-9０-９]{1,5}\s*号|令\s*(?:[12１２][0-9０-９]{3}\s*年\s*)?第\s*[0-9０-９]{1,5}\s*号)`)
)

// DocKey returns the standard form of a document number, the cross-site
// identity of a document (DESIGN §6 doc_key): org〔year〕num号 for
// 国发（2017）12号, 筑府办发[2022]28号, 国发﹝2018﹞第7号 and the like;
// org令第num号 for 国务院令第711号; org令year年第num号 for
// 中国银监会令2018年第1号 and …2026年第45号令. Leading zeros of the
// number are dropped. It returns "" when s is not a document number.
func DocKey(s string) string {
	n := NormDocNo(s)
	if m := reDocNo.FindStringSubmatch(n); m != nil && validYear(m[2]) {
		return m[1] + "〔" + m[2] + "〕" + trimZeros(m[3]) + "号"
	}
	if m := reDecreeNo.FindStringSubmatch(n); m != nil {
		if m[2] == "" {
			return m[1] + "令第" + trimZeros(m[3]) + "号"
		}
		if validYear(m[2]) {
			return m[1] + "令" + m[2] + "年第" + trimZeros(m[3]) + "号"
		}
	}
	if m := reDecreeNo2.FindStringSubmatch(n); m != nil && validYear(m[2]) {
		return m[1] + "令" + m[2] + "年第" + trimZeros(m[3]) + "号"
	}
	return ""
}

func validYear(y string) bool {
	return strings.HasPrefix(y, "19") || strings.HasPrefix(y, "20")
}

func trimZeros(num string) string {
	n, err := strconv.Atoi(num)
	if err != nil {
		return num
	}
	return strconv.Itoa(n)
}

// TitleKey is the doc_key of a document without a number: "title:" + the
// normalised title + "|" + the normalised issuer.
func TitleKey(title, issuer string) string {
	return "title:" + NormDocNo(title) + "|" + NormDocNo(issuer)
}

// DocNoFromTitle returns the document number a title ends with in
// parentheses, as printed: "…实施意见（黔府发〔2019〕4号）" gives
// "黔府发〔2019〕4号". Full-width digits are folded only when the printed
// form needs it to match. It returns "" when the title carries no number.
func DocNoFromTitle(title string) string {
	for _, t := range []string{title, width.Fold.String(title)} {
		for _, re := range []*regexp.Regexp{reTitleDocNo, reTitleDecreeNo} {
			if m := re.FindStringSubmatch(t); m != nil {
				return strings.TrimSpace(m[1])
			}
		}
	}
	return ""
}

// IsPrintedDocNo reports whether s, as a whole, reads as a document number
// in the looser printed forms decisions list (an organ name DocKey does not
// take, brackets of either width), whether or not DocKey gives it a key.
func IsPrintedDocNo(s string) bool {
	return rePrintedDocNo.MatchString(width.Fold.String(s))
}

// FindDocNo returns the first document number inside running text such as
// "1990年2月8日国务院令第50号发布", as printed; "" when there is none. The
// match is a candidate: callers check it with DocKey or IsPrintedDocNo.
func FindDocNo(s string) string {
	return reDocNoInText.FindString(s)
}
