package extract

import (
	"testing"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/syndicator"
)

// labelLayouts are pages whose metadata block is found by its labels alone
// (the rule names no meta_tables or meta_lists): each layout government
// sites use, with padded labels and the catalogue's synonyms. Their
// goldens are testdata/labels-<layout>.golden.json.
var labelLayouts = []string{"labels-td", "labels-th", "labels-dl", "labels-li-span", "labels-lines"}

func TestMetadataByLabelsGolden(t *testing.T) {
	rule := config.DetailRule{Body: []string{"div.article"}}
	for _, name := range labelLayouts {
		t.Run(name, func(t *testing.T) {
			p, err := Detail(readCase(t, name, nil), "text/html; charset=utf-8", mustURL(t, "https://www.example.gov.cn/zwgk/202603/t20260305_1.html"), rule)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, name, p)
		})
	}
}

// The facts the layout goldens must show, so a golden rewritten with a
// regression does not pass unnoticed.
func TestMetadataByLabelsFacts(t *testing.T) {
	rule := config.DetailRule{Body: []string{"div.article"}}
	for _, tc := range []struct {
		name, title                                string
		index, issuer, written, docNumber, subject string
		validity                                   syndicator.Validity
	}{
		{"labels-td", "关于加强生态环境保护的通知", "11520100MB1234567X/2026-00012", "某县人民政府", "2026-03-02", "某府发〔2026〕3号", "", syndicator.ValidityEffective},
		{"labels-th", "关于加强生态环境保护的通知", "11520100MB1234567X/2026-00012", "某县生态环境局", "2026-03-02", "某环发〔2026〕7号", "生态环境", syndicator.ValidityEffective},
		{"labels-dl", "关于加强生态环境保护的通知", "11520100MB1234567X/2026-00012", "某县人民政府办公室", "2026-03-02", "某府办发〔2026〕11号", "", syndicator.ValidityRepealed},
		{"labels-li-span", "关于加强生态环境保护的通知_某县人民政府", "11520100MB1234567X/2026-00012", "某县人民政府", "2026-03-02", "某府发〔2026〕3号", "", syndicator.ValidityEffective},
		{"labels-lines", "关于加强生态环境保护的通知", "11520100MB1234567X/2026-00012", "某县人民政府", "2026-03-02", "某府发〔2026〕3号", "生态环境", syndicator.ValidityAmended},
	} {
		p, err := Detail(readCase(t, tc.name, nil), "text/html", mustURL(t, "https://www.example.gov.cn/zwgk/202603/t20260305_1.html"), rule)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []struct{ field, got, want string }{
			{"title", p.Title, tc.title},
			{"index_number", p.IndexNumber, tc.index},
			{"issuer", p.Issuer, tc.issuer},
			{"written_at", p.WrittenAt, tc.written},
			{"doc_number", p.DocNumber, tc.docNumber},
			{"subject", p.Subject, tc.subject},
			{"published_at", p.PublishedAt.Format("2006-01-02"), "2026-03-05"},
		} {
			if f.got != f.want {
				t.Errorf("%s: %s = %q, want %q", tc.name, f.field, f.got, f.want)
			}
		}
		if !p.MetadataByLabels {
			t.Errorf("%s: metadata_by_labels false, want true (the rule names no containers)", tc.name)
		}
		if p.Validity != tc.validity {
			t.Errorf("%s: validity %q (%q), want %q", tc.name, p.Validity, p.ValidityText, tc.validity)
		}
	}
}

// Configured containers win: when they give fields, the block found by
// labels is not read; when they match nothing (a redesign), it is.
func TestMetadataContainersWin(t *testing.T) {
	page := readCase(t, "labels-th", nil)
	u := mustURL(t, "https://www.example.gov.cn/zwgk/202603/t20260305_1.html")
	// A container holding only 发文字号, with another value.
	withBox := append([]byte(`<div id="box">发文字号：配置〔2026〕1号</div>`), page...)
	p, err := Detail(withBox, "text/html", u, config.DetailRule{Body: []string{"div.article"}, MetaLists: []string{"#box"}})
	if err != nil {
		t.Fatal(err)
	}
	if p.DocNumber != "配置〔2026〕1号" || p.IndexNumber != "" || p.MetadataByLabels {
		t.Errorf("configured container: doc number %q, index number %q, by labels %v; want the container's number and nothing else", p.DocNumber, p.IndexNumber, p.MetadataByLabels)
	}
	p, err = Detail(page, "text/html", u, config.DetailRule{Body: []string{"div.article"}, MetaTables: []string{"table.gone"}})
	if err != nil {
		t.Fatal(err)
	}
	if p.DocNumber != "某环发〔2026〕7号" || !p.MetadataByLabels {
		t.Errorf("container that matches nothing: doc number %q, by labels %v; want the one found by labels", p.DocNumber, p.MetadataByLabels)
	}
}

// One label is no block: a 来源 line above the body is not taken for the
// metadata of the page.
func TestMetadataBlockNeedsTwoLabels(t *testing.T) {
	page := []byte(`<html><body><h1>通知</h1><p>来源：某县人民政府</p><div class="article"><p>正文。</p></div></body></html>`)
	p, err := Detail(page, "text/html", mustURL(t, "https://www.example.gov.cn/a.html"), config.DetailRule{Body: []string{"div.article"}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Origin != "" {
		t.Errorf("origin %q from a lone label line, want none", p.Origin)
	}
}
