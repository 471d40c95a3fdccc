package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gyeco/syndicator/cmd/govsim/sim"
	"github.com/gyeco/syndicator/crawler"
	"github.com/gyeco/syndicator/syndicator"
)

func TestSourceTestJSONMatchesGovsim(t *testing.T) {
	p := newPipeline(t, sim.Options{Seed: 17, Items: 9, LargeEvery: -1}, "nats://127.0.0.1:1", 0, "fs")
	cfg := p.config(t)
	cfgPath := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(cfgPath, []byte(p.yaml), 0o644)

	for _, src := range []string{"govcn-zuixin", "guizhou-szfwj"} {
		var out, errOut bytes.Buffer
		code := run([]string{"source", "test", src, "--config", cfgPath, "--json", "--limit", "3"}, &out, &errOut)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", src, code, errOut.String())
		}
		var rep crawler.DryRunReport
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatalf("%s: output is not the JSON report: %v\n%s", src, err, out.String())
		}
		var raw map[string]json.RawMessage
		json.Unmarshal(out.Bytes(), &raw)
		if len(raw) != 3 || raw["source"] == nil || raw["list"] == nil || raw["items"] == nil {
			t.Errorf("%s: top-level keys %v, want exactly source, list, items", src, keys(raw))
		}
		if rep.Source != src || len(rep.Items) != 3 || len(rep.List) == 0 {
			t.Fatalf("%s: report source %q, %d list rows, %d items", src, rep.Source, len(rep.List), len(rep.Items))
		}
		for _, it := range rep.Items {
			r := releaseByURL(t, p, it.URL)
			if it.DocNumber != r.DocNumber || it.Issuer != r.Issuer || !it.PublishedAt.Equal(r.PublishedAt) || it.BodyText == "" {
				t.Errorf("%s: item %s = {%q %q %v}, govsim has {%q %q %v}", src, it.URL, it.DocNumber, it.Issuer, it.PublishedAt, r.DocNumber, r.Issuer, r.PublishedAt)
			}
		}
	}
	if _, err := os.Stat(cfg.DataDir); !os.IsNotExist(err) {
		t.Errorf("source test wrote %s (err %v); a dry run writes nothing", cfg.DataDir, err)
	}
}

func TestSourceTestTableAndProblems(t *testing.T) {
	p := newPipeline(t, sim.Options{Seed: 17, Items: 4, LargeEvery: -1}, "nats://127.0.0.1:1", 0, "fs")
	p.yaml = strings.Replace(p.yaml, "pages: 3}", "pages: 3, item: ul.GoneList li}", 1)
	cfgPath := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(cfgPath, []byte(p.yaml), 0o644)

	var out, errOut bytes.Buffer
	if code := run([]string{"source", "test", "govcn-zuixin", "--config", cfgPath}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errOut.String())
	}
	for _, want := range []string{"来源 govcn-zuixin", "发文字号", "国务院", "未发现问题"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if code := run([]string{"source", "test", "guizhou-szfwj", "--config", cfgPath}, &out, &errOut); code != 1 {
		t.Errorf("broken list selector: exit %d, want 1\n%s", code, out.String())
	}
	if !strings.Contains(out.String(), "没有解析出任何条目") {
		t.Errorf("broken list selector not explained:\n%s", out.String())
	}
	if code := run([]string{"source", "test", "nope", "--config", cfgPath}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "govcn-zuixin") {
		t.Errorf("unknown source: exit %d, stderr %q", code, errOut.String())
	}
}

func releaseByURL(t *testing.T, p *pipeline, url string) sim.Release {
	t.Helper()
	for _, r := range p.sim.Releases() {
		if _, canon := p.itemIDOf(t, r); canon == url {
			return r
		}
	}
	t.Fatalf("no govsim release at %s", url)
	return sim.Release{}
}

func keys(m map[string]json.RawMessage) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

// TestSourceTestEveryPreset runs `source test --json` for every built-in
// preset against govsim and checks the items against govsim's releases.
func TestSourceTestEveryPreset(t *testing.T) {
	site := sim.New(sim.Options{Seed: 23, Items: 16, Sites: sim.AllSites(), LargeEvery: -1})
	srv := httptest.NewServer(site)
	defer srv.Close()
	truth := map[string]sim.Release{}
	for _, r := range site.Releases() {
		canon, _ := syndicator.CanonicalURL(srv.URL+r.Path, nil)
		truth[canon] = r
	}
	presets := map[string]string{
		"govcn-zuixin": "/govcn", "govcn-gwywj": "/govcn", "govcn-bmwj": "/govcn", "govcn-jiedu": "/govcn",
		"guizhou-szfwj": "/guizhou", "guiyang-gfxwj": "/guiyang",
	}
	var yml strings.Builder
	fmt.Fprintf(&yml, "crawler: {per_host_rps: 1000, allow_private: [%q]}\nsources:\n", strings.TrimPrefix(srv.URL, "http://"))
	for id, prefix := range presets {
		fmt.Fprintf(&yml, "  - {id: %s, preset: %s, base_url: %q}\n", id, id, srv.URL+prefix)
	}
	cfgPath := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(cfgPath, []byte(yml.String()), 0o644)

	for id := range presets {
		t.Run(id, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run([]string{"source", "test", id, "--config", cfgPath, "--json", "--limit", "3"}, &out, &errOut); code != 0 {
				t.Fatalf("exit %d\n%s", code, errOut.String())
			}
			var rep crawler.DryRunReport
			if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
				t.Fatal(err)
			}
			if len(rep.List) == 0 || len(rep.Items) != 3 {
				t.Fatalf("%d list rows, %d items", len(rep.List), len(rep.Items))
			}
			for _, it := range rep.Items {
				r, ok := truth[it.URL]
				if !ok {
					t.Errorf("item %s is no govsim release", it.URL)
					continue
				}
				if !strings.HasPrefix(r.Title, it.Title) || it.DocNumber != r.DocNumber || !it.PublishedAt.Equal(r.PublishedAt) ||
					(r.Issuer != "" && it.Issuer != r.Issuer) || it.BodyText == "" {
					t.Errorf("%s: got {%q %q %q %v}, govsim {%q %q %q %v}", r.Path,
						it.Title, it.DocNumber, it.Issuer, it.PublishedAt, r.Title, r.DocNumber, r.Issuer, r.PublishedAt)
				}
			}
		})
	}
}
