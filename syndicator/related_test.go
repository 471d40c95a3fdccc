package syndicator

import "testing"

func TestMergeRelated(t *testing.T) {
	a := Related{Kind: RelOriginal, ID: "a", URL: "https://x.gov.cn/a.html"}
	aByURL := Related{Kind: RelOriginal, URL: "https://x.gov.cn/a.html"}
	aOtherKind := Related{Kind: RelInterpretation, ID: "a"}
	b := Related{Kind: RelOriginal, ID: "b"}
	cur := []Related{a}
	got := MergeRelated(cur, aByURL, aOtherKind, b, b)
	if len(got) != 3 || got[0] != a || got[1] != aOtherKind || got[2] != b {
		t.Fatalf("MergeRelated = %+v", got)
	}
	if len(cur) != 1 {
		t.Error("MergeRelated changed its input")
	}
	if HasRelated(got, Related{Kind: RelOriginal}) {
		t.Error("a link without id or URL matched")
	}
}
