package config

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse: any bytes either load into a configuration whose numbers
// all mean something, or fail with Problems naming the file; never a
// panic, and never a walk past the node and size bounds. Inputs naming a
// secret file are skipped: the fuzzer must not read /dev/stdin or the
// like.
func FuzzParse(f *testing.F) {
	paths, err := filepath.Glob("testdata/*.yml")
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(bytes.ReplaceAll(data, []byte("file:secret.txt"), []byte("not-in-logs-s3cr3t")))
	}
	for _, s := range []string{"", "~", "---\n", "a: 1\n---\nb: 2\n", "site: {page_size: -5}\n", "crawler: {per_host_rps: .nan}\n",
		"sla: {timely: {hours: 1e300}}\n", "nats: {port: 70000}\n", "sources: [{id: g, preset: govcn-zuixin, interval: 0s}]\n", laughs(4)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if bytes.Contains(data, []byte("file:")) {
			t.Skip()
		}
		c, err := Parse("fuzz.yml", data)
		if err != nil {
			var probs Problems
			if !errors.As(err, &probs) || len(probs) == 0 {
				t.Fatalf("error %T %v is not Problems", err, err)
			}
			for _, p := range probs {
				if p.File != "fuzz.yml" || p.Key == "" || p.Line < 0 {
					t.Fatalf("problem %#v does not locate itself", p)
				}
			}
			return
		}
		cr := c.Crawler
		if c.Site.PageSize <= 0 || !(cr.PerHostRPS > 0) || cr.MaxBodyBytes <= 0 || cr.MaxAttachmentBytes <= 0 || cr.Timeout <= 0 ||
			cr.Recheck <= 0 || !(cr.MissingShare > 0 && cr.MissingShare <= 1) || c.Webhook.Timeout <= 0 || c.Archive.AnchorEvery <= 0 ||
			c.Identity.WaitForOrigin <= 0 || c.NATS.Port < 0 || c.NATS.Port > 65535 {
			t.Fatalf("loaded a meaningless number: %+v", c)
		}
		if len(c.Sources) == 0 {
			t.Fatal("no sources")
		}
		for _, s := range c.Sources {
			if s.Interval <= 0 || s.Jitter <= 0 || s.Resolved.Base == nil || len(s.Resolved.ListURLs) == 0 {
				t.Fatalf("source %+v", s)
			}
		}
	})
}
