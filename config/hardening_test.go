package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// problemAt fails unless err is Problems with one at key on file:line
// whose message holds every one of msgs.
func problemAt(t *testing.T, err error, file string, line int, key string, msgs ...string) {
	t.Helper()
	var probs Problems
	if !errors.As(err, &probs) {
		t.Fatalf("error = %v, want Problems", err)
	}
	where := fmt.Sprintf("%s:%d: ", file, line)
	if line == 0 {
		where = file + ": " // no line to name: the whole file
	}
	for _, p := range probs {
		if p.Key == key && p.Line == line && strings.HasPrefix(p.Error(), where) && containsAll(p.Msg, msgs) {
			return
		}
	}
	t.Errorf("no problem at %s:%d %s with %q; got:\n%v", file, line, key, msgs, err)
}

// TestNumbersThatMeanNothingAreRefused: negative sizes, durations and
// rates were replaced by the defaults without a word, and so was a 0
// written out. Each is now a problem naming file:line and the key.
func TestNumbersThatMeanNothingAreRefused(t *testing.T) {
	const src = "sources:\n  - id: g\n    preset: govcn-zuixin\n"
	tests := []struct {
		yml  string
		line int
		key  string
		msg  string
	}{
		{"site:\n  page_size: -5\n", 2, "site.page_size", "须为正整数"},
		{"site: {page_size: 0}\n", 1, "site.page_size", "须为正整数"},
		{"crawler:\n  per_host_rps: -1\n", 2, "crawler.per_host_rps", "大于 0"},
		{"crawler:\n  per_host_rps: 0\n", 2, "crawler.per_host_rps", "大于 0"},
		{"crawler:\n  per_host_rps: .nan\n", 2, "crawler.per_host_rps", "大于 0"},
		{"crawler:\n  per_host_rps: -.inf\n", 2, "crawler.per_host_rps", "大于 0"},
		{"crawler:\n  max_body_bytes: -1\n", 2, "crawler.max_body_bytes", "须为正整数"},
		{"crawler:\n  max_attachment_bytes: 0\n", 2, "crawler.max_attachment_bytes", "须为正整数"},
		{"crawler:\n  timeout: -30s\n", 2, "crawler.timeout", "正的时长"},
		{"crawler:\n  recheck: 0s\n", 2, "crawler.recheck", "正的时长"},
		{"crawler:\n  missing_share: -0.1\n", 2, "crawler.missing_share", "大于 0"},
		{"crawler:\n  missing_share: 0\n", 2, "crawler.missing_share", "大于 0"},
		{"archive:\n  anchor_every: -1h\n", 2, "archive.anchor_every", "正的时长"},
		{"webhook:\n  timeout: -1s\n", 2, "webhook.timeout", "正的时长"},
		{"identity:\n  wait_for_origin: -2h\n", 2, "identity.wait_for_origin", "正的时长"},
		{"http:\n  max_conns_per_client: 0\n", 2, "http.max_conns_per_client", "不限"},
		{"http:\n  max_conns_per_client: -2\n", 2, "http.max_conns_per_client", "不限"},
		{"nats:\n  port: -1\n", 2, "nats.port", "1..65535"},
		{"nats:\n  ack_wait: 0s\n", 2, "nats.ack_wait", "正的时长"},
		{"nats:\n  ack_wait: 500ms\n", 2, "nats.ack_wait", "至少 1s"},
		{"nats:\n  port: 70000\n", 2, "nats.port", "1..65535"},
		{"nats:\n  replicas: 0\n", 2, "nats.replicas", "须为正整数"},
		{"nats:\n  url: nats://a:4222\n  replicas: 7\n", 3, "nats.replicas", "最多 5"},
		{"nats:\n  replicas: 3\n", 2, "nats.replicas", "内嵌的 NATS 只有一个节点"},
		{"archive:\n  s3:\n    object_lock_days: -1\n", 3, "archive.s3.object_lock_days", "不锁定"},
		{"site:\n  s3: {object_lock_days: -7}\n", 2, "site.s3.object_lock_days", "不锁定"},
		{src + "    interval: -15m\n", 4, "sources[0].interval", "正的时长"},
		{src + "    jitter: -1s\n", 4, "sources[0].jitter", "正的时长"},
		{src + "    jitter: 0s\n", 4, "sources[0].jitter", "正的时长"},
		{"sla:\n  timely: {hours: 0}\n", 2, "sla.timely.hours", "须为正数"},
		{"sla:\n  review:\n    working_days: 0\n", 3, "sla.review.working_days", "须为正数"},
		{"sla:\n  stale_column_days: 0\n", 2, "sla.stale_column_days", "须为正数"},
		{"sla:\n  sync: {municipal_hours: 0}\n", 2, "sla.sync.municipal_hours", "须为正数"},
		{"sla:\n  timely: {hours: 1e300}\n", 2, "sla.timely.hours", "8784 小时"},
		{"sla:\n  sync: {working_days: 9223372036854775807}\n", 2, "sla.sync.working_days", "366 个工作日"},
		{"sla:\n  sync: {municipal_hours: 100000}\n", 2, "sla.sync.municipal_hours", "8784 小时"},
	}
	for _, tt := range tests {
		t.Run(tt.key+" "+strings.TrimSpace(tt.yml[strings.LastIndex(tt.yml, ":")+1:]), func(t *testing.T) {
			_, err := Parse("n.yml", []byte(tt.yml))
			problemAt(t, err, "n.yml", tt.line, tt.key, tt.msg)
		})
	}
}

// TestNumbersThatMeanSomethingPass: 0 where it is documented (the
// embedded server's port, no object lock), the largest share and limits,
// and an unhurried rate stay valid.
func TestNumbersThatMeanSomethingPass(t *testing.T) {
	c, err := Parse("ok.yml", []byte(`nats: {port: 0}
http: {max_conns_per_client: -1}
archive: {s3: {object_lock_days: 0}}
crawler: {per_host_rps: 0.05, missing_share: 1, timeout: 5s}
site: {page_size: 1}
sla: {timely: {hours: 8784}, sync: {working_days: 366, municipal_hours: 0.5}, review: {hours: 0.25}, stale_column_days: 1}
sources:
  - {id: g, preset: govcn-zuixin, interval: 1m, jitter: 1s}
`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Crawler.PerHostRPS != 0.05 || c.Crawler.MissingShare != 1 || c.Site.PageSize != 1 || c.Sources[0].Jitter != time.Second ||
		c.SLA.Sync.WorkingDays != 366 || c.Crawler.MaxBodyBytes != 20<<20 || c.HTTP.MaxConnsPerClient != -1 {
		t.Errorf("values changed: %+v %+v %+v", c.Crawler, c.Site, c.SLA)
	}
}

// TestFileHoldsOneMapping: an empty file, one of comments only, a null
// document and a second document were read as the built-in defaults (or,
// for the empty file, as "not valid YAML: EOF").
func TestFileHoldsOneMapping(t *testing.T) {
	tests := []struct {
		name, yml string
		line      int
		msg       string
	}{
		{"empty", "", 1, "文件为空"},
		{"blank lines", "\n\n  \n", 1, "文件为空"},
		{"comments", "# 配置\n# 待写\n", 1, "文件为空"},
		{"tilde", "~\n", 1, "没有配置项"},
		{"null", "# c\nnull\n", 2, "没有配置项"},
		{"separator only", "---\n", 2, "没有配置项"},
		{"second document", "site: {name: 甲}\n---\nsite: {name: 乙}\n", 2, "第二个 YAML 文档"},
		{"empty second document", "site: {name: 甲}\n---\n", 2, "第二个 YAML 文档"},
		{"null second document", "site: {name: 甲}\n--- ~\n", 2, "第二个 YAML 文档"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("d.yml", []byte(tt.yml))
			problemAt(t, err, "d.yml", tt.line, "(file)", tt.msg)
		})
	}
	// One document, with the optional markers, is fine.
	if _, err := Parse("d.yml", []byte("---\nsite: {name: 甲}\n...\n")); err != nil {
		t.Errorf("one marked document: %v", err)
	}
}

// laughs is a "billion laughs" file along the paths the key checker
// walks: a condition lists fan keywords, a rule fan conditions (*c), the
// rules list fan rules (*r), and fan sources carry the rules (*s): fan^4
// nodes once the aliases are expanded, from a few kilobytes.
func laughs(fan int) string {
	var b strings.Builder
	b.WriteString("rules:\n  - &r {name: r, class: sync, when: [&c {field: title, any: [lol" + strings.Repeat(", lol", fan-1) + "]}")
	b.WriteString(strings.Repeat(", *c", fan-1) + "]}\n")
	b.WriteString(strings.Repeat("  - *r\n", fan-1))
	b.WriteString("sources:\n  - &s {id: g, preset: govcn-zuixin, rules: [*r" + strings.Repeat(", *r", fan-1) + "]}\n")
	b.WriteString(strings.Repeat("  - *s\n", fan-1))
	return b.String()
}

// TestAliasExpansionIsBounded: the key checker followed aliases without
// a limit (a 19 KB file took 44 s and 1.35 GB; this one, 13 million
// nodes, is worse). Expansion beyond maxNodes is refused at once, naming
// the alias and its line.
func TestAliasExpansionIsBounded(t *testing.T) {
	yml := laughs(60)
	start := time.Now()
	_, err := Parse("lol.yml", []byte(yml))
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Parse of %d bytes took %s", len(yml), d)
	}
	var probs Problems
	if !errors.As(err, &probs) || len(probs) != 1 {
		t.Fatalf("err = %v, want one problem", err)
	}
	p := probs[0]
	lines := strings.Split(yml, "\n")
	if p.Key != "(file)" || p.Line < 1 || p.Line > len(lines) || lines[p.Line-1] != "  - *r" ||
		!containsAll(p.Msg, []string{"别名展开过多", "*r", "100000"}) {
		t.Errorf("problem %v; want the line of a *r that overflows", p)
	}

	// Aliases used sensibly still work.
	c, err := Parse("a.yml", []byte(`sources:
  - id: a
    preset: guizhou-szfwj
    list: &list {urls: [/zwgk/zcfg/szfwj/qff/], pages: 2}
  - id: b
    preset: guizhou-szfwj
    base_url: http://127.0.0.1:8090/guizhou
    list: *list
`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Sources[1].Resolved.List.Pages != 2 {
		t.Errorf("alias not applied: %+v", c.Sources[1].Resolved.List)
	}
}

// TestTooManyNodesWithoutAliases: a plain file can also be too big to
// walk; it fails with the count, not a hang.
func TestTooManyNodesWithoutAliases(t *testing.T) {
	yml := "crawler:\n  allow_private: [" + strings.Repeat("1,", maxNodes) + "1]\n"
	_, err := Parse("big.yml", []byte(yml))
	problemAt(t, err, "big.yml", 1, "(file)", "节点过多", "100000")
}

// TestFileSizeIsCapped: a file over 1 MiB is refused by Parse, and Load
// reads no more than one byte past the cap (a config path pointing at an
// endless file such as /dev/zero returns instead of filling memory).
func TestFileSizeIsCapped(t *testing.T) {
	big := "# " + strings.Repeat("x", maxFileBytes) + "\nsite: {name: 甲}\n"
	_, err := Parse("big.yml", []byte(big))
	problemAt(t, err, "big.yml", 0, "(file)", "1 MiB")

	path := filepath.Join(t.TempDir(), "big.yml")
	if err := os.WriteFile(path, []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Load(path)
	problemAt(t, err, path, 0, "(file)", "1 MiB")

	if _, err := os.Stat("/dev/zero"); err == nil {
		done := make(chan error, 1)
		go func() { _, err := Load("/dev/zero"); done <- err }()
		select {
		case err := <-done:
			problemAt(t, err, "/dev/zero", 0, "(file)", "1 MiB")
		case <-time.After(10 * time.Second):
			t.Fatal("Load(/dev/zero) still reading after 10 s")
		}
	}
}

// TestSecretFileIsCapped: file:/dev/zero as a secret read for ever.
func TestSecretFileIsCapped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(path, make([]byte, maxSecretBytes+1), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Parse("s.yml", []byte("webhook: {url: https://cms.example.cn/api, secret: \"file:"+path+"\"}\n"))
	if err == nil || !strings.Contains(err.Error(), "64 KiB") {
		t.Errorf("oversized secret file: err = %v", err)
	}
}
