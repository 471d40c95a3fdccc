package record

import "testing"

func TestBodyDigestIgnoresWhiteSpaceOnly(t *testing.T) {
	a, na := BodyDigest("一、总体要求\n 坚持　问题导向\u00a0。")
	b, nb := BodyDigest("一、总体要求坚持问题导向。")
	c, _ := BodyDigest("一、总体要求坚持问题导向")
	if a != b || na != nb || na != 13 {
		t.Errorf("digests %s/%d and %s/%d, want equal with 13 runes", a, na, b, nb)
	}
	if a == c {
		t.Error("a dropped character went unseen")
	}
}

func TestCheckFindsEveryKindOfDifference(t *testing.T) {
	truth := []Record{
		{URL: "/a.htm", Title: "甲", Published: "2026-11-30T18:00:00+08:00"},
		{URL: "/b.htm", Title: "乙"},
		{URL: "/c.htm", Title: "丙"},
	}
	got := []Record{
		{URL: "http://127.0.0.1:9/a.htm", Title: "甲", Published: "2026-11-30T10:00:00Z"}, // same instant
		{URL: "http://127.0.0.1:9/b.htm", Title: "乙乙"},
		{URL: "http://127.0.0.1:9/b.htm", Title: "乙"},
		{URL: "http://127.0.0.1:9/x.htm"},
	}
	problems, n := Check(truth, got, 0)
	if n != 4 { // b's title, b twice, x unknown, c missing
		t.Fatalf("%d problems, want 4: %q", n, problems)
	}
	if _, n := Check(truth, truth, 0); n != 0 {
		t.Errorf("the truth differs from itself in %d places", n)
	}
}
