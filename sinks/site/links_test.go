package site

import "testing"

func TestRewriteLinks(t *testing.T) {
	local := map[string]string{
		"https://www.gov.cn/a/P020.pdf": "../../attachments/ab.pdf",
		"https://www.gov.cn/a/W1.jpg":   "../../attachments/cd.jpg",
	}
	tests := []struct{ in, want string }{
		{`<p><a href="https://www.gov.cn/a/P020.pdf">附件1：方案.pdf</a></p>`, `<p><a href="../../attachments/ab.pdf">附件1：方案.pdf</a></p>`},
		{`<p><img src="https://www.gov.cn/a/W1.jpg" alt="图解"/></p>`, `<p><img src="../../attachments/cd.jpg" alt="图解"/></p>`},
		{`<p><a href="https://www.gov.cn/other.htm">相关文件</a> &amp; 正文</p>`, `<p><a href="https://www.gov.cn/other.htm">相关文件</a> &amp; 正文</p>`},
		{`<table><tr><td colspan="2">表</td></tr></table>`, `<table><tr><td colspan="2">表</td></tr></table>`},
	}
	for _, tt := range tests {
		if got := rewriteLinks(tt.in, local); got != tt.want {
			t.Errorf("rewriteLinks(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}
