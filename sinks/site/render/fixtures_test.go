package render_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/gyeco/syndicator/sinks/site/render"
	"github.com/gyeco/syndicator/syndicator"
)

// bj is a time in Beijing.
func bj(year int, month time.Month, day, hour, minute int) time.Time {
	return time.Date(year, month, day, hour, minute, 0, 0, syndicator.Shanghai)
}

// testSite is the committee site used throughout the tests.
func testSite(base string) render.Site {
	return render.Site{
		Name:    "贵阳市生态文明委员会",
		BaseURL: base,
		Columns: []render.Column{
			{ID: "gwyzcxx", Name: "国务院重要政策信息"},
			{ID: "zcwj", Name: "政策文件"},
			{ID: "stdt", Name: "生态动态"},
		},
		Chrome: testChrome(),
		Now:    func() time.Time { return bj(2026, 9, 30, 12, 0) },
	}
}

// testChrome is the footer furniture of a government website.
func testChrome() render.Chrome {
	return render.Chrome{
		SiteCode:         "5201000047",
		ICP:              "黔ICP备05002212号-1",
		PoliceRecord:     "贵公网安备 52010302000123号",
		Sponsor:          "贵阳市生态文明委员会",
		Organizer:        "贵阳市生态文明委员会办公室",
		ConacURL:         "https://bszs.conac.cn/sitename?method=show&id=0000000000000000",
		ContactURL:       "mailto:stwm@example.gov.cn",
		AccessibilityURL: "https://www.example.gov.cn/wza/",
	}
}

func newRenderer(t *testing.T, s render.Site) *render.Renderer {
	t.Helper()
	r, err := render.New(s)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return r
}

// govcnArticle is a State Council document republished and later revised.
func govcnArticle() render.Article {
	return render.Article{
		Item: syndicator.Item{
			ID:                 "3f9a1c0d5e7b2a4c6d8e0f1a2b3c4d5e",
			Source:             "govcn-gwywj",
			Level:              syndicator.LevelNational,
			URL:                "https://www.gov.cn/zhengce/content/202609/content_7080735.htm",
			Title:              "国务院关于加强生态环境分区管控的意见",
			DocNumber:          "国发〔2026〕12号",
			IndexNumber:        "000014349/2026-00098",
			Issuer:             "国务院",
			Subject:            "环境保护",
			DocType:            "意见",
			Origin:             "国务院办公厅",
			WrittenAt:          "2026-09-08",
			PublishedAt:        bj(2026, 9, 11, 17, 0),
			PublishedPrecision: syndicator.PrecisionMinute,
			Validity:           syndicator.ValidityEffective,
			BodyHTML:           "<p>各省、自治区、直辖市人民政府，国务院各部委、各直属机构：</p>\n<p>为加强生态环境分区管控，现提出如下意见。</p>\n<p><strong>一、总体要求</strong></p>",
			BodyText:           "各省、自治区、直辖市人民政府，国务院各部委、各直属机构： 为加强生态环境分区管控，现提出如下意见。 一、总体要求",
			Revision:           2,
			FetchedAt:          bj(2026, 9, 12, 9, 0),
		},
		Column:      "gwyzcxx",
		SourceName:  "中国政府网",
		Attachments: []render.Link{{Name: "附件：重点任务分工表.pdf", Href: "attachments/9b2e5c7d.pdf"}},
		PublishedAt: bj(2026, 9, 12, 9, 30),
		Updated:     true,
	}
}

// repealedArticle is a provincial document known only to the day, since
// repealed.
func repealedArticle() render.Article {
	return render.Article{
		Item: syndicator.Item{
			ID:                 "a1b2c3d4e5f60718293a4b5c6d7e8f90",
			Source:             "guizhou-szfwj",
			Level:              syndicator.LevelProvincial,
			URL:                "https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/201902/t20190212_70495521.html",
			Title:              "贵州省人民政府关于印发贵州省大气污染防治行动计划实施方案的通知",
			DocNumber:          "黔府发〔2019〕3号",
			Issuer:             "贵州省人民政府",
			WrittenAt:          "2019-02-01",
			PublishedAt:        bj(2019, 2, 12, 0, 0),
			PublishedPrecision: syndicator.PrecisionDay,
			Validity:           syndicator.ValidityRepealed,
			BodyHTML:           "<p>各市、自治州人民政府，各县（市、区、特区）人民政府，省政府各部门、各直属机构：</p>",
			BodyText:           "各市、自治州人民政府，各县（市、区、特区）人民政府，省政府各部门、各直属机构：",
			Revision:           1,
		},
		Column:      "zcwj",
		SourceName:  "贵州省人民政府网",
		PublishedAt: bj(2026, 9, 1, 10, 0),
	}
}

// seriesArticle is the n-th of a run of articles in a column, one a day
// from 2026-01-01, at 17:00 Beijing time.
func seriesArticle(column string, n int) render.Article {
	published := bj(2026, 1, 1, 17, 0).AddDate(0, 0, n)
	return render.Article{
		Item: syndicator.Item{
			ID:                 fmt.Sprintf("%032x", 0x1000+n),
			Source:             "guiyang-gfxwj",
			URL:                fmt.Sprintf("https://www.guiyang.gov.cn/zwgk/zfxxgks/fdzdgknr/lzyj/gfxwj/%s/t%s_%d.html", published.Format("200601"), published.Format("20060102"), 90706751+n),
			Title:              fmt.Sprintf("贵阳市生态环境政策文件第%d号", n),
			Issuer:             "贵阳市人民政府办公厅",
			PublishedAt:        published,
			PublishedPrecision: syndicator.PrecisionMinute,
			Validity:           syndicator.ValidityEffective,
			BodyHTML:           fmt.Sprintf("<p>正文 %d</p>", n),
			BodyText:           fmt.Sprintf("正文 %d", n),
			Revision:           1,
		},
		Column:      column,
		SourceName:  "贵阳市人民政府网",
		PublishedAt: published.Add(2 * time.Hour),
	}
}

// smallSet is a handful of articles over two columns, for the golden
// column page, feed and sitemap.
func smallSet() []render.Article {
	arts := []render.Article{govcnArticle(), repealedArticle()}
	for n := range 4 {
		arts = append(arts, seriesArticle("zcwj", 240+n))
	}
	return arts
}
