package extract

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/syndicator"
)

func TestNormLabel(t *testing.T) {
	for in, want := range map[string]string{
		"标　　题：":             "标题",
		"索\u00a0引\u00a0号:":  "索引号",
		"索 引 号﹕":            "索引号",
		"\u200b发文字号：\ufeff": "发文字号",
		"有 效 性:":            "有效性",
		"":                  "",
	} {
		if got := NormLabel(in); got != want {
			t.Errorf("NormLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSplitPairs(t *testing.T) {
	known := newLabels(nil).known
	tests := []struct {
		in   string
		want []pair
	}{
		{"索　引　号：000014349/2017-00110", []pair{{"索引号", "000014349/2017-00110"}}},
		{"发布时间：2025-10-21 10:30 来源：省人民政府办公厅 字号：[ 大 中 小 ]",
			[]pair{{"发布时间", "2025-10-21 10:30"}, {"来源", "省人民政府办公厅"}, {"字号", "[ 大 中 小 ]"}}},
		{"发布机构:省人民政府办公厅", []pair{{"发布机构", "省人民政府办公厅"}}},
		{"有 效 性:有效", []pair{{"有效性", "有效"}}},
		{"成文日期：2017年05月15日发布日期：2017年06月08日", []pair{{"成文日期", "2017年05月15日"}, {"发布日期", "2017年06月08日"}}},
		{"标　　题：关于某某的通知：补充", []pair{{"标题", "关于某某的通知：补充"}}},
		{"前言文字 索引号：x", []pair{{"索引号", "x"}}},
		{"2026-09-11 17:00 来源：新华社 【字体：大 中 小】", []pair{{"来源", "新华社"}, {"字体", "大 中 小】"}}},
		{"来源：国务院办公厅 | 发布时间：2026-09-11", []pair{{"来源", "国务院办公厅"}, {"发布时间", "2026-09-11"}}},
		// Element boundaries (elemMark, from metaLines) separate an unknown
		// label from the value before it and vanish from values.
		{"2026-08-20 17:30\ue000来源：中国政府网\ue000\ue000字号：\ue000默认\ue000\ue000",
			[]pair{{"来源", "中国政府网"}, {"字号", "默认"}}},
		{"发布机构：\ue000贵州省\ue000\ue000人民政府\ue000", []pair{{"发布机构", "贵州省人民政府"}}},
		{"\ue000标\ue000\ue000题\ue000：x", []pair{{"标题", "x"}}},
		{"来源：新华社字号：默认", []pair{{"来源", "新华社字号：默认"}}}, // without the mark nothing tells them apart
		{"没有冒号", nil},
		{"10:30", nil},
		{"：值", nil},
	}
	for _, tc := range tests {
		got := splitPairs(tc.in, known)
		if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(pair{})); diff != "" {
			t.Errorf("splitPairs(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestLabelsMerge(t *testing.T) {
	l := newLabels(map[string]string{"名　　称": "title", "来源": "", "文号": "doc_number"})
	tests := []struct {
		label    string
		field    string
		fallback bool
		ok       bool
	}{
		{"名称", "title", false, true},
		{"来源", "", false, false},
		{"文号", "doc_number", false, true}, // promoted from fallback by the rule
		{"发布机构", "issuer", true, true},
		{"索引号", "index_number", false, true},
		{"主题词", "", false, false},
	}
	for _, tc := range tests {
		f, fb, ok := l.field(tc.label)
		if f != tc.field || fb != tc.fallback || ok != tc.ok {
			t.Errorf("field(%q) = %q, %v, %v; want %q, %v, %v", tc.label, f, fb, ok, tc.field, tc.fallback, tc.ok)
		}
	}
}

func TestParseValidity(t *testing.T) {
	for in, want := range map[string]syndicator.Validity{
		"有效":    syndicator.ValidityEffective,
		" 有 效 ": syndicator.ValidityEffective,
		"现行有效":  syndicator.ValidityEffective,
		"已修改":   syndicator.ValidityAmended,
		"已修订":   syndicator.ValidityAmended,
		"已废止":   syndicator.ValidityRepealed,
		"已失效":   syndicator.ValidityExpired,
		"失效":    syndicator.ValidityExpired,
		"有效期5年": syndicator.ValidityUnknown,
		"":      syndicator.ValidityUnknown,
		"不详":    syndicator.ValidityUnknown,
	} {
		if got := ParseValidity(in); got != want {
			t.Errorf("ParseValidity(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMetadataPrecedence(t *testing.T) {
	page := `<div class="m"><ul>
<li>发布机构：某某局</li>
<li>发文机关：国务院办公厅</li>
<li>生成日期：2025-01-01</li>
<li>成文日期：<script>document.write("2025-02-02")</script></li>
<li>主题分类：{$subject}</li>
<li>主题分类：主题分类\综合政务</li>
</ul></div>`
	p, err := Detail([]byte(page), "", mustURL(t, "https://x.gov.cn/a.html"), config.DetailRule{MetaLists: []string{"div.m"}})
	if err != nil {
		t.Fatal(err)
	}
	// 发文机关 beats an earlier 发布机构; the scripted 成文日期 is empty so 生成日期 stays;
	// the template placeholder is discarded as code.
	if p.Issuer != "国务院办公厅" || p.WrittenAt != "2025-01-01" || p.Subject != `综合政务` {
		t.Errorf("issuer %q, written %q, subject %q", p.Issuer, p.WrittenAt, p.Subject)
	}
}
