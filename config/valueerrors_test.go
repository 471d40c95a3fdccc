package config

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestValueErrorsNameKeyAndLine: a wrong type or a duration without a
// proper unit was one error for the whole file ("(file): yaml: unmarshal
// errors: line 4: cannot unmarshal !!str `5 minutes` into time.Duration"),
// and an unset ${ENV} or a missing file: secret named neither key nor
// line. Each is now a Problem file:line: key: message, like an unknown key.
func TestValueErrorsNameKeyAndLine(t *testing.T) {
	tests := []struct {
		name, yml string
		line      int
		key       string
		msg       []string
	}{
		{"duration in words", "sources:\n  - id: g\n    preset: govcn-zuixin\n    interval: 5 minutes\n", 4, "sources[0].interval", []string{`"5 minutes" 不是时长`, "15m"}},
		{"duration without unit", "crawler:\n  recheck: 300\n", 2, "crawler.recheck", []string{"300 没有单位", "300s"}},
		{"duration in days", "identity: {wait_for_origin: 2d}\n", 1, "identity.wait_for_origin", []string{`"2d" 不是时长`}},
		{"int", "site:\n  name: 甲\n  page_size: abc\n", 3, "site.page_size", []string{`"abc" 不是整数`}},
		{"float", "crawler:\n  per_host_rps: fast\n", 2, "crawler.per_host_rps", []string{`"fast" 不是数字`}},
		{"float given a list", "crawler:\n  per_host_rps: [1]\n", 2, "crawler.per_host_rps", []string{"应为数字，而不是列表"}},
		{"bool", "archive:\n  s3:\n    secure: maybe\n", 3, "archive.s3.secure", []string{`"maybe" 不是布尔值（true 或 false）`}},
		{"string given a mapping", "site:\n  base_url: {a: b}\n", 2, "site.base_url", []string{"应为一个字符串，而不是键值映射"}},
		{"in a list", "sources:\n  - {id: a, preset: govcn-zuixin}\n  - id: b\n    preset: govcn-zuixin\n    jitter: soon\n", 5, "sources[1].jitter", []string{`"soon" 不是时长`}},
		{"unset env secret", "webhook:\n  url: https://cms.example.cn/api\n  secret: ${SYND_TEST_SURELY_UNSET}\n", 3, "webhook.secret", []string{"环境变量 SYND_TEST_SURELY_UNSET 未设置"}},
		{"unset env token", "http:\n  tokens:\n    - name: 甲\n      role: operator\n      token: ${SYND_TEST_SURELY_UNSET}\n", 5, "http.tokens[0].token", []string{"SYND_TEST_SURELY_UNSET 未设置"}},
		{"missing secret file", "webhook:\n  url: https://cms.example.cn/api\n  secret: file:nope.secret\n", 3, "webhook.secret", []string{"密钥文件", "nope.secret", "不存在"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "c.yml")
			_, err := Parse(file, []byte(tt.yml))
			problemAt(t, err, file, tt.line, tt.key, tt.msg...)
		})
	}
}

// TestValueErrorsAllReported: every bad value, and unknown keys, in one
// run, in line order.
func TestValueErrorsAllReported(t *testing.T) {
	yml := "site:\n  page_size: abc\n  colour: red\ncrawler:\n  recheck: 3 days\nwebhook: {url: https://cms.example.cn/api, secret: \"${SYND_TEST_SURELY_UNSET}\"}\n"
	_, err := Parse("c.yml", []byte(yml))
	var probs Problems
	if !errors.As(err, &probs) {
		t.Fatalf("err = %v, want Problems", err)
	}
	var got []string
	for _, p := range probs {
		got = append(got, fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Key))
	}
	want := []string{"c.yml:2: site.page_size", "c.yml:3: site.colour", "c.yml:5: crawler.recheck", "c.yml:6: webhook.secret"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("problems:\n%v\nwant %q", err, want)
	}
}

// TestGoodValuesStillDecode: the value check refuses nothing valid.
func TestGoodValuesStillDecode(t *testing.T) {
	t.Setenv("SYND_TEST_HOOK", "hook-secret-long-enough")
	c, err := Parse("c.yml", []byte("site: {page_size: 7, base_url: ~}\ncrawler: {recheck: 1h30m, per_host_rps: 2}\nwebhook: {url: https://cms.example.cn/api, secret: \"${SYND_TEST_HOOK}\", timeout: 5s}\nsources:\n  - {id: g, preset: govcn-zuixin, interval: 5m}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Site.PageSize != 7 || c.Crawler.Recheck.String() != "1h30m0s" || c.Webhook.Secret.Value() != "hook-secret-long-enough" || c.Sources[0].Interval.String() != "5m0s" {
		t.Errorf("decoded %+v %+v %+v", c.Site, c.Crawler, c.Sources[0])
	}
}
