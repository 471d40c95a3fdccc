package extract

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Decode returns the text of body and the name of the charset used
// (sources.md §2.2). The charset is taken from, in order: a byte order mark,
// the Content-Type header, an XML declaration (<?xml … encoding="gb2312"?>,
// feeds and XHTML), a <meta> charset declaration in the first 1 KiB, and a
// sniff of the first 1 KiB. These corrections apply:
//
//   - gbk, gb2312 and their aliases are decoded as GB18030, a superset that
//     keeps the 4-byte characters (rare name characters) GBK would turn into
//     U+FFFD; the name reported is "gb18030";
//   - when nothing useful is declared (the sniff falls back to windows-1252,
//     which also covers Latin-1 declarations), the body is UTF-8 if it is
//     valid UTF-8, else GB18030;
//   - when the header claims UTF-8 but the body is not valid UTF-8 and an
//     XML declaration or a <meta> declares another charset, the declaration
//     wins (servers label everything utf-8 by default).
//
// Invalid byte sequences become U+FFFD; a leading BOM is not part of text.
// The error is non-nil only when a decoder fails outright.
func Decode(body []byte, contentType string) (text string, used string, err error) {
	b, used, err := decode(body, contentType)
	return string(b), used, err
}

// decode is Decode without the copy into a string: the body itself when it
// is valid UTF-8, as most pages are (a detail page is parsed from it).
func decode(body []byte, contentType string) ([]byte, string, error) {
	if bytes.HasPrefix(body, utf8BOM) {
		return validUTF8(body[len(utf8BOM):]), "utf-8", nil
	}
	enc, name, certain := charset.DetermineEncoding(body, contentType)
	declEnc, declName := xmlDeclEncoding(body)
	valid := utf8.Valid(body) // once: a pass over the whole body
	switch {
	case declEnc != nil && !certain:
		enc, name = declEnc, declName
	case name == "utf-8" && !valid && contentType != "":
		if declEnc != nil && declName != "utf-8" {
			enc, name = declEnc, declName
		} else if e2, n2, _ := charset.DetermineEncoding(body, ""); n2 != "utf-8" && n2 != "windows-1252" {
			enc, name = e2, n2
		}
	}
	switch name {
	case "utf-8":
		if valid {
			return body, name, nil
		}
		return bytes.ToValidUTF8(body, []byte("\uFFFD")), name, nil
	case "gbk", "gb18030": // WHATWG name for gb2312, gbk, x-gbk, chinese, csgb2312, …
		enc, name = simplifiedchinese.GB18030, "gb18030"
	case "windows-1252":
		if valid {
			return body, "utf-8", nil
		}
		enc, name = simplifiedchinese.GB18030, "gb18030"
	}
	text, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return nil, name, fmt.Errorf("extract: decode %s: %w", name, err)
	}
	return bytes.TrimPrefix(text, []byte("\uFEFF")), name, nil
}

// validUTF8 is b with invalid sequences replaced by U+FFFD; b itself when
// it is valid.
func validUTF8(b []byte) []byte {
	if utf8.Valid(b) {
		return b
	}
	return bytes.ToValidUTF8(b, []byte("\uFFFD"))
}

// xmlDeclEncoding returns the encoding an XML declaration at the start of
// body names (<?xml version="1.0" encoding="gb2312"?>), or nil when there is
// none or the label is unknown.
func xmlDeclEncoding(body []byte) (encoding.Encoding, string) {
	head := body[:min(len(body), 1024)]
	head = bytes.TrimLeft(head, " \t\r\n")
	if !bytes.HasPrefix(head, []byte("<?xml")) {
		return nil, ""
	}
	end := bytes.Index(head, []byte("?>"))
	if end < 0 {
		return nil, ""
	}
	decl := head[:end]
	i := bytes.Index(decl, []byte("encoding"))
	if i < 0 {
		return nil, ""
	}
	rest := bytes.TrimLeft(decl[i+len("encoding"):], " \t\r\n")
	if len(rest) == 0 || rest[0] != '=' {
		return nil, ""
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
		return nil, ""
	}
	label, _, ok := bytes.Cut(rest[1:], rest[:1])
	if !ok {
		return nil, ""
	}
	return charset.Lookup(string(label))
}

// parsePage decodes body (Decode) and parses it as HTML, for the readers
// that work on a whole page without a rule: the generic list, suggest and
// the script URLs. text is the decoded page.
func parsePage(body []byte, contentType string) (doc *goquery.Document, text string, err error) {
	text, _, err = Decode(body, contentType)
	if err != nil {
		return nil, "", err
	}
	doc, err = goquery.NewDocumentFromReader(strings.NewReader(text))
	if err != nil { // only reader errors, impossible with a strings.Reader
		return nil, "", fmt.Errorf("extract: parse html: %w", err)
	}
	return doc, text, nil
}
