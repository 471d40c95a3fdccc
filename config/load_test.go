package config

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

func TestBadConfigsNameFileLineAndKey(t *testing.T) {
	tests := []struct {
		file string
		want []string // substrings of one Problem
	}{
		{"testdata/unknown-key.bad.yml", []string{"testdata/unknown-key.bad.yml:5", "crawler.max_bodybytes", `unknown key "max_bodybytes"`, "max_body_bytes"}},
		{"testdata/malformed-url.bad.yml", []string{"testdata/malformed-url.bad.yml:4", "sources[0].base_url", "not an absolute http(s) URL"}},
		{"testdata/duplicate-source.bad.yml", []string{"testdata/duplicate-source.bad.yml:6", "sources[2].id", `duplicate source id "govcn-zuixin"`, "duplicate-source.bad.yml:2"}},
		{"testdata/unknown-preset.bad.yml", []string{"unknown-preset.bad.yml:3", "sources[0].preset", `unknown preset "htm"`, "govcn-zuixin"}},
		{"testdata/bad-nested-key.bad.yml", []string{"bad-nested-key.bad.yml:8", "sources[0].list.itme", `unknown key "itme"`}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, err := Load(tt.file)
			var probs Problems
			if !errors.As(err, &probs) {
				t.Fatalf("Load error = %v, want Problems", err)
			}
			for _, p := range probs {
				if containsAll(p.Error(), tt.want) {
					return
				}
			}
			t.Errorf("no problem mentions all of %q; got:\n%v", tt.want, err)
		})
	}
}

func TestGoodConfig(t *testing.T) {
	t.Setenv("SYND_TEST_ACCESS", "AKIA-test")
	c, err := Load("testdata/good.yml")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Archive.S3.AccessKey.Value(); got != "AKIA-test" {
		t.Errorf("access key from env = %q", got)
	}
	if got := c.Archive.S3.SecretKey.Value(); got != "not-in-logs-s3cr3t" {
		t.Errorf("secret from file = %q", got)
	}
	if s := fmt.Sprintf("%v %+v", c.Archive.S3, c.Archive.S3); strings.Contains(s, "s3cr3t") || strings.Contains(s, "AKIA") {
		t.Errorf("secret printed: %s", s)
	}
	county := c.Sources[1]
	if county.Resolved.List.Kind != "html" || county.Resolved.ListURLs[0].String() != "http://www.county.example.cn/zwgk/zcwj/" {
		t.Errorf("county resolved to %+v", county.Resolved)
	}
	if county.Column != "zcwj" || c.Sources[0].Column != "gwyzc" || county.Level != "district" || c.Sources[0].Level != "national" {
		t.Errorf("columns/levels: %q %q %q %q", county.Column, c.Sources[0].Column, county.Level, c.Sources[0].Level)
	}
	if c.Sources[0].Resolved.ListURLs[0].String() != "https://www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json" {
		t.Errorf("preset list URL = %v", c.Sources[0].Resolved.ListURLs[0])
	}
}

func TestBaseURLKeepsPathPrefix(t *testing.T) {
	c, err := Parse("mirror.yml", []byte("sources:\n  - {id: g, preset: govcn-zuixin, base_url: \"http://127.0.0.1:8090/govcn\"}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Sources[0].Resolved.ListURLs[0].String(); got != "http://127.0.0.1:8090/govcn/zhengce/zuixin/ZUIXINZHENGCE.json" {
		t.Errorf("list URL = %s", got)
	}
}

func TestDefaultsAreValid(t *testing.T) {
	c, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sources) != 3 || c.NATS.URL.IsSet() || c.Archive.Backend != "fs" || c.HTTP.Listen != "127.0.0.1:8080" {
		t.Errorf("defaults: %+v", c)
	}
	if c.Archive.AnchorEvery != time.Hour {
		t.Errorf("archive.anchor_every default = %s, want 1h", c.Archive.AnchorEvery)
	}
	c, err = Parse("a.yml", []byte("archive: {anchor_every: 10m}\n"))
	if err != nil || c.Archive.AnchorEvery != 10*time.Minute {
		t.Errorf("archive.anchor_every: 10m → %v, %v", c.Archive.AnchorEvery, err)
	}
	if c.NATS.AckWait != 30*time.Second {
		t.Errorf("nats.ack_wait default = %s, want 30s", c.NATS.AckWait)
	}
	c, err = Parse("a.yml", []byte("nats: {ack_wait: 2s}\n"))
	if err != nil || c.NATS.AckWait != 2*time.Second {
		t.Errorf("nats.ack_wait: 2s → %v, %v", c.NATS.AckWait, err)
	}
}

func TestMissingSecretEnvIsAnError(t *testing.T) {
	os.Unsetenv("SYND_TEST_ACCESS")
	if _, err := Load("testdata/good.yml"); err == nil || !strings.Contains(err.Error(), "SYND_TEST_ACCESS") {
		t.Errorf("err = %v, want one naming SYND_TEST_ACCESS", err)
	}
}

func containsAll(s string, subs []string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

func TestTokenValidation(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{"http: {tokens: [{name: a, role: admin, token: 0123456789abcdef}]}", `http.tokens[0].role: "admin": want operator or auditor`},
		{"http: {tokens: [{name: a, role: auditor, token: short}]}", "http.tokens[0].token: shorter than 16"},
		{"http: {tokens: [{name: a, role: auditor, token: 0123456789abcdef}, {name: a, role: operator, token: 0123456789abcdeg}]}", "http.tokens[1].name"},
	}
	for _, tt := range tests {
		_, err := Parse("t.yml", []byte(tt.yaml))
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "t.yml:1") {
			t.Errorf("%s: err = %v, want %q at t.yml:1", tt.yaml, err, tt.want)
		}
	}
	c, err := Parse("t.yml", []byte("http: {tokens: [{name: 审计, role: auditor, token: 0123456789abcdef}]}"))
	if err != nil || len(c.HTTP.Tokens) != 1 || fmt.Sprint(c.HTTP.Tokens[0].Token) != "***" {
		t.Errorf("good token: %v %+v", err, c)
	}
}

func TestListOverlaysPreset(t *testing.T) {
	c, err := Parse("o.yml", []byte("sources:\n  - id: gz\n    preset: guizhou-szfwj\n    base_url: http://127.0.0.1:8090/guizhou\n    list: {urls: [/zwgk/zcfg/szfwj/qff/], pages: 5}\n"))
	if err != nil {
		t.Fatal(err)
	}
	l := c.Sources[0].Resolved.List
	p := Presets()["guizhou-szfwj"].List
	if len(l.URLs) != 1 || l.Pages != 5 || l.Item != p.Item || l.Link != p.Link || l.LinkPattern != p.LinkPattern {
		t.Errorf("overlay = %+v", l)
	}
}

func TestFeedSource(t *testing.T) {
	c, err := Parse("f.yml", []byte("sources:\n  - id: dept\n    preset: feed\n    base_url: https://sthj.example.gov.cn\n    list: {urls: [/rss.xml]}\n    detail: {body: [\"#content\"]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Sources[0].Resolved.List.Kind; got != "feed" {
		t.Errorf("kind = %q", got)
	}
}

func TestIgnoreRobotsNeedsAReason(t *testing.T) {
	for _, v := range []string{"true", "yes", "ok"} {
		_, err := Parse("r.yml", []byte("sources:\n  - {id: g, preset: govcn-zuixin, ignore_robots: "+v+"}\n"))
		if err == nil || !strings.Contains(err.Error(), "sources[0].ignore_robots") {
			t.Errorf("ignore_robots: %s: err = %v", v, err)
		}
	}
	c, err := Parse("r.yml", []byte("sources:\n  - {id: g, preset: govcn-zuixin, ignore_robots: 经网站主办单位书面同意（2026-10-08 函）}\n"))
	if err != nil || c.Sources[0].IgnoreRobots == "" {
		t.Errorf("a stated reason: %v", err)
	}
}
