package render

import "testing"

func TestRelPath(t *testing.T) {
	tests := []struct{ from, to, want string }{
		{"index.html", "zcwj/index.html", "zcwj/index.html"},
		{"index.html", "style.css", "style.css"},
		{"zcwj/index.html", "zcwj/202609/t20260911_x.html", "202609/t20260911_x.html"},
		{"zcwj/index_2.html", "zcwj/index_1.html", "index_1.html"},
		{"zcwj/index.html", "index.html", "../index.html"},
		{"zcwj/index.html", "stdt/index.html", "../stdt/index.html"},
		{"zcwj/202609/t20260911_x.html", "zcwj/index.html", "../index.html"},
		{"zcwj/202609/t20260911_x.html", "index.html", "../../index.html"},
		{"zcwj/202609/t20260911_x.html", "zcwj/202609/t20260912_y.html", "t20260912_y.html"},
		{"zcwj/202609/t20260911_x.html", "attachments/ab.pdf", "../../attachments/ab.pdf"},
	}
	for _, tt := range tests {
		if got := relPath(tt.from, tt.to); got != tt.want {
			t.Errorf("relPath(%q, %q) = %q, want %q", tt.from, tt.to, got, tt.want)
		}
	}
}

func TestLinkFrom(t *testing.T) {
	const from = "zcwj/202609/t20260911_x.html"
	tests := []struct {
		href, want string
		ok         bool
	}{
		{"attachments/ab.pdf", "../../attachments/ab.pdf", true},
		{"./attachments/a%20b.pdf", "../../attachments/a%20b.pdf", true},
		{"attachments/a:b.pdf", "../../attachments/a:b.pdf", true},
		{"att:x.pdf", "", false},
		{"https://www.gov.cn/P0.pdf", "https://www.gov.cn/P0.pdf", true},
		{"/attachments/ab.pdf", "", false},
		{"../ab.pdf", "", false},
		{"attachments/../../ab.pdf", "", false},
		{"javascript:alert(1)", "", false},
		{"//evil.example/x.pdf", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, err := linkFrom(from, tt.href)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("linkFrom(%q) = %q, %v; want %q, ok %v", tt.href, got, err, tt.want, tt.ok)
		}
	}
}

func TestSummary(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"一 二\n\t三", 10, "一 二 三"},
		{"生态环境分区管控", 4, "生态环境…"},
		{"", 4, ""},
	}
	for _, tt := range tests {
		if got := summary(tt.in, tt.n); got != tt.want {
			t.Errorf("summary(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
