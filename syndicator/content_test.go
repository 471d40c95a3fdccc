package syndicator

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"
	"unicode"
)

// contentSHA256Reference is ContentSHA256 as first written (fields split
// and joined): stored hashes were made with it, so the faster one must
// give the same bytes, or every item would look revised.
func contentSHA256Reference(it *Item) string {
	h := sha256.New()
	eachContentField(it, func(name, value string) {
		h.Write([]byte(name))
		h.Write([]byte{0})
		h.Write([]byte(strings.Join(strings.Fields(value), " ")))
		h.Write([]byte{'\n'})
	})
	return hex.EncodeToString(h.Sum(nil))
}

// TestContentSHA256Pinned pins the hash of a fixed item: the field order
// and names are part of the stored hashes too.
func TestContentSHA256Pinned(t *testing.T) {
	it := Item{Title: "国务院关于加强生态环境分区管控的意见", DocNumber: "国发〔2026〕12号", BodyText: "一、总体要求\n二、重点任务",
		PublishedAt: time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC), Attachments: []Attachment{{URL: "https://a/b.pdf", SHA256: "ab"}}}
	const want = "b1fe46e3e75f7aa894f9bc5d6d0d0066467f5e8edbe2e145c98e770d92e9e987" // as the first ContentSHA256 hashed it
	if got := ContentSHA256(&it); got != want {
		t.Errorf("ContentSHA256 = %s, want %s: a change here makes every stored item look revised", got, want)
	}
}

func TestContentSHA256MatchesTheStoredHashes(t *testing.T) {
	at := time.Date(2026, 9, 1, 10, 0, 0, 0, Shanghai)
	for _, it := range []Item{
		{},
		{Title: "国务院关于加强生态环境分区管控的意见", DocNumber: "国发〔2026〕12号", PublishedAt: at, Validity: ValidityEffective,
			BodyText: "  各省、自治区、直辖市人民政府：\n\n\t为加强……\u3000\u3000现提出如下意见。\u00a0一、总体要求\r\n", Attachments: []Attachment{{URL: "https://a/b.pdf", SHA256: "ab"}}},
		{Title: " \n ", BodyText: strings.Repeat("第一段 第二段\n", 5000), Issuer: "\u2003国务院\u2003办公厅\u2003"},
		{BodyText: "\x85x\u2028y\u2029z\v\f"},
	} {
		if got, want := ContentSHA256(&it), contentSHA256Reference(&it); got != want {
			t.Errorf("ContentSHA256(%.40q…) = %s, the stored form gives %s", it.BodyText, got, want)
		}
	}
}

func FuzzContentSHA256(f *testing.F) {
	f.Add("标题", "正文\u3000第二句", "https://a/b.pdf")
	f.Add("", " \t\n", "")
	f.Fuzz(func(t *testing.T, title, body, att string) {
		it := Item{Title: title, BodyText: body, Attachments: []Attachment{{URL: att}}}
		if got, want := ContentSHA256(&it), contentSHA256Reference(&it); got != want {
			t.Fatalf("ContentSHA256 differs from the stored form for title %q body %q", title, body)
		}
	})
}

func BenchmarkContentSHA256(b *testing.B) {
	it := Item{Title: "国务院关于加强生态环境分区管控的意见", BodyText: strings.Repeat("为加强生态环境分区管控，推动高质量发展和高水平保护，现提出如下意见。\n", 800)}
	b.ReportAllocs()
	for b.Loop() {
		ContentSHA256(&it)
	}
}

func BenchmarkContentSHA256Reference(b *testing.B) {
	it := Item{Title: "国务院关于加强生态环境分区管控的意见", BodyText: strings.Repeat("为加强生态环境分区管控，推动高质量发展和高水平保护，现提出如下意见。\n", 800)}
	b.ReportAllocs()
	for b.Loop() {
		contentSHA256Reference(&it)
	}
}

func FuzzAppendWords(f *testing.F) {
	f.Add("  正文\u3000第二句\u00a0x\xe2\x80 \xc2\x85y\u2028")
	f.Add("\xe4\xe2\x80\x80z\xc2")
	// Runs longer than eight bytes, for the eight-byte test.
	f.Add("一二三四五六七八九十\u3000一二三四五六七八九十\u2028一二三四。五六七八九十 abcdefghijkl\u00a0一二三四五六七八\u205f九十\u1680")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(AppendWords([]byte("p"), s)), "p"+strings.Join(strings.Fields(s), " "); got != want {
			t.Fatalf("AppendWords(%q) = %q, want %q", s, got, want)
		}
	})
}

// TestLeadSpaceIsUnicodeSpace checks the byte comparisons of leadSpace
// against unicode.IsSpace for every rune above ASCII, alone and followed
// by a CJK character, and truncated encodings of the white space ones.
func TestLeadSpaceIsUnicodeSpace(t *testing.T) {
	for r := rune(0x80); r <= unicode.MaxRune; r++ {
		s := string(r)
		want := 0
		if unicode.IsSpace(r) {
			want = len(s)
			for i := 1; i < len(s); i++ {
				if n := leadSpace(s[:i]); n != 0 {
					t.Fatalf("leadSpace(%q) = %d, want 0", s[:i], n)
				}
			}
		}
		if got := leadSpace(s); got != want {
			t.Fatalf("leadSpace(%q) (U+%04X) = %d, want %d", s, r, got, want)
		}
		if got := leadSpace(s + "文"); got != want {
			t.Fatalf("leadSpace(%q) = %d, want %d", s+"文", got, want)
		}
		if want != 0 && byteClass[s[0]] != classLead {
			t.Fatalf("U+%04X: its lead byte %#x is not classLead", r, s[0])
		}
	}
}

// TestMayStartSpace checks the eight-byte test against the bytes it
// stands for, each byte value at each position among word bytes.
func TestMayStartSpace(t *testing.T) {
	for b := 0; b < 256; b++ {
		want := b < 0x21 || b == 0xC2 || b >= 0xE0 && b <= 0xE3
		for pos := range 8 {
			buf := []byte("文字文字"[:8])
			buf[pos] = byte(b)
			if got := mayStartSpace(string(buf)); got != want {
				t.Fatalf("mayStartSpace with %#x at %d = %v, want %v", b, pos, got, want)
			}
		}
	}
}
