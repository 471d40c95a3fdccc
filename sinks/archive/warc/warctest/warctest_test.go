package warctest_test

import (
	"bytes"
	"compress/gzip"
	"testing"

	"github.com/gyeco/syndicator/sinks/archive/warc/warctest"
)

func gz(t *testing.T, members ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, m := range members {
		zw := gzip.NewWriter(&b)
		if _, err := zw.Write([]byte(m)); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

const rec = "WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n"

func TestRead(t *testing.T) {
	recs, err := warctest.Read(gz(t, rec, rec))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[1].Get("warc-type") != "resource" || string(recs[1].Block) != "hello" {
		t.Errorf("Read = %+v, want two resource records holding hello", recs)
	}
}

// TestReadRefuses: the reader is strict where a lenient one would hide a
// writer's fault.
func TestReadRefuses(t *testing.T) {
	tests := map[string][]byte{
		"two records in a member": gz(t, rec+rec),
		"block longer than said":  gz(t, "WARC/1.1\r\nContent-Length: 4\r\n\r\nhello\r\n\r\n"),
		"block shorter than said": gz(t, "WARC/1.1\r\nContent-Length: 6\r\n\r\nhello\r\n\r\n"),
		"no end of record":        gz(t, "WARC/1.1\r\nContent-Length: 5\r\n\r\nhello"),
		"bare LF in header":       gz(t, "WARC/1.1\r\nWARC-Type: a\nX: b\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n"),
		"no Content-Length":       gz(t, "WARC/1.1\r\nWARC-Type: a\r\n\r\n\r\n\r\n"),
		"two Content-Lengths":     gz(t, "WARC/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n"),
		"not WARC":                gz(t, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n\r\n\r\n"),
		"not gzip":                []byte(rec),
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			if recs, err := warctest.Read(data); err == nil {
				t.Errorf("Read = %+v, want an error", recs)
			}
		})
	}
}
