package extract

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

func TestDecode(t *testing.T) {
	const zh = "国务院办公厅关于印发政府网站发展指引的通知 吉𠮷"
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(zh)
	if err != nil {
		t.Fatal(err)
	}
	big5, err := traditionalchinese.Big5.NewEncoder().String("國務院辦公廳")
	if err != nil {
		t.Fatal(err)
	}
	longASCIIHead := "<html><head>" + strings.Repeat("<script>var a = 1;</script>\n", 60) + "</head><body>"
	tests := []struct {
		name, body, contentType string
		want, wantCharset       string
	}{
		{"utf-8 header", zh, "text/html; charset=utf-8", zh, "utf-8"},
		{"utf-8 sniffed", zh, "", zh, "utf-8"},
		{"utf-8 bom beats header", "\xEF\xBB\xBF" + zh, "text/html; charset=gbk", zh, "utf-8"},
		{"gbk header means gb18030", gb, "text/html; charset=GBK", zh, "gb18030"},
		{"gb2312 header means gb18030", gb, "text/html; charset=gb2312", zh, "gb18030"},
		{"gb2312 meta means gb18030", `<meta charset="gb2312">` + gb, "text/html", `<meta charset="gb2312">` + zh, "gb18030"},
		{"http-equiv meta", `<meta http-equiv="Content-Type" content="text/html; charset=gbk">` + gb, "",
			`<meta http-equiv="Content-Type" content="text/html; charset=gbk">` + zh, "gb18030"},
		{"header beats meta", `<meta charset="gb2312">` + zh, "text/html; charset=utf-8", `<meta charset="gb2312">` + zh, "utf-8"},
		{"header gbk beats meta utf-8", `<meta charset="utf-8">` + gb, "text/html; charset=gbk", `<meta charset="utf-8">` + zh, "gb18030"},
		{"false utf-8 header, meta gbk", `<meta charset="gbk">` + gb, "text/html; charset=utf-8", `<meta charset="gbk">` + zh, "gb18030"},
		{"ascii head then utf-8", longASCIIHead + zh, "", longASCIIHead + zh, "utf-8"},
		{"ascii head then gb18030", longASCIIHead + gb, "", longASCIIHead + zh, "gb18030"},
		{"latin1 declared but utf-8", zh, "text/html; charset=iso-8859-1", zh, "utf-8"},
		{"big5", big5, "text/html; charset=big5", "國務院辦公廳", "big5"},
		{"empty", "", "", "", "utf-8"},
		{"xml declaration gb2312", `<?xml version="1.0" encoding="gb2312"?>` + gb, "application/rss+xml",
			`<?xml version="1.0" encoding="gb2312"?>` + zh, "gb18030"},
		{"xml declaration gbk, single quotes, leading space", "\n<?xml version='1.0' encoding = 'GBK' ?>" + gb, "",
			"\n<?xml version='1.0' encoding = 'GBK' ?>" + zh, "gb18030"},
		{"false utf-8 header, xml declaration gbk", `<?xml version="1.0" encoding="gbk"?>` + gb, "text/xml; charset=utf-8",
			`<?xml version="1.0" encoding="gbk"?>` + zh, "gb18030"},
		{"header beats xml declaration", `<?xml version="1.0" encoding="gb2312"?>` + zh, "text/xml; charset=utf-8",
			`<?xml version="1.0" encoding="gb2312"?>` + zh, "utf-8"},
		{"xml declaration without encoding", `<?xml version="1.0"?>` + zh, "", `<?xml version="1.0"?>` + zh, "utf-8"},
		{"unknown xml encoding", `<?xml version="1.0" encoding="x-none"?>` + zh, "", `<?xml version="1.0" encoding="x-none"?>` + zh, "utf-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, cs, err := Decode([]byte(tc.body), tc.contentType)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want || cs != tc.wantCharset {
				t.Errorf("Decode = %q, %q; want %q, %q", got, cs, tc.want, tc.wantCharset)
			}
		})
	}
}
