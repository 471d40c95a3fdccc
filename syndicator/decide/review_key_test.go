package decide

import (
	"strings"
	"testing"

	"github.com/gyeco/syndicator/syndicator"
)

func TestIsReviewKey(t *testing.T) {
	id := syndicator.ItemID("https://www.gov.cn/zhengce/content/1.htm")
	for _, good := range []string{reviewKey(id, "relevance"), reviewKey(id, kindGone)} {
		if !IsReviewKey(good) {
			t.Errorf("IsReviewKey(%q) = false for a key reviewKey made", good)
		}
	}
	for _, bad := range []string{"", id + ".", id + ".gone.gone", id + ".other", "x" + id, id[:31] + ".gone", strings.Repeat("a", 5000), ">", id + ".>"} {
		if IsReviewKey(bad) {
			t.Errorf("IsReviewKey(%.40q) = true", bad)
		}
	}
}
