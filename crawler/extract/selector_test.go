package extract

import "testing"

// TestSubjectTag: the tag a selector's matches must have, or "" where
// the selector is not of the plain forms read (then every element is
// given to cascadia).
func TestSubjectTag(t *testing.T) {
	for css, want := range map[string]string{
		"table.bd1":                              "table",
		"div.policyLibraryOverview_header table": "table",
		"meta[name=firstpublishedtime]":          "meta",
		"meta[ name = PubDate ]":                 "meta",
		"UL.NewsList > LI":                       "li",
		"h1#ti":                                  "h1",
		"div.a + p.b":                            "p",
		"h2 ~ h3":                                "h3",
		"#UCAP-CONTENT":                          "",
		".trs_editor_view":                       "",
		"div [data-x]":                           "",
		"ul.NewsList li, div.right-cont ul li":   "",
		"p:first-child":                          "",
		`a[title="x y"]`:                         "",
		"*":                                      "",
		"div[":                                   "",
		"xé.a":                                   "",
	} {
		if got := subjectTag(css); got != want {
			t.Errorf("subjectTag(%q) = %q, want %q", css, got, want)
		}
	}
}
