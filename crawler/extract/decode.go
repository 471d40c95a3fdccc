package extract

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

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
	if bytes.HasPrefix(body, utf8BOM) {
		return strings.ToValidUTF8(string(body[len(utf8BOM):]), "\uFFFD"), "utf-8", nil
	}
	enc, name, certain := charset.DetermineEncoding(body, contentType)
	declEnc, declName := xmlDeclEncoding(body)
	switch {
	case declEnc != nil && !certain:
		enc, name = declEnc, declName
	case name == "utf-8" && !utf8.Valid(body) && contentType != "":
		if declEnc != nil && declName != "utf-8" {
			enc, name = declEnc, declName
		} else if e2, n2, _ := charset.DetermineEncoding(body, ""); n2 != "utf-8" && n2 != "windows-1252" {
			enc, name = e2, n2
		}
	}
	switch name {
	case "utf-8":
		return strings.ToValidUTF8(string(body), "\uFFFD"), name, nil
	case "gbk", "gb18030": // WHATWG name for gb2312, gbk, x-gbk, chinese, csgb2312, …
		enc, name = simplifiedchinese.GB18030, "gb18030"
	case "windows-1252":
		if utf8.Valid(body) {
			return string(body), "utf-8", nil
		}
		enc, name = simplifiedchinese.GB18030, "gb18030"
	}
	text, err = decodeWith(enc, body)
	if err != nil {
		return "", name, fmt.Errorf("extract: decode %s: %w", name, err)
	}
	return strings.TrimPrefix(text, "\uFEFF"), name, nil
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

func decodeWith(enc encoding.Encoding, body []byte) (string, error) {
	b, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return "", err
	}
	return string(b), nil
}
