package archive_test

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"testing"

	"github.com/gyeco/syndicator/sinks/archive"
	"github.com/gyeco/syndicator/sinks/blob"
	"github.com/gyeco/syndicator/syndicator"
	"github.com/rs/zerolog"
)

// jsonEscape is a \uXXXX escape in JSON text.
var jsonEscape = regexp.MustCompile(`\\u[0-9a-fA-F]{4}`)

// TestJSONFilesHoldTheTextAsIs: item.json carried the body HTML as
// \u003cp\u003e… (json.Marshal escapes <, > and &), so the archived record
// did not read as the text it keeps. item.json and response.json now hold
// the characters themselves: the HTML as written, Chinese as UTF-8, no
// \uXXXX escape at all — and still decode to the same values.
func TestJSONFilesHoldTheTextAsIs(t *testing.T) {
	e := newEnv(t)
	c := e.discovered(t, "t20260901_8.html")
	c.ev.Item.Title = "关于<规范>行政执法“三项制度”的通知 & 解读"
	c.ev.Item.BodyHTML = `<p class="zw">各市（州）人民政府：</p><p><a href="/x?a=1&amp;b=2">附件</a></p>`
	c.ev.Capture.Header["Content-Disposition"] = []string{`inline; filename="通知<1>.html"`}
	if err := e.handle(c.ev); err != nil {
		t.Fatalf("Handle: %v", err)
	}
	prefix := c.ev.Item.ArchivePrefix()
	item := e.get(t, prefix+"item.json")
	for _, want := range []string{
		`"title": "关于<规范>行政执法“三项制度”的通知 & 解读"`,
		`"body_html": "<p class=\"zw\">各市（州）人民政府：</p><p><a href=\"/x?a=1&amp;b=2\">附件</a></p>"`,
		`"doc_number": "黔府发〔2026〕3号"`,
	} {
		if !bytes.Contains(item, []byte(want)) {
			t.Errorf("item.json lacks %s:\n%s", want, item)
		}
	}
	resp := e.get(t, prefix+"response.json")
	if !bytes.Contains(resp, []byte(`filename=\"通知<1>.html\"`)) {
		t.Errorf("response.json lacks the header as written:\n%s", resp)
	}
	for name, data := range map[string][]byte{"item.json": item, "response.json": resp} {
		if m := jsonEscape.FindAll(data, 3); m != nil {
			t.Errorf("%s has \\u escapes %q", name, m)
		}
		if !bytes.HasSuffix(data, []byte("}\n")) {
			t.Errorf("%s does not end with a newline", name)
		}
	}
	var it syndicator.Item
	if err := json.Unmarshal(item, &it); err != nil {
		t.Fatal(err)
	}
	if it.Title != c.ev.Item.Title || it.BodyHTML != c.ev.Item.BodyHTML {
		t.Errorf("item.json decodes to title %q body %q", it.Title, it.BodyHTML)
	}
}

// TestRedeliveryOverOlderEscapedJSON: a revision archived by an older
// build has item.json and response.json with \u003c escapes. Its
// redelivery encodes the same values differently; that is the same record,
// not a conflict, and the stored bytes are kept.
func TestRedeliveryOverOlderEscapedJSON(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.discovered(t, "t20260901_9.html")
	if err := e.handle(c.ev); err != nil {
		t.Fatalf("Handle: %v", err)
	}
	prefix := c.ev.Item.ArchivePrefix()

	// The same revision as an older build wrote it, in a fresh store.
	old := newEnvSharing(t, e)
	for _, name := range []string{"item.json", "response.json"} {
		var v any
		if err := json.Unmarshal(e.get(t, prefix+name), &v); err != nil {
			t.Fatal(err)
		}
		escaped, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if name == "item.json" && !bytes.Contains(escaped, []byte(`\u003c`)) {
			t.Fatalf("old-style item.json has no escapes: %s", escaped)
		}
		if _, err := old.store.PutNew(context.Background(), prefix+name, escaped, "application/json"); err != nil {
			t.Fatal(err)
		}
		defer func(name string, want []byte) {
			if got := old.get(t, prefix+name); !bytes.Equal(got, want) {
				t.Errorf("redelivery rewrote the stored %s", name)
			}
		}(name, escaped)
	}
	e.claim(t, c) // the first handling took them away
	if err := old.handle(c.ev); err != nil {
		t.Fatalf("redelivery over old-style JSON: %v", err)
	}

	// A stored item.json with other values is still a conflict.
	other := newEnvSharing(t, e)
	if _, err := other.store.PutNew(context.Background(), prefix+"item.json", []byte(`{"id": "another"}`), "application/json"); err != nil {
		t.Fatal(err)
	}
	e.claim(t, c)
	if err := other.handle(c.ev); err == nil {
		t.Error("a different stored item.json was accepted")
	}
}

// newEnvSharing is an env on e's bus (and so its claims) with a store of
// its own.
func newEnvSharing(t *testing.T, e *env) *env {
	store := blob.NewFS(t.TempDir())
	return &env{bus: e.bus, store: store, sink: archive.New(store, e.bus, e.bus, zerolog.Nop())}
}
