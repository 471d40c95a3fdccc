// Package warctest reads WARC files for tests. It shares no code with the
// library that writes them: it is written from the WARC/1.1 text alone and
// is strict where a lenient reader would hide a fault: every gzip member
// holds exactly one record, every header line ends in CRLF, the block is
// exactly Content-Length bytes and is followed by exactly CRLF CRLF.
package warctest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Record is one WARC record as found in the file.
type Record struct {
	Version string  // e.g. "WARC/1.1"
	Fields  []Field // named fields in file order
	Block   []byte  // exactly Content-Length bytes
}

// Field is one named field of a record header.
type Field struct{ Name, Value string }

// Get returns the value of the first field named name (case-insensitive),
// or "".
func (r Record) Get(name string) string {
	if v := r.All(name); len(v) > 0 {
		return v[0]
	}
	return ""
}

// All returns the values of every field named name (case-insensitive).
func (r Record) All(name string) []string {
	var vs []string
	for _, f := range r.Fields {
		if strings.EqualFold(f.Name, name) {
			vs = append(vs, f.Value)
		}
	}
	return vs
}

// Read decompresses a .warc.gz member by member and parses the one record
// each member must hold.
func Read(data []byte) ([]Record, error) {
	br := bufio.NewReader(bytes.NewReader(data))
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("warctest: member 0: %w", err)
	}
	var recs []Record
	for n := 0; ; n++ {
		zr.Multistream(false)
		member, err := io.ReadAll(zr)
		if err != nil {
			return nil, fmt.Errorf("warctest: member %d: %w", n, err)
		}
		rec, rest, err := Parse(member)
		if err != nil {
			return nil, fmt.Errorf("warctest: member %d: %w", n, err)
		}
		if len(rest) > 0 {
			return nil, fmt.Errorf("warctest: member %d holds %d bytes after its record", n, len(rest))
		}
		recs = append(recs, rec)
		if err := zr.Reset(br); err == io.EOF {
			return recs, nil
		} else if err != nil {
			return nil, fmt.Errorf("warctest: member %d: %w", n+1, err)
		}
	}
}

// Parse reads one uncompressed record from the start of b and returns it
// with the bytes that follow it.
func Parse(b []byte) (Record, []byte, error) {
	var rec Record
	line, b, err := crlfLine(b)
	if err != nil {
		return rec, nil, fmt.Errorf("version line: %w", err)
	}
	if !strings.HasPrefix(line, "WARC/") {
		return rec, nil, fmt.Errorf("version line %q does not start with WARC/", line)
	}
	rec.Version = line
	for {
		if line, b, err = crlfLine(b); err != nil {
			return rec, nil, fmt.Errorf("header: %w", err)
		}
		if line == "" {
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return rec, nil, fmt.Errorf("header line %q is not name: value", line)
		}
		rec.Fields = append(rec.Fields, Field{Name: name, Value: strings.Trim(value, " \t")})
	}
	lengths := rec.All("Content-Length")
	if len(lengths) != 1 {
		return rec, nil, fmt.Errorf("%d Content-Length fields, want 1", len(lengths))
	}
	n, err := strconv.Atoi(lengths[0])
	if err != nil || n < 0 {
		return rec, nil, fmt.Errorf("content-length %q is not a length", lengths[0])
	}
	if n > len(b) {
		return rec, nil, fmt.Errorf("content-length %d but %d bytes left", n, len(b))
	}
	rec.Block, b = b[:n], b[n:]
	if !bytes.HasPrefix(b, []byte("\r\n\r\n")) {
		return rec, nil, errors.New("block not followed by CRLF CRLF")
	}
	return rec, b[4:], nil
}

// crlfLine returns the text before the first CRLF of b and what follows the
// CRLF. A bare CR or LF inside the line is an error.
func crlfLine(b []byte) (string, []byte, error) {
	i := bytes.Index(b, []byte("\r\n"))
	if i < 0 {
		return "", nil, errors.New("no CRLF")
	}
	line := b[:i]
	if bytes.ContainsAny(line, "\r\n") {
		return "", nil, fmt.Errorf("line %q holds a bare CR or LF", line)
	}
	return string(line), b[i+2:], nil
}

// Response parses the HTTP response in a response record's block and
// returns it with its body, which must end the block exactly.
func (r Record) Response() (*http.Response, []byte, error) {
	br := bufio.NewReader(bytes.NewReader(r.Block))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("warctest: http response: %w", err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, fmt.Errorf("warctest: http response body: %w", err)
	}
	if rest, _ := io.ReadAll(br); len(rest) > 0 {
		return nil, nil, fmt.Errorf("warctest: %d bytes after the http response body", len(rest))
	}
	return resp, body, nil
}

// Request parses the HTTP request in a request record's block, which must
// hold nothing after it (a GET has no body).
func (r Record) Request() (*http.Request, error) {
	br := bufio.NewReader(bytes.NewReader(r.Block))
	req, err := http.ReadRequest(br)
	if err != nil {
		return nil, fmt.Errorf("warctest: http request: %w", err)
	}
	if rest, _ := io.ReadAll(br); len(rest) > 0 {
		return nil, fmt.Errorf("warctest: %d bytes after the http request", len(rest))
	}
	return req, nil
}

// SHA256 formats the digest of b the way the writer does: "sha256:<hex>".
func SHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}
