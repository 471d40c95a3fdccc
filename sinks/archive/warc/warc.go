// Package warc turns captured HTTP exchanges into a gzip-compressed
// WARC/1.1 file: the capture.warc.gz of an archived revision (DESIGN §7).
//
// The output is a pure function of its input. Record ids are derived from
// the content, dates come from the capture and nothing reads the clock, so
// archiving the same event again yields the same bytes, which write-once
// storage needs.
//
// The file is a warcinfo record followed by a request and a response record
// for every exchange, in order, each record in its own gzip member. The
// HTTP messages are reconstructed from what the fetcher kept (see
// responseBlock for how the headers are made to describe the stored body);
// digests are sha256 in lowercase base16 ("sha256:<hex>"), so a response's
// WARC-Payload-Digest names the same sha256 as the event's capture and the
// archive's attachments/<sha256> key.
package warc

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/nlnwa/gowarc/v3"
	"golang.org/x/net/idna"
)

// Software is the warcinfo record's software field. It carries no version:
// a release must not change the bytes of a redelivered event's file.
const Software = "syndicator"

// Exchange is one fetched resource: the final request of a GET and its
// response with the body as the client returned it.
type Exchange struct {
	URL       string      // final URL after redirects; a fragment is ignored
	Proto     string      // protocol of the response, e.g. "HTTP/1.1" (the default) or "HTTP/2.0"
	Status    int         // response status code
	Header    http.Header // response headers
	Request   http.Header // request headers as sent, without Host (taken from URL)
	FetchedAt time.Time   // when the response arrived; becomes WARC-Date
	Body      []byte      // response body, exactly as stored
}

// ErrNoExchange is returned by Capture when given nothing to record.
var ErrNoExchange = errors.New("warc: no exchange to record")

// record is one WARC record before it gets its id.
type record struct {
	typ          gowarc.RecordType
	target       string // WARC-Target-URI; empty for warcinfo
	date         time.Time
	contentType  string
	block        []byte
	concurrentTo int // index of the paired record, -1 for none
}

const (
	warcinfoType = "application/warc-fields"
	requestType  = "application/http;msgtype=request"
	responseType = "application/http;msgtype=response"
)

// Capture returns the gzip-compressed WARC/1.1 file recording exchanges:
// a warcinfo record dated like the first exchange, then for each exchange a
// request record and a response record that name each other in
// WARC-Concurrent-To. It fails on an exchange it cannot record faithfully:
// a URL that is not absolute http(s), a zero FetchedAt, a status outside
// 100–999, or a Proto that is not HTTP/x.y.
func Capture(exchanges []Exchange) ([]byte, error) {
	if len(exchanges) == 0 {
		return nil, ErrNoExchange
	}
	recs := []record{{
		typ: gowarc.Warcinfo, date: exchanges[0].FetchedAt, contentType: warcinfoType,
		block: warcinfo(), concurrentTo: -1,
	}}
	for i, ex := range exchanges {
		req, resp, target, err := blocks(ex)
		if err != nil {
			return nil, fmt.Errorf("warc: exchange %d (%s): %w", i, ex.URL, err)
		}
		n := len(recs)
		recs = append(recs,
			record{typ: gowarc.Request, target: target, date: ex.FetchedAt, contentType: requestType, block: req, concurrentTo: n + 1},
			record{typ: gowarc.Response, target: target, date: ex.FetchedAt, contentType: responseType, block: resp, concurrentTo: n},
		)
	}
	ids := recordIDs(recs)
	var out bytes.Buffer
	// One compressor for every member, reset for each: a new one
	// allocates about 1 MB of state, most of the archive's garbage.
	zw, err := gzip.NewWriterLevel(&out, gzip.DefaultCompression) // no name, no mtime: deterministic
	if err != nil {
		return nil, fmt.Errorf("warc: gzip: %w", err)
	}
	for i, r := range recs {
		if err := writeMember(&out, zw, r, ids, i); err != nil {
			return nil, fmt.Errorf("warc: record %d (%s %s): %w", i, r.typ, r.target, err)
		}
	}
	return out.Bytes(), nil
}

// warcinfo is the block of the warcinfo record.
func warcinfo() []byte {
	return []byte("software: " + Software + "\r\n" +
		"format: WARC File Format 1.1\r\n" +
		"conformsTo: http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n")
}

// blocks validates an exchange and returns its request and response blocks
// and its WARC-Target-URI.
func blocks(ex Exchange) (req, resp []byte, target string, err error) {
	u, err := url.Parse(ex.URL)
	if err != nil {
		return nil, nil, "", fmt.Errorf("url: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return nil, nil, "", fmt.Errorf("url %q is not an absolute http(s) URL", ex.URL)
	}
	u.Fragment, u.RawFragment = "", "" // never sent, so not part of the target
	if u.Host, err = asciiHost(u.Host); err != nil {
		return nil, nil, "", err
	}
	u.RawQuery = escapeQuery(u.RawQuery)
	if ex.FetchedAt.IsZero() {
		return nil, nil, "", errors.New("no fetch time")
	}
	if ex.Status < 100 || ex.Status > 999 {
		return nil, nil, "", fmt.Errorf("status %d out of range", ex.Status)
	}
	proto := ex.Proto
	if proto == "" {
		proto = "HTTP/1.1"
	}
	if _, _, ok := http.ParseHTTPVersion(proto); !ok {
		return nil, nil, "", fmt.Errorf("protocol %q is not HTTP/x.y", ex.Proto)
	}
	return requestBlock(u, proto, ex.Request), responseBlock(proto, ex.Status, ex.Header, ex.Body), u.String(), nil
}

// recordIDs derives a urn:uuid for every record from the content of the
// whole file and the record's position: ids are unique within the file,
// differ between files with different content, and repeat only when the
// file does.
func recordIDs(recs []record) []string {
	seed := sha256.New()
	field := func(b []byte) {
		_ = binary.Write(seed, binary.BigEndian, uint64(len(b)))
		seed.Write(b)
	}
	field([]byte("syndicator warc record ids v1"))
	for _, r := range recs {
		field([]byte(r.typ.String()))
		field([]byte(r.target))
		field([]byte(r.date.UTC().Format(time.RFC3339Nano)))
		field(r.block)
	}
	sum := seed.Sum(nil)
	ids := make([]string, len(recs))
	for i := range recs {
		h := sha256.New()
		h.Write(sum)
		_ = binary.Write(h, binary.BigEndian, uint64(i))
		ids[i] = uuidURN(h.Sum(nil))
	}
	return ids
}

// uuidURN formats the first 16 bytes of sum as an RFC 9562 version 8
// (custom) UUID URN.
func uuidURN(sum []byte) string {
	var u [16]byte
	copy(u[:], sum)
	u[6] = u[6]&0x0f | 0x80 // version 8
	u[8] = u[8]&0x3f | 0x80 // variant 10
	h := hex.EncodeToString(u[:])
	return "urn:uuid:" + h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// writeMember builds record i with gowarc, which checks it against the
// WARC/1.1 rules and adds Content-Length, WARC-Block-Digest and, for the
// HTTP records, WARC-Payload-Digest, then appends it to out as one gzip
// member.
func writeMember(out *bytes.Buffer, zw *gzip.Writer, r record, ids []string, i int) error {
	b := newRecordBuilder(r.typ,
		gowarc.WithStrictValidation(),
		gowarc.WithAddMissingRecordId(false),
		gowarc.WithAddMissingContentLength(true),
		gowarc.WithAddMissingDigest(true),
		gowarc.WithDefaultDigestAlgorithm("sha256"),
		gowarc.WithDefaultDigestEncoding(gowarc.Base16),
		gowarc.WithBufferMaxMemBytes(int64(len(r.block))+1), // never spill to a temporary file
	)
	b.AddWarcHeader(gowarc.WarcRecordID, "<"+ids[i]+">")
	b.AddWarcHeaderTime(gowarc.WarcDate, r.date)
	if r.target != "" {
		b.AddWarcHeader(gowarc.WarcTargetURI, r.target)
	}
	if r.typ != gowarc.Warcinfo {
		b.AddWarcHeader(gowarc.WarcWarcinfoID, "<"+ids[0]+">")
	}
	if r.concurrentTo >= 0 {
		b.AddWarcHeader(gowarc.WarcConcurrentTo, "<"+ids[r.concurrentTo]+">")
	}
	b.AddWarcHeader(gowarc.ContentType, r.contentType)
	if _, err := b.Write(r.block); err != nil {
		_ = b.Close()
		return fmt.Errorf("buffer block: %w", err)
	}
	rec, _, err := b.Build()
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	defer rec.Close()

	zw.Reset(out)
	if _, _, err := gowarc.NewMarshaler().Marshal(zw, rec, 0); err != nil {
		return fmt.Errorf("marshal: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("gzip: %w", err)
	}
	return nil
}

// asciiHost returns host (with its port, if any) with an internationalized
// name in its ASCII (punycode) form, as a client sends it in Host.
func asciiHost(host string) (string, error) {
	if isASCII(host) {
		return host, nil
	}
	name, port := host, ""
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		name, port = host[:i], host[i:]
	}
	a, err := idna.Lookup.ToASCII(name)
	if err != nil {
		return "", fmt.Errorf("host %q: %w", host, err)
	}
	return a + port, nil
}

// escapeQuery percent-encodes the bytes a URI may not hold that Go's URL
// parser leaves in a raw query: controls, space, non-ASCII and "<>\^`{|}.
// Without it a query could split the request line or the target URI.
func escapeQuery(q string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		c := q[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"<>\^`+"`{|}", c) >= 0 {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// builderMu serializes gowarc.NewRecordBuilder: gowarc v3.1.0 calls
// uuid.EnableRandPool, an unsynchronized write to a google/uuid global, on
// every call, which is a data race between concurrent archive handlers.
// It guards no state of ours.
var builderMu sync.Mutex

func newRecordBuilder(typ gowarc.RecordType, opts ...gowarc.WarcRecordOption) gowarc.WarcRecordBuilder {
	builderMu.Lock()
	defer builderMu.Unlock()
	return gowarc.NewRecordBuilder(typ, opts...)
}
