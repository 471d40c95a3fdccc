package warc

import (
	"bytes"
	"maps"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/net/http/httpguts"
)

// OriginalPrefix starts the name of a header that keeps a served value
// which no longer describes the stored body, e.g.
// X-Syndicator-Original-Content-Length.
const OriginalPrefix = "X-Syndicator-Original-"

// requestBlock reconstructs the request message: "GET <path?query> <proto>",
// Host from the URL, then the request headers as recorded. Headers the
// transport adds on its own (Go's Accept-Encoding: gzip among them) appear
// only when the fetcher recorded them.
func requestBlock(u *url.URL, proto string, h http.Header) []byte {
	var b bytes.Buffer
	b.WriteString("GET " + u.RequestURI() + " " + proto + "\r\n")
	b.WriteString("Host: " + clean(u.Host) + "\r\n")
	hdr := canonical(h)
	delete(hdr, "Host")
	writeHeader(&b, hdr)
	b.WriteString("\r\n")
	return b.Bytes()
}

// responseBlock reconstructs the response message around the stored body.
// The body is what the client handed over: de-chunked and, when Go's
// transport asked for gzip itself, decompressed. So the headers are made
// to describe it, and every value changed or removed is kept under
// OriginalPrefix:
//   - Transfer-Encoding is removed: the stored body is never chunked.
//   - Content-Encoding is removed when it says gzip and the body is not
//     gzip data; other codings are kept, since Go never decodes them.
//   - Content-Length is set to the body's length.
//
// Header names are sorted (the capture kept no order); a name that is not
// a valid token is dropped; control characters in values, CR and LF
// included, become spaces.
func responseBlock(proto string, status int, h http.Header, body []byte) []byte {
	hdr := canonical(h)
	keep := func(name string) {
		if v, ok := hdr[name]; ok {
			hdr[OriginalPrefix+name] = append(hdr[OriginalPrefix+name], v...)
		}
	}
	if _, ok := hdr["Transfer-Encoding"]; ok {
		keep("Transfer-Encoding")
		delete(hdr, "Transfer-Encoding")
	}
	if v, ok := hdr["Content-Encoding"]; ok && !encodingDescribes(v, body) {
		keep("Content-Encoding")
		delete(hdr, "Content-Encoding")
	}
	length := strconv.Itoa(len(body))
	if v, ok := hdr["Content-Length"]; ok && (len(v) != 1 || strings.TrimSpace(v[0]) != length) {
		keep("Content-Length")
	}
	hdr["Content-Length"] = []string{length}

	var b bytes.Buffer
	b.WriteString(proto + " " + strconv.Itoa(status) + " " + http.StatusText(status) + "\r\n")
	writeHeader(&b, hdr)
	b.WriteString("\r\n")
	b.Write(body)
	return b.Bytes()
}

// encodingDescribes reports whether a Content-Encoding header can describe
// body. Only gzip is checked, by its magic number: it is the one coding an
// HTTP client decodes on its own.
func encodingDescribes(values []string, body []byte) bool {
	var codings []string
	for _, v := range values {
		for c := range strings.SplitSeq(v, ",") {
			if c = strings.ToLower(strings.TrimSpace(c)); c != "" && c != "identity" {
				codings = append(codings, c)
			}
		}
	}
	if len(codings) == 0 {
		return true
	}
	switch codings[len(codings)-1] { // the last coding applied is the outermost
	case "gzip", "x-gzip":
		return bytes.HasPrefix(body, []byte{0x1f, 0x8b})
	}
	return true
}

// canonical copies h with canonical names, merging names that differ only
// in case in sorted order so the result does not depend on map order.
func canonical(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for _, k := range slices.Sorted(maps.Keys(h)) {
		ck := textproto.CanonicalMIMEHeaderKey(k)
		out[ck] = append(out[ck], h[k]...)
	}
	return out
}

// writeHeader writes h's fields sorted by name, one line per value.
func writeHeader(b *bytes.Buffer, h http.Header) {
	for _, k := range slices.Sorted(maps.Keys(h)) {
		if !httpguts.ValidHeaderFieldName(k) {
			continue
		}
		for _, v := range h[k] {
			b.WriteString(k + ": " + clean(v) + "\r\n")
		}
	}
}

// clean replaces control bytes other than tab with spaces, so a value can
// neither end its line nor smuggle in another field. Other bytes, obs-text
// such as a GBK file name included, are kept as they are.
func clean(v string) string {
	b := []byte(v)
	for i, c := range b {
		if (c < 0x20 && c != '\t') || c == 0x7f {
			b[i] = ' '
		}
	}
	return string(b)
}
