package report

import (
	"fmt"

	"github.com/gyeco/syndicator/syndicator/audit"
)

// ContentType is the content type of a report format: html (also ""),
// csv or json. Another format is an error naming the allowed ones, in the
// words of `audit report --format`, which the API repeats.
func ContentType(format string) (string, error) {
	switch format {
	case "", "html":
		return "text/html; charset=utf-8", nil
	case "csv":
		return "text/csv; charset=utf-8", nil
	case "json":
		return "application/json", nil
	}
	return "", fmt.Errorf("--format %q: 可选 html、csv、json", format)
}

// Render formats a report, with the names people read in place of ids
// (the HTML report shows column names), and gives its content type with
// it: `audit report` and the API's and console's downloads all render
// through here. html renders the HTML format: it is built once, not per
// report, and only the HTML format uses it. An unknown format is an error
// (ContentType's); a report the format cannot hold is returned as an
// error too, never a panic.
func Render(html *Renderer, r audit.Report, format string, names Names) ([]byte, string, error) {
	ctype, err := ContentType(format)
	if err != nil {
		return nil, "", err
	}
	var data []byte
	switch format {
	case "", "html":
		data, err = html.HTML(r, names)
	case "csv":
		data, err = CSV(r)
	case "json":
		data, err = JSON(r)
	}
	if err != nil {
		return nil, "", fmt.Errorf("生成报告失败：%w", err)
	}
	return data, ctype, nil
}
