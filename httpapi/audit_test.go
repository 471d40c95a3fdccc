package httpapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/syndicator/readmodel/readmodeltest"
)

// TestAPIAuditReportBadPeriod: GET /api/v1/audit/report?to=9999-12-31
// dropped the connection with a stack trace; it is a 400 naming the
// allowed days, and the widest allowed period renders in every format.
func TestAPIAuditReportBadPeriod(t *testing.T) {
	cfg, err := config.Load("")
	if err != nil {
		t.Fatal(err)
	}
	index, ends := readmodeltest.Ledger(t, nil)
	s := &Server{index: index, streams: ends, started: cfg, reports: testReports(t)}
	get := func(query string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		s.apiAuditReport(rec, httptest.NewRequest(http.MethodGet, "/api/v1/audit/report?"+query, nil))
		return rec
	}
	rec := get("to=9999-12-31")
	var body struct{ Error string }
	if err := json.Unmarshal(rec.Body.Bytes(), &body); rec.Code != http.StatusBadRequest || err != nil || !strings.Contains(body.Error, "2100-12-31") {
		t.Errorf("to=9999-12-31: %d %s", rec.Code, rec.Body)
	}
	for _, format := range []string{"json", "csv", "html"} {
		if rec := get("from=2000-01-01&to=2100-12-31&format=" + format); rec.Code != http.StatusOK || rec.Body.Len() == 0 {
			t.Errorf("%s over 2000..2100: %d %s", format, rec.Code, rec.Body)
		}
	}
}
