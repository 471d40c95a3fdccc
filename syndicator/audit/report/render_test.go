package report

import (
	"strings"
	"testing"
	"time"

	"github.com/gyeco/syndicator/syndicator"
	"github.com/gyeco/syndicator/syndicator/audit"
)

// TestRenderReturnsErrors: a report JSON cannot hold is an error of
// Render, not a panic; so is a format there is none of.
func TestRenderReturnsErrors(t *testing.T) {
	r := audit.Report{To: time.Date(10000, 1, 1, 0, 0, 0, 0, syndicator.Shanghai)}
	if data, _, err := Render(nil, r, "json", Names{}); err == nil || data != nil || !strings.Contains(err.Error(), "生成报告失败") {
		t.Errorf("year 10000 as JSON: %d bytes, err %v", len(data), err)
	}
	if _, _, err := Render(nil, audit.Report{}, "pdf", Names{}); err == nil || !strings.Contains(err.Error(), "html、csv、json") {
		t.Errorf("format pdf: err %v", err)
	}
}
