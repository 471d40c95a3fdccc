package warc_test

import (
	"bytes"
	"testing"

	"github.com/gyeco/syndicator/sinks/archive/warc"
)

// BenchmarkCapture is the WARC of a page of about 60 KB and one
// attachment, as the archive writes it for each revision.
//
//	go test -run '^$' -bench Capture -benchmem ./sinks/archive/warc
func BenchmarkCapture(b *testing.B) {
	exs := exchanges()
	exs[0].Body = append(exs[0].Body, bytes.Repeat([]byte("<p>为深入贯彻落实党中央、国务院关于生态文明建设的决策部署，现就有关事项通知如下。</p>\n"), 500)...)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := warc.Capture(exs); err != nil {
			b.Fatal(err)
		}
	}
}
