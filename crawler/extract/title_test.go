package extract

import "testing"

func TestTrimTitleSuffix(t *testing.T) {
	suffixes := []string{"国务院文件", "国务院部门文件", "国务院公报"}
	tests := []struct{ in, want string }{
		{"国务院办公厅关于2026年部分节假日安排的通知_国务院文件_中国政府网", "国务院办公厅关于2026年部分节假日安排的通知"},
		{"关于印发《…》的通知_国务院部门文件_中国政府网", "关于印发《…》的通知"},
		{"国务院关于某某的通知__2000年第1号国务院公报_中国政府网", "国务院关于某某的通知"},
		{"网络出版服务管理规定_中国政府网", "网络出版服务管理规定"},
		{"关于A_B的通知_国务院文件_中国政府网", "关于A_B的通知"},
		{"关于A_B的通知", "关于A_B的通知"},
		{"关于A_B的通知_滚动新闻_中国政府网", "关于A_B的通知_滚动新闻"},
		{"中国政府网", "中国政府网"},
		{"_中国政府网", ""},
		{"标题_ 中国政府网 ", "标题"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := TrimTitleSuffix(tc.in, suffixes); got != tc.want {
			t.Errorf("TrimTitleSuffix(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
